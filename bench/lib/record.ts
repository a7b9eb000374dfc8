// One benchmark run as stored: the result plus everything needed to judge it later (when, where,
// which code, which flags). Written as JSON to bench/results/ and rendered into docs/benchmarks.md.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MachineInfo, SourceInfo } from './machine.ts';
import type { BenchResult } from './types.ts';

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
  result: BenchResult;
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
