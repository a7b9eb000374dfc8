import { describe, expect, it } from 'vitest';
import { parseContentRange, parseRange, rangeHeader, resolveRange } from './byte-range.ts';

describe('byte ranges', () => {
  it('reads one range of bytes, and nothing else', () => {
    expect(parseRange('bytes=0-99')).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-')).toEqual({ start: 100, end: undefined });
    expect(parseRange('bytes=-500')).toEqual({ suffix: 500 });
    for (const header of [undefined, '', 'bytes=-', 'bytes=5-2', 'bytes=0-1,5-9', 'items=0-1', 'bytes=a-b']) {
      expect(parseRange(header), String(header)).toBeUndefined();
    }
  });

  it('places the range in the file, clamped to its end, or says none of it is there', () => {
    expect(resolveRange({ start: 0, end: 99 }, 1000)).toEqual({ start: 0, end: 99 });
    expect(resolveRange({ start: 900, end: 5000 }, 1000)).toEqual({ start: 900, end: 999 });
    expect(resolveRange({ start: 100, end: undefined }, 1000)).toEqual({ start: 100, end: 999 });
    expect(resolveRange({ suffix: 10 }, 1000)).toEqual({ start: 990, end: 999 });
    expect(resolveRange({ suffix: 5000 }, 1000)).toEqual({ start: 0, end: 999 });
    expect(resolveRange({ start: 1000, end: undefined }, 1000)).toBe('unsatisfiable');
    expect(resolveRange({ suffix: 0 }, 1000)).toBe('unsatisfiable');
  });

  it('asks S3 for the same bytes and reads its answer', () => {
    expect(rangeHeader({ start: 5, end: 9 })).toBe('bytes=5-9');
    expect(rangeHeader({ start: 5, end: undefined })).toBe('bytes=5-');
    expect(rangeHeader({ suffix: 7 })).toBe('bytes=-7');
    expect(parseContentRange('bytes 5-9/1000')).toEqual({ range: { start: 5, end: 9 }, size: 1000 });
    expect(parseContentRange('bytes */1000')).toEqual({ range: undefined, size: 1000 });
    expect(parseContentRange(null)).toBeUndefined();
  });
});
