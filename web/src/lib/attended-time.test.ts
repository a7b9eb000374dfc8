import { describe, expect, it } from 'vitest';
import { formatAttended } from './attended-time.ts';

describe('formatAttended', () => {
  it('reads seconds, minutes and hours', () => {
    expect(formatAttended(0)).toBe('0 s');
    expect(formatAttended(42.4)).toBe('42 s');
    expect(formatAttended(720)).toBe('12 min');
    expect(formatAttended(725)).toBe('12 min 5 s');
    expect(formatAttended(3900)).toBe('1 h 5 min');
    expect(formatAttended(7200)).toBe('2 h');
  });
});
