import { describe, expect, it } from 'vitest';
import { bufferedAhead, liveDelaySeconds } from './hls-timing.ts';

function ranges(...pairs: [number, number][]) {
  return { length: pairs.length, start: (i: number) => pairs[i]![0], end: (i: number) => pairs[i]![1] };
}

describe('bufferedAhead', () => {
  it('measures to the end of the range holding the playhead', () => {
    expect(bufferedAhead(ranges([0, 4], [6, 10]), 7.5)).toBeCloseTo(2.5);
    expect(bufferedAhead(ranges([0, 4], [6, 10]), 1)).toBeCloseTo(3);
  });

  it('is zero outside every range and with none', () => {
    expect(bufferedAhead(ranges([0, 4], [6, 10]), 5)).toBe(0);
    expect(bufferedAhead(ranges(), 3)).toBe(0);
  });

  it('bridges a small gap just before a range', () => {
    expect(bufferedAhead(ranges([10.2, 14]), 10)).toBeCloseTo(4);
  });
});

describe('liveDelaySeconds', () => {
  const now = Date.parse('2026-01-01T12:00:10Z');

  it('prefers the program date time of the shown frame', () => {
    expect(liveDelaySeconds({ now, playingDate: new Date('2026-01-01T12:00:07Z'), edgeLatency: 1.5 })).toBeCloseTo(3);
  });

  it('falls back to the distance to the live edge', () => {
    expect(liveDelaySeconds({ now, playingDate: null, edgeLatency: 2.25 })).toBe(2.25);
  });

  it('ignores a program date time in the future (a skewed clock) and unknown latency', () => {
    expect(liveDelaySeconds({ now, playingDate: new Date('2026-01-01T12:00:30Z'), edgeLatency: 2 })).toBe(2);
    expect(liveDelaySeconds({ now, playingDate: null, edgeLatency: 0 })).toBeNull();
    expect(liveDelaySeconds({ now, playingDate: null, edgeLatency: null })).toBeNull();
  });
});
