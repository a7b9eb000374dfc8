import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDelay, formatDuration } from './format.ts';

describe('formatDelay', () => {
  it('reads in ms below a second and in seconds above', () => {
    expect(formatDelay(0.4)).toBe('1 ms');
    expect(formatDelay(42.4)).toBe('42 ms');
    expect(formatDelay(347)).toBe('350 ms');
    expect(formatDelay(2340)).toBe('2.3 s');
  });
});

describe('formatDuration', () => {
  it('shows minutes and seconds, and hours when there are some', () => {
    expect(formatDuration(7.4)).toBe('0:07');
    expect(formatDuration(123)).toBe('2:03');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(-3)).toBe('0:00');
  });
});

describe('formatDateTime', () => {
  it('formats a valid date and leaves an invalid one empty', () => {
    expect(formatDateTime('2026-03-12T18:04:00Z')).toMatch(/2026/);
    expect(formatDateTime('not a date')).toBe('');
  });
});
