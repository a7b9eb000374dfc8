// Small summaries for a handful of samples. Benchmarks here take few samples, so report the median
// and the worst case rather than a mean that one outlier drags around.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function max(values: readonly number[]): number {
  if (values.length === 0) throw new Error('max of no values');
  return Math.max(...values);
}

/** Whole milliseconds: the polling behind most timings is coarser than that anyway. */
export function ms(value: number): number {
  return Math.round(value);
}
