// Finds benchmark modules: every bench/<name>.ts except the harness itself.
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchModule } from './types.ts';

const NOT_BENCHMARKS = new Set(['run']);
/** Also keeps a name from reaching outside bench/ (`../x`). */
const NAME = /^[a-z0-9][a-z0-9-]*$/;

export class UnknownBenchmarkError extends Error {
  constructor(
    readonly benchName: string,
    readonly available: string[],
  ) {
    super(`no benchmark named '${benchName}'; available: ${available.join(', ') || '(none)'}`);
    this.name = 'UnknownBenchmarkError';
  }
}

export async function listBenchmarks(benchDir: string): Promise<string[]> {
  const entries = await fs.readdir(benchDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => e.name.slice(0, -'.ts'.length))
    .filter((name) => NAME.test(name) && !NOT_BENCHMARKS.has(name))
    .sort();
}

export async function loadBenchmark(benchDir: string, name: string): Promise<BenchModule> {
  const available = await listBenchmarks(benchDir);
  if (!available.includes(name)) throw new UnknownBenchmarkError(name, available);
  const loaded: unknown = await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href);
  if (!isBenchModule(loaded)) {
    throw new Error(`bench/${name}.ts must export default async function run(ctx): Promise<BenchResult>`);
  }
  return loaded;
}

function isBenchModule(value: unknown): value is BenchModule {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { default?: unknown; summary?: unknown };
  return (
    typeof candidate.default === 'function' &&
    (candidate.summary === undefined || typeof candidate.summary === 'string')
  );
}
