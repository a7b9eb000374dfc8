// Parses `--name=value`, `--name value` and bare `--name` into BenchFlags. Benchmarks read their
// own flags, so the harness can't know which take a value: `--name value` takes the next word as
// the value unless it starts with `--`.
import type { BenchFlags } from './types.ts';

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export function parseFlags(argv: readonly string[]): BenchFlags {
  const all: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (!word.startsWith('--') || word === '--')
      throw new FlagError(`unexpected argument '${word}'; flags look like --name=value`);
    const body = word.slice(2);
    const eq = body.indexOf('=');
    if (eq >= 0) {
      all[body.slice(0, eq)] = body.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      all[body] = next;
      i++;
    } else {
      all[body] = true;
    }
  }
  return makeFlags(all);
}

function makeFlags(all: Record<string, string | true>): BenchFlags {
  return {
    all,
    string(name) {
      const value = all[name];
      if (value === true) throw new FlagError(`--${name} needs a value: --${name}=...`);
      return value;
    },
    integer(name, fallback, min, max) {
      const raw = this.string(name);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new FlagError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
      return n;
    },
    boolean(name) {
      const value = all[name];
      if (value === undefined || value === true) return value === true;
      if (['1', 'true', 'yes'].includes(value)) return true;
      if (['0', 'false', 'no'].includes(value)) return false;
      throw new FlagError(`--${name} is a switch: give it alone or as --${name}=true|false`);
    },
  };
}
