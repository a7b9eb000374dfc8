import { describe, expect, it } from 'vitest';
import { parseTimecode, windowAround } from './timecode.ts';

describe('parseTimecode', () => {
  it('reads seconds, m:ss and h:mm:ss, with a fraction of a second', () => {
    expect(parseTimecode('75')).toBe(75);
    expect(parseTimecode(' 1:15 ')).toBe(75);
    expect(parseTimecode('1:02:03')).toBe(3723);
    expect(parseTimecode('0:07.5')).toBe(7.5);
    expect(parseTimecode('90:00')).toBe(5400);
  });

  it('refuses what is not a position', () => {
    for (const text of ['', 'abc', '1:60', '1:2:3:4', '-5', '1.5:00', '1::2', '1:'])
      expect(parseTimecode(text), text).toBeNull();
  });
});

describe('windowAround', () => {
  it('centres on the position', () => {
    expect(windowAround(100.4, 600, 30)).toEqual({ start: 85, end: 115 });
  });

  it('slides inwards at either end instead of shrinking', () => {
    expect(windowAround(3, 600, 30)).toEqual({ start: 0, end: 30 });
    expect(windowAround(598, 600.8, 30)).toEqual({ start: 570, end: 600 });
  });

  it('takes a recording shorter than the window whole', () => {
    expect(windowAround(5, 12.6, 30)).toEqual({ start: 0, end: 12 });
  });
});
