/** Delay before retry number `attempt` (0-based): 0.5 s doubling to 10 s, with ±20 % jitter so a
 * server restart is not met by every client at the same instant. */
export function backoffDelay(attempt: number, baseMs = 500, maxMs = 10_000): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}
