// The contract between the harness (bench/run.ts) and a benchmark module (bench/<name>.ts).
// A benchmark measures and reports; the harness owns everything around it: flags, temporary
// folders, machine description, the JSON file and the section in docs/benchmarks.md.

/**
 * The system under test failed (did not start, crashed, missed a deadline). The harness prints
 * only the message, which should carry the evidence (e.g. the server's last output): a stack trace
 * into the harness would point away from the problem.
 */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** A table cell: numbers are right-aligned in markdown and stay numbers in the JSON. */
export type Cell = string | number;

export interface BenchTable {
  columns: string[];
  /** Each row has one cell per column. */
  rows: Cell[][];
}

/** A target the project commits to, checked against this run. */
export interface BenchGoal {
  /** What we promise, e.g. "Warm start under 10 s". */
  statement: string;
  passed: boolean;
  /** What was measured against it, e.g. "slowest warm start 2 310 ms". */
  measured: string;
}

export interface BenchResult {
  title: string;
  /** How the numbers were obtained, precisely enough to reproduce or to doubt them. */
  method: string;
  table: BenchTable;
  goals: BenchGoal[];
  /** Anything a reader needs to interpret the table (caveats, configuration, anomalies). */
  notes: string[];
}

/** Command-line flags after the benchmark name: `--runs=5`, `--runs 5` or `--verbose`. */
export interface BenchFlags {
  string(name: string): string | undefined;
  /** A whole number within [min, max]; throws a readable error for anything else. */
  integer(name: string, fallback: number, min: number, max: number): number;
  boolean(name: string): boolean;
  /** Every flag as given, for the JSON record. */
  readonly all: Readonly<Record<string, string | true>>;
}

export interface BenchContext {
  readonly name: string;
  /** Absolute path of the repository root; benchmarks spawn the server from here. */
  readonly repoRoot: string;
  readonly flags: BenchFlags;
  /** Progress for the person watching (stderr); not part of the results. */
  log(message: string): void;
  /** A fresh empty folder, removed by the harness when the benchmark ends, whatever happens. */
  tempDir(prefix: string): Promise<string>;
}

export type BenchFunction = (ctx: BenchContext) => Promise<BenchResult>;

/** What bench/<name>.ts exports. */
export interface BenchModule {
  default: BenchFunction;
  /** One line shown by `npm run bench` without a name. */
  summary?: string;
}
