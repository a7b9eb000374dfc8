// The arithmetic of attendance, free of the database: an attendee's stretches of presence may
// overlap (two tabs, a reconnection, the stage and the audience), so they count as their union,
// and only the part inside the webinar's live time counts at all. Times are epoch milliseconds.

export interface Interval {
  start: number;
  end: number;
}

/** The union of `intervals` as disjoint intervals, earliest first; empty ones are dropped. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const { start, end } of sorted) {
    const last = merged.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else merged.push({ start, end });
  }
  return merged;
}

/** The parts of `intervals` inside `window`. */
export function clip(intervals: readonly Interval[], window: Interval): Interval[] {
  return intervals
    .map((i) => ({ start: Math.max(i.start, window.start), end: Math.min(i.end, window.end) }))
    .filter((i) => i.end > i.start);
}

/** How long `intervals` cover, counting overlaps once. */
export function coveredMs(intervals: readonly Interval[]): number {
  return union(intervals).reduce((sum, i) => sum + (i.end - i.start), 0);
}

/** An attendee's time within the live `window`, overlaps counted once. */
export function attendedMs(intervals: readonly Interval[], window: Interval): number {
  return coveredMs(clip(intervals, window));
}

export interface TimelinePoint {
  /** The start of the slice, epoch ms. */
  at: number;
  /** The most attendees present at once during the slice. */
  attendees: number;
}

/**
 * How many attendees were present at once over `window`, in `slices` equal slices (the most at
 * any moment of each, so a short peak still shows). `perAttendee` holds each attendee's
 * stretches; an attendee present twice at once counts once.
 */
export function concurrentTimeline(
  perAttendee: readonly (readonly Interval[])[],
  window: Interval,
  slices: number,
): TimelinePoint[] {
  const length = window.end - window.start;
  if (length <= 0 || slices <= 0) return [];
  // +1 where a stretch starts, -1 where it ends; ends sort before starts at the same instant.
  const steps: { at: number; delta: number }[] = [];
  for (const intervals of perAttendee)
    for (const i of union(clip(intervals, window))) steps.push({ at: i.start, delta: 1 }, { at: i.end, delta: -1 });
  steps.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const points: TimelinePoint[] = [];
  let present = 0;
  let next = 0;
  for (let slice = 0; slice < slices; slice++) {
    const from = window.start + (length * slice) / slices;
    const to = window.start + (length * (slice + 1)) / slices;
    // Everything up to the slice's start sets who is there as it begins.
    while (next < steps.length && steps[next]!.at <= from) present += steps[next++]!.delta;
    let most = present;
    while (next < steps.length && steps[next]!.at < to) {
      present += steps[next++]!.delta;
      most = Math.max(most, present);
    }
    points.push({ at: Math.round(from), attendees: most });
  }
  return points;
}

/** Whether `attended` of `live` ms reaches `thresholdPercent` (a webinar that was never live gives none). */
export function meetsThreshold(attended: number, live: number, thresholdPercent: number): boolean {
  if (live <= 0) return false;
  return attended * 100 >= thresholdPercent * live;
}
