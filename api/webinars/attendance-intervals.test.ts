import { describe, expect, it } from 'vitest';
import { attendedMs, clip, concurrentTimeline, coveredMs, meetsThreshold, union } from './attendance-intervals.ts';

describe('attendance intervals', () => {
  it('merges overlapping and touching stretches, drops empty ones', () => {
    expect(
      union([
        { start: 10, end: 20 },
        { start: 0, end: 5 },
        { start: 15, end: 30 },
        { start: 30, end: 35 },
        { start: 40, end: 40 },
      ]),
    ).toEqual([
      { start: 0, end: 5 },
      { start: 10, end: 35 },
    ]);
  });

  it('counts two tabs at once as one attendee', () => {
    expect(
      coveredMs([
        { start: 0, end: 60_000 },
        { start: 30_000, end: 90_000 },
      ]),
    ).toBe(90_000);
  });

  it('counts only the live time', () => {
    const live = { start: 100, end: 200 };
    expect(clip([{ start: 0, end: 150 }], live)).toEqual([{ start: 100, end: 150 }]);
    expect(
      attendedMs(
        [
          { start: 0, end: 90 },
          { start: 150, end: 500 },
        ],
        live,
      ),
    ).toBe(50);
  });

  it('draws the most attendees present at once per slice', () => {
    const window = { start: 0, end: 100 };
    const points = concurrentTimeline(
      [
        [{ start: 0, end: 100 }],
        [{ start: 20, end: 30 }],
        [
          { start: 25, end: 60 },
          { start: 40, end: 70 },
        ],
      ],
      window,
      4,
    );
    expect(points).toEqual([
      { at: 0, attendees: 2 },
      { at: 25, attendees: 3 },
      { at: 50, attendees: 2 },
      { at: 75, attendees: 1 },
    ]);
  });

  it('gives no timeline for a webinar that was never live', () => {
    expect(concurrentTimeline([[{ start: 0, end: 10 }]], { start: 5, end: 5 }, 10)).toEqual([]);
  });

  it('reaches a threshold at exactly its share, not below', () => {
    expect(meetsThreshold(80, 100, 80)).toBe(true);
    expect(meetsThreshold(79.9, 100, 80)).toBe(false);
    expect(meetsThreshold(0, 0, 0)).toBe(false);
    expect(meetsThreshold(10_000, 10_000, 100)).toBe(true);
  });
});
