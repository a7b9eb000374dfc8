import { describe, expect, it } from 'vitest';
import { raisedFor, timeLeft } from './hand-time.ts';

const now = Date.parse('2026-12-08T10:00:00Z');

describe('hand times', () => {
  it('counts an invitation down in minutes and seconds, never below zero', () => {
    expect(timeLeft('2026-12-08T10:02:00Z', now)).toBe('2:00');
    expect(timeLeft('2026-12-08T10:00:05.200Z', now)).toBe('0:06');
    expect(timeLeft('2026-12-08T09:59:00Z', now)).toBe('0:00');
  });

  it('says how long a hand has been up', () => {
    expect(raisedFor('2026-12-08T09:59:30Z', now)).toBe('just now');
    expect(raisedFor('2026-12-08T09:57:00Z', now)).toBe('3 min ago');
  });
});
