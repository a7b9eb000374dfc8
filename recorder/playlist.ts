// HLS playlists of a recording. Each FFmpeg run writes its own playlist (see ffmpeg-args.ts); the
// playlists clients see are composed here from all runs: a sliding window while live, and the
// whole recording with ENDLIST once it ends. A new run starts with a discontinuity and its own
// init segment, so a restarted FFmpeg neither overwrites nor hides what came before. With a
// rendition ladder, each rendition's playlist is composed the same way, and a master playlist
// names them.

export interface Segment {
  uri: string;
  durationSeconds: number;
}

export interface RunPlaylist {
  run: number;
  initUri: string;
  segments: Segment[];
  /** FFmpeg wrote ENDLIST: the run finished cleanly. */
  ended: boolean;
}

/** Shorter than this, a segment would be listed as EXTINF:0.000. */
const MIN_SEGMENT_SECONDS = 0.0005;

/** Reads the playlist one FFmpeg run wrote; tolerant of a half-written last entry. */
export function parseRunPlaylist(run: number, text: string): RunPlaylist {
  const segments: Segment[] = [];
  let initUri = `init-${run}.mp4`;
  let pendingDuration: number | undefined;
  let ended = false;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('#EXT-X-MAP:')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      if (uri) initUri = uri;
    } else if (line.startsWith('#EXTINF:')) {
      const duration = Number.parseFloat(line.slice('#EXTINF:'.length));
      pendingDuration = Number.isFinite(duration) ? duration : undefined;
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (line !== '' && !line.startsWith('#') && pendingDuration !== undefined) {
      // An FFmpeg stopped mid-segment can list a last segment of no duration (EXTINF:0.000) with
      // no frame in it; players fail to parse it (hls.js: fragParsingError), so it is left out.
      if (pendingDuration >= MIN_SEGMENT_SECONDS) segments.push({ uri: line, durationSeconds: pendingDuration });
      pendingDuration = undefined;
    }
  }
  return { run, initUri, segments, ended };
}

export interface ComposeOptions {
  /** Show only the last N segments (live); all when undefined (VOD). */
  window?: number | undefined;
  /** The recording is over: add ENDLIST. */
  ended: boolean;
  /** Prefix for segment and init URIs (e.g. where they are served from). */
  uriPrefix?: string;
}

export function composePlaylist(runs: readonly RunPlaylist[], options: ComposeOptions): string {
  const all = runs.flatMap((run) =>
    run.segments.map((segment) => ({ ...segment, run: run.run, initUri: run.initUri })),
  );
  const start = options.window === undefined ? 0 : Math.max(0, all.length - options.window);
  const shown = all.slice(start);
  const prefix = options.uriPrefix ?? '';
  // Discontinuities before the window: a run boundary between two segments that are both hidden,
  // or between the last hidden segment and the first shown one.
  let discontinuitySequence = 0;
  for (let i = 1; i <= start && i < all.length; i++) if (all[i]!.run !== all[i - 1]!.run) discontinuitySequence++;
  // RFC 8216 4.3.3.1: each EXTINF rounded to the nearest integer must not exceed it. Rounding up
  // instead turned 1 s segments cut at 1.03 s into a target of 2, and hls.js, which holds back a
  // number of target durations from the live edge, into 2 s more delay for the rest of the stream.
  const targetDuration = Math.max(1, Math.max(0, ...all.map((s) => Math.round(s.durationSeconds))));

  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${start}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitySequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  if (options.ended && options.window === undefined) lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  shown.forEach((segment, index) => {
    const previous = index === 0 ? undefined : shown[index - 1];
    if (previous && previous.run !== segment.run) lines.push('#EXT-X-DISCONTINUITY');
    if (!previous || previous.run !== segment.run) lines.push(`#EXT-X-MAP:URI="${prefix}${segment.initUri}"`);
    lines.push(`#EXTINF:${segment.durationSeconds.toFixed(3)},`, `${prefix}${segment.uri}`);
  });
  if (options.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** One rendition as a master playlist names it. */
export interface Variant {
  /** Its media playlist, relative to the master playlist. */
  uri: string;
  /** Peak bits per second. */
  bandwidth: number;
  /** RFC 6381 codec strings. */
  codecs: readonly string[];
  /** Absent for audio only. */
  resolution?: { width: number; height: number } | undefined;
}

/** The master playlist of a live stream with a rendition ladder; a player starts with the first variant. */
export function composeMasterPlaylist(variants: readonly Variant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const variant of variants) {
    const attributes = [`BANDWIDTH=${Math.max(1, Math.ceil(variant.bandwidth))}`];
    if (variant.resolution) attributes.push(`RESOLUTION=${variant.resolution.width}x${variant.resolution.height}`);
    if (variant.codecs.length > 0) attributes.push(`CODECS="${variant.codecs.join(',')}"`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, variant.uri);
  }
  return `${lines.join('\n')}\n`;
}

export function totalDurationSeconds(runs: readonly RunPlaylist[]): number {
  return runs.reduce((sum, run) => sum + run.segments.reduce((s, segment) => s + segment.durationSeconds, 0), 0);
}

/**
 * The whole segments of a recording that lie in [startSeconds, endSeconds), judged by their
 * midpoints, as runs of their own (runs with none left out). Clips are cut by choosing segments,
 * not by seeking: each segment starts on a keyframe, and FFmpeg 5.1 seeks unreliably in fMP4 HLS.
 */
export function segmentsBetween(runs: readonly RunPlaylist[], startSeconds: number, endSeconds: number): RunPlaylist[] {
  const chosen: RunPlaylist[] = [];
  let clock = 0;
  for (const run of runs) {
    const kept = run.segments.filter((segment) => {
      const middle = clock + segment.durationSeconds / 2;
      clock += segment.durationSeconds;
      return middle >= startSeconds && middle < endSeconds;
    });
    if (kept.length > 0) chosen.push({ ...run, segments: kept });
  }
  return chosen;
}
