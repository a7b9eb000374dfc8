// Builds the BenchContext handed to a benchmark, and owns what the benchmark borrows from it
// (temporary folders), so nothing is left behind even when the benchmark throws.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchContext, BenchFlags } from './types.ts';

export interface OwnedContext {
  ctx: BenchContext;
  /** Removes every temporary folder handed out; safe to call twice. */
  dispose(): Promise<void>;
}

export function createContext(name: string, repoRoot: string, flags: BenchFlags): OwnedContext {
  const tempDirs: string[] = [];
  const ctx: BenchContext = {
    name,
    repoRoot,
    flags,
    log(message) {
      process.stderr.write(`[bench:${name}] ${message}\n`);
    },
    async tempDir(prefix) {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), `aethex-bench-${prefix}-`));
      tempDirs.push(dir);
      return dir;
    },
  };
  return {
    ctx,
    async dispose() {
      for (const dir of tempDirs.splice(0)) {
        try {
          await fs.rm(dir, { recursive: true, force: true });
        } catch (error) {
          ctx.log(`could not remove ${dir}: ${(error as Error).message}`);
        }
      }
    },
  };
}
