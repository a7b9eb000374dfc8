// Benchmark harness: `npm run bench -- <name> [--flags]` runs bench/<name>.ts, saves the result as
// JSON in bench/results/ and refreshes that benchmark's section of docs/benchmarks.md.
// `npm run bench` alone lists the benchmarks.
//
// Harness flags: --no-docs leaves docs/benchmarks.md untouched (trial runs); --allow-dirty writes
// the page from a tree with uncommitted changes, which is otherwise refused (the section then says
// so in large print). Every other flag goes to the benchmark.
// Every run is recorded, whatever its end: a benchmark that throws, or a run stopped by SIGINT or
// SIGTERM, replaces its section with one that says it failed and why, so figures of an older run
// never stand for this tree. Each section states the machine's load before and during the run.
// Exit status: 0 all goals met, 2 a goal was missed, 1 the benchmark failed or was refused,
// 128 + the signal's number when aborted.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext } from './lib/context.ts';
import { updateBenchmarksDoc } from './lib/docs.ts';
import { FlagError, parseFlags } from './lib/flags.ts';
import { LoadMonitor } from './lib/load.ts';
import { describeMachine, describeSource, type SourceInfo } from './lib/machine.ts';
import { renderSection, renderTable } from './lib/markdown.ts';
import { stopDescendants } from './lib/media/process-tree.ts';
import { saveRecord, type BenchOutcome, type BenchRecord } from './lib/record.ts';
import { listBenchmarks, loadBenchmark, UnknownBenchmarkError } from './lib/registry.ts';
import { BenchError } from './lib/types.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);
const resultsDir = path.join(benchDir, 'results');
const docFile = path.join(repoRoot, 'docs', 'benchmarks.md');

/** Refused before anything ran: the page would get figures that belong to no commit. */
class DirtyTreeError extends Error {
  constructor(source: SourceInfo) {
    super(
      `the tree has uncommitted changes, so its figures would belong to no commit:\n` +
        `${source.changes.map((line) => `  ${line}`).join('\n')}\n` +
        `Commit them (or run from a clean checkout of the commit to measure), run with --no-docs for a trial, ` +
        `or with --allow-dirty to write the page anyway under a warning.`,
    );
    this.name = 'DirtyTreeError';
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') return printList();
  const flags = parseFlags(rest);
  const bench = await loadBenchmark(benchDir, name);
  const writeDocs = !flags.boolean('no-docs');
  const allowDirty = flags.boolean('allow-dirty');

  const sourceBefore = await describeSource(repoRoot);
  if (writeDocs && sourceBefore.dirty && !allowDirty) throw new DirtyTreeError(sourceBefore);
  const machine = await describeMachine();
  const load = await LoadMonitor.start();
  const owned = createContext(name, repoRoot, flags);
  const startedAt = new Date();
  const command = ['npm run bench --', name, ...rest].join(' ');

  /** Saves the record and, unless --no-docs, replaces the section; returns the record's path. */
  const record = async (outcome: BenchOutcome, source: SourceInfo): Promise<string> => {
    const entry: BenchRecord = {
      benchmark: name,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      command,
      flags: flags.all,
      machine,
      source,
      load: load.stop(),
      outcome,
    };
    const relativeFile = path.relative(repoRoot, await saveRecord(resultsDir, entry));
    if (writeDocs) await updateBenchmarksDoc(docFile, name, (title) => renderSection(entry, relativeFile, title));
    return relativeFile;
  };

  const aborted = abortSignal();
  const running = bench.default(owned.ctx).then(
    (result): BenchOutcome => ({ status: 'completed', result }),
    (error: unknown): BenchOutcome => {
      // A mistyped flag is a usage error, not a run: say it and leave the page alone.
      if (error instanceof FlagError) throw error;
      return { status: 'failed', reason: describeError(error) };
    },
  );
  const first = await Promise.race([running, aborted.signal]);
  aborted.dispose();

  if (typeof first === 'string') {
    // The benchmark is still running: stop what it started (by pid, its processes only), then record.
    const seconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
    owned.ctx.log(`${first}: stopping the benchmark's processes`);
    await stopDescendants(process.pid, 10_000);
    await owned.dispose();
    const file = await record(
      { status: 'aborted', reason: `stopped by ${first} after ${seconds} s, before it finished` },
      sourceBefore,
    );
    process.stderr.write(`bench: aborted by ${first}; saved ${file}${writeDocs ? '; section marked aborted' : ''}\n`);
    return 128 + (os.constants.signals[first] ?? 0);
  }
  await owned.dispose();

  let outcome = first;
  const sourceAfter = await describeSource(repoRoot);
  const changed = sourceAfter.commit !== sourceBefore.commit || sourceAfter.dirty !== sourceBefore.dirty;
  const source = changed ? { ...sourceAfter, dirty: sourceBefore.dirty || sourceAfter.dirty } : sourceBefore;
  if (changed && writeDocs && !allowDirty && outcome.status === 'completed') {
    // Servers spawned mid-run load code from disk: figures of a tree that moved belong to neither.
    outcome = {
      status: 'failed',
      reason:
        `the tree changed during the run (commit ${sourceBefore.commit} to ${sourceAfter.commit}` +
        `${sourceAfter.dirty ? ', with uncommitted changes' : ''}), so its figures belong to no single tree. ` +
        `The result is kept in the JSON record only.`,
      discarded: outcome.result,
    };
  }
  const file = await record(outcome, source);
  const where = `Saved ${file}${writeDocs ? `; updated ${path.relative(repoRoot, docFile)}` : ''}`;
  if (outcome.status !== 'completed') {
    process.stderr.write(`bench: ${name} failed: ${outcome.reason}\n${where} (marked as failed)\n`);
    return 1;
  }
  const { result } = outcome;
  process.stdout.write(`\n${result.title}\n\n${renderTable(result.table).join('\n')}\n\n`);
  for (const goal of result.goals) {
    process.stdout.write(`${goal.passed ? 'PASS' : 'FAIL'}  ${goal.statement}: ${goal.measured}\n`);
  }
  process.stdout.write(`\n${where}\n`);
  return result.goals.every((goal) => goal.passed) ? 0 : 2;
}

/** The first SIGINT or SIGTERM, as a promise of its name; a second one of either kills at once. */
function abortSignal(): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    handler = (name) => {
      process.removeListener('SIGINT', handler!);
      process.removeListener('SIGTERM', handler!);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(name);
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  });
  return {
    signal,
    dispose() {
      if (!handler) return;
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}

/** A BenchError carries its evidence in its message; anything else is a bug, so its stack. */
function describeError(error: unknown): string {
  if (error instanceof BenchError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function printList(): Promise<number> {
  const names = await listBenchmarks(benchDir);
  process.stdout.write('Usage: npm run bench -- <name> [--flags] [--no-docs] [--allow-dirty]\n\nBenchmarks:\n');
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
  const code = await main(process.argv.slice(2));
  // An aborted benchmark may still hold timers or sockets: leave now that its record is written.
  if (code > 128) process.exit(code);
  process.exitCode = code;
} catch (error) {
  // Expected mistakes get one line; anything else gets its stack, since it is a bug to chase.
  const expected =
    error instanceof FlagError ||
    error instanceof UnknownBenchmarkError ||
    error instanceof BenchError ||
    error instanceof DirtyTreeError;
  process.stderr.write(`bench: ${expected ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
  process.exitCode = 1;
}
