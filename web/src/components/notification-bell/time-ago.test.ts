import { describe, expect, it } from 'vitest';
import { timeAgo } from './time-ago.ts';

describe('timeAgo', () => {
  const now = Date.parse('2026-03-12T18:00:00.000Z');
  it('reads as a person would say it', () => {
    expect(timeAgo('2026-03-12T17:59:30.000Z', now)).toBe('just now');
    expect(timeAgo('2026-03-12T17:55:00.000Z', now)).toBe('5 min ago');
    expect(timeAgo('2026-03-12T15:00:00.000Z', now)).toBe('3 h ago');
    expect(timeAgo('2026-03-10T18:00:00.000Z', now)).toBe('2 d ago');
  });
  it('gives the date after a week, and nothing for a bad date', () => {
    expect(timeAgo('2026-02-01T12:00:00.000Z', now)).toMatch(/2026/);
    expect(timeAgo('not a date', now)).toBe('');
  });
  it('treats a clock slightly ahead of ours as now', () => {
    expect(timeAgo('2026-03-12T18:00:05.000Z', now)).toBe('just now');
  });
});
