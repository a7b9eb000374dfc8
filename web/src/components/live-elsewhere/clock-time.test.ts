import { describe, expect, it } from 'vitest';
import { clockTime } from './clock-time.ts';

describe('clockTime', () => {
  it("says the hour and minute on this device's clock", () => {
    const local = new Date(2026, 2, 14, 6, 30, 12);
    expect(clockTime(local.toISOString(), 'en-GB')).toBe('06:30');
  });

  it('says nothing for an unknown or broken time', () => {
    expect(clockTime(null)).toBe('');
    expect(clockTime('not a date')).toBe('');
  });
});
