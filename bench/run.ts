// Benchmark harness: `npm run bench -- <name> [--flags]` runs bench/<name>.ts, saves the result as
// JSON in bench/results/ and refreshes that benchmark's section of docs/benchmarks.md.
// `npm run bench` alone lists the benchmarks.
//
// Harness flags: --no-docs leaves docs/benchmarks.md untouched (trial runs). Every other flag goes
// to the benchmark. Exit status: 0 all goals met, 2 a goal was missed, 1 the benchmark failed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext } from './lib/context.ts';
import { updateBenchmarksDoc } from './lib/docs.ts';
import { FlagError, parseFlags } from './lib/flags.ts';
import { describeMachine, describeSource } from './lib/machine.ts';
import { renderSection, renderTable } from './lib/markdown.ts';
import { saveRecord, type BenchRecord } from './lib/record.ts';
import { listBenchmarks, loadBenchmark, UnknownBenchmarkError } from './lib/registry.ts';
import { BenchError, type BenchResult } from './lib/types.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);
const resultsDir = path.join(benchDir, 'results');
const docFile = path.join(repoRoot, 'docs', 'benchmarks.md');

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') return printList();
  const flags = parseFlags(rest);
  const bench = await loadBenchmark(benchDir, name);

  const machine = await describeMachine();
  const source = await describeSource(repoRoot);
  const owned = createContext(name, repoRoot, flags);
  const startedAt = new Date();
  let result: BenchResult;
  try {
    result = await bench.default(owned.ctx);
  } finally {
    await owned.dispose();
  }

  const record: BenchRecord = {
    benchmark: name,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    command: ['npm run bench --', name, ...rest].join(' '),
    flags: flags.all,
    machine,
    source,
    result,
  };
  const file = await saveRecord(resultsDir, record);
  const relativeFile = path.relative(repoRoot, file);
  if (!flags.boolean('no-docs')) {
    await updateBenchmarksDoc(docFile, name, renderSection(record, relativeFile));
  }

  process.stdout.write(`\n${result.title}\n\n${renderTable(result.table).join('\n')}\n\n`);
  for (const goal of result.goals) {
    process.stdout.write(`${goal.passed ? 'PASS' : 'FAIL'}  ${goal.statement}: ${goal.measured}\n`);
  }
  process.stdout.write(
    `\nSaved ${relativeFile}${flags.boolean('no-docs') ? '' : `; updated ${path.relative(repoRoot, docFile)}`}\n`,
  );
  return result.goals.every((goal) => goal.passed) ? 0 : 2;
}

async function printList(): Promise<number> {
  const names = await listBenchmarks(benchDir);
  process.stdout.write('Usage: npm run bench -- <name> [--flags] [--no-docs]\n\nBenchmarks:\n');
  for (const name of names) {
    let summary: string;
    try {
      summary = (await loadBenchmark(benchDir, name)).summary ?? '';
    } catch (error) {
      summary = `(cannot load: ${(error as Error).message})`;
    }
    process.stdout.write(`  ${name.padEnd(16)} ${summary}\n`);
  }
  if (names.length === 0) process.stdout.write('  (none yet: add bench/<name>.ts)\n');
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Expected mistakes get one line; anything else gets its stack, since it is a bug to chase.
  const expected = error instanceof FlagError || error instanceof UnknownBenchmarkError || error instanceof BenchError;
  process.stderr.write(`bench: ${expected ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
  process.exitCode = 1;
}
