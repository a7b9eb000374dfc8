// Positions in a recording as people type them: "75", "1:15", "1:02:03", "1:15.5".

/** Seconds from `text`, or null when it is not a position. */
export function parseTimecode(text: string): number | null {
  const parts = text.trim().split(':');
  if (parts.length > 3 || parts.some((part) => !/^\d+(\.\d+)?$/.test(part))) return null;
  // Only the seconds may carry a fraction, and below the first field each counts to 59.
  const numbers = parts.map(Number);
  const last = numbers.length - 1;
  if (numbers.some((n, i) => (i < last && !Number.isInteger(n)) || (i > 0 && n >= 60))) return null;
  return numbers.reduce((total, n) => total * 60 + n, 0);
}

/**
 * A window of `length` seconds around `position`, kept inside a recording of `duration` seconds:
 * near either end it slides inwards rather than shrinking, and a shorter recording is taken whole.
 * Whole seconds, so the fields read cleanly.
 */
export function windowAround(position: number, duration: number, length: number): { start: number; end: number } {
  const whole = Math.max(0, Math.floor(duration));
  const start = Math.min(Math.max(0, Math.round(position - length / 2)), Math.max(0, whole - length));
  return { start, end: Math.min(whole, start + length) };
}
