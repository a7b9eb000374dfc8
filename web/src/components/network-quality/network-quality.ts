// A producer score (0-10, how well media reaches the server) in words a person can act on.

export type QualityLevel = 'good' | 'fair' | 'poor';

/** 8 and up: no loss worth noticing; 5 to 7: some loss, pictures may stutter; below: trouble. */
export function qualityLevel(score: number): QualityLevel {
  if (score >= 8) return 'good';
  if (score >= 5) return 'fair';
  return 'poor';
}

export const QUALITY_TEXT: Record<QualityLevel, string> = {
  good: 'Good connection',
  fair: 'Unsteady connection',
  poor: 'Poor connection',
};

/** How many of three bars light up. */
export const QUALITY_BARS: Record<QualityLevel, number> = { good: 3, fair: 2, poor: 1 };
