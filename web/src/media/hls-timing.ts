// The numbers an HLS viewer cares about, from what the <video> and hls.js report. Pure functions,
// so they are tested without a browser.

/** Seconds of media buffered ahead of `time`: the end of the range that holds it, minus `time`. */
export function bufferedAhead(ranges: Pick<TimeRanges, 'length' | 'start' | 'end'>, time: number): number {
  // Ranges can have small gaps around the playhead after a seek; half a second still plays through.
  const slack = 0.5;
  for (let i = 0; i < ranges.length; i++) {
    if (time >= ranges.start(i) - slack && time <= ranges.end(i)) return Math.max(0, ranges.end(i) - time);
  }
  return 0;
}

/**
 * How far behind the streamer the picture is, in seconds. With a program date time (the wall
 * clock time of the frame being shown) that is a real glass-to-glass delay; without one, the
 * distance to the live edge of the playlist is the best estimate (it leaves out how long the
 * server took to cut the segment).
 */
export function liveDelaySeconds(input: {
  now: number;
  playingDate: Date | null;
  edgeLatency: number | null;
}): number | null {
  if (input.playingDate) {
    const behind = (input.now - input.playingDate.getTime()) / 1000;
    if (Number.isFinite(behind) && behind >= 0) return behind;
  }
  return input.edgeLatency !== null && Number.isFinite(input.edgeLatency) && input.edgeLatency > 0
    ? input.edgeLatency
    : null;
}
