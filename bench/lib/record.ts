// One benchmark run as stored: the result plus everything needed to judge it later (when, where,
// which code, which flags). Written as JSON to bench/results/ and rendered into docs/benchmarks.md.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MachineLoad } from './load.ts';
import type { MachineInfo, SourceInfo } from './machine.ts';
import type { BenchResult } from './types.ts';

/**
 * How the run ended. Only a completed run has figures; a failed or aborted one is still recorded
 * (and replaces the benchmark's section), so the page never shows older figures as if they were
 * this run's.
 */
export type BenchOutcome =
  | { status: 'completed'; result: BenchResult }
  | {
      status: 'failed';
      reason: string;
      /** A result that came too late to count (the tree changed under it). */ discarded?: BenchResult;
    }
  | { status: 'aborted'; reason: string };

export interface BenchRecord {
  benchmark: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  durationMs: number;
  /** The command that reproduces this run. */
  command: string;
  flags: Readonly<Record<string, string | true>>;
  machine: MachineInfo;
  source: SourceInfo;
  /** The machine's load before and during the run. */
  load: MachineLoad;
  outcome: BenchOutcome;
}

/** Writes bench/results/<name>-<timestamp>.json and returns its path. */
export async function saveRecord(resultsDir: string, record: BenchRecord): Promise<string> {
  await fs.mkdir(resultsDir, { recursive: true });
  // Colons are not allowed in Windows file names; milliseconds keep two quick runs apart.
  const stamp = record.startedAt.replace(/:/g, '-');
  const file = path.join(resultsDir, `${record.benchmark}-${stamp}.json`);
  await fs.writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
