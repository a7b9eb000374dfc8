import { describe, expect, it } from 'vitest';
import { shareOf, timeLeft, votesText } from './poll-figures.ts';

describe('poll figures', () => {
  it('gives shares of the voters, nothing of none', () => {
    expect(shareOf(1, 3)).toBe(33);
    expect(shareOf(2, 3)).toBe(67);
    expect(shareOf(0, 0)).toBe(0);
  });

  it('counts the time left down to zero', () => {
    const now = Date.parse('2026-12-08T10:00:00Z');
    expect(timeLeft('2026-12-08T10:01:05Z', now)).toBe('1:05');
    expect(timeLeft('2026-12-08T10:00:00.200Z', now)).toBe('0:01');
    expect(timeLeft('2026-12-08T09:59:00Z', now)).toBe('0:00');
  });

  it('says votes in words', () => {
    expect(votesText(1)).toBe('1 vote');
    expect(votesText(12, 'voter')).toBe('12 voters');
  });
});
