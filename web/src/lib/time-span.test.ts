import { describe, expect, it } from 'vitest';
import { countdownParts, countdownWords, formatMinutes, startsIn } from './time-span.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('countdownParts', () => {
  it('splits a span into days, hours, minutes and seconds', () => {
    expect(countdownParts(2 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND)).toEqual({
      days: 2,
      hours: 3,
      minutes: 4,
      seconds: 5,
    });
  });

  it('rounds a part of a second up, and stops at zero', () => {
    expect(countdownParts(59 * MINUTE + 59 * SECOND + 1)).toEqual({ days: 0, hours: 1, minutes: 0, seconds: 0 });
    expect(countdownParts(400)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 1 });
    expect(countdownParts(-5 * SECOND)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 });
  });
});

describe('startsIn', () => {
  it('says the two largest units', () => {
    expect(startsIn(3 * DAY + 5 * HOUR)).toBe('in 3 days');
    expect(startsIn(DAY + 5 * HOUR)).toBe('in 1 day 5 h');
    expect(startsIn(DAY)).toBe('in 1 day');
    expect(startsIn(5 * HOUR + 20 * MINUTE)).toBe('in 5 h 20 min');
    expect(startsIn(2 * HOUR)).toBe('in 2 h');
    expect(startsIn(12 * MINUTE)).toBe('in 12 min');
    expect(startsIn(20 * SECOND)).toBe('in less than a minute');
  });

  it('is null once the time has come', () => {
    expect(startsIn(0)).toBeNull();
    expect(startsIn(-MINUTE)).toBeNull();
  });
});

describe('countdownWords', () => {
  it('reads as a sentence', () => {
    expect(countdownWords(2 * DAY + 3 * HOUR + 4 * MINUTE)).toBe('2 days, 3 hours and 4 minutes');
    expect(countdownWords(DAY + MINUTE)).toBe('1 day and 1 minute');
    expect(countdownWords(HOUR)).toBe('1 hour');
    expect(countdownWords(30 * SECOND)).toBe('less than a minute');
    expect(countdownWords(0)).toBe('now');
  });
});

describe('formatMinutes', () => {
  it('reads as hours and minutes', () => {
    expect(formatMinutes(45)).toBe('45 min');
    expect(formatMinutes(60)).toBe('1 h');
    expect(formatMinutes(90)).toBe('1 h 30 min');
    expect(formatMinutes(480)).toBe('8 h');
  });
});
