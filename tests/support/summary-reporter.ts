import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const SLOWEST_SHOWN = 15;

/**
 * Ends the run with the slowest files (where the suite's time goes: CI allows 30 minutes) and one
 * plain line, "N passed, N failed, N skipped", that any CI can read.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that fails before any test runs (an import error, a failing beforeAll) counts too.
      if (module.state() === 'failed' && ![...module.children.allTests()].some((t) => t.result().state === 'failed'))
        failed++;
    }
    failed += unhandledErrors.length;
    const slowest = testModules
      .map((module) => ({ file: module.moduleId, ms: module.diagnostic().duration }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SLOWEST_SHOWN);
    if (slowest.length > 1) {
      const total = testModules.reduce((sum, module) => sum + module.diagnostic().duration, 0);
      process.stdout.write(`\nSlowest files (${(total / 1000).toFixed(0)} s in all files):\n`);
      for (const { file, ms } of slowest)
        process.stdout.write(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${path.relative(process.cwd(), file)}\n`);
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
