// Percentiles for the media benchmarks, which take hundreds of samples where the harness's stats.ts
// (median and max of a handful) is not enough.

/** The p-th percentile (0-100) by linear interpolation between closest ranks. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mean of no values');
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** One decimal: enough for milliseconds of latency and percentages of CPU. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
