// The report of bench/hls-glass-to-glass.ts: what each viewer of the channel page saw, the delay
// split at the moment each picture's segment was listed, and what would bring the delay down.
import type { BenchResult, Cell } from '../types.ts';
import type { SegmentClock } from './hls-segments.ts';
import type { HlsClockSample, HlsReadResult } from './page/hls-reader.ts';
import { percentile, round1 } from './percentiles.ts';

export const HLS_DELAY_GOAL_MS = 3000;

/** One channel page that watched the stream. */
export interface ViewerRun {
  read: HlsReadResult;
  /** When its page was opened, in seconds after the publisher started. */
  joinedAfterS: number;
  /** EXT-X-TARGETDURATION of the live playlist when the page was opened. */
  targetDurationAtJoin: number | undefined;
  /** From opening the page to its first HLS picture. */
  firstPictureMs: number;
  /** Publisher clock minus this page's clock. */
  skewMs: number;
  /** Busy share of all cores while it sampled, and the part of it outside the benchmark's processes. */
  busyDuring: number | undefined;
  outsideDuring: number | undefined;
}

export interface HlsRunInfo {
  seconds: number;
  warmupSeconds: number;
  fps: number;
  simulcast: boolean;
  audio: boolean;
  evenTimestamps: boolean;
  mediaWorkers: number;
  playerConfig: string;
  playlistPollMs: number;
  /** Streams dropped before the measured one because their recording stood still. */
  firstSegmentMs: number;
  targetDurations: number[];
  layers: string;
  busyBefore: number | undefined;
  loadAverage: number[];
}

/** A picture's delay, split where its segment appeared in the playlist. */
interface SplitSample {
  serverMs: number;
  playerMs: number;
}

function split(samples: readonly HlsClockSample[], clocks: readonly SegmentClock[]): SplitSample[] {
  const TOLERANCE_MS = 5;
  const found: SplitSample[] = [];
  for (const sample of samples) {
    const captured = sample.shownAtMs - sample.latencyMs;
    const holder = clocks.find(
      (c) =>
        c.capturedAtMs.length > 0 &&
        captured >= c.capturedAtMs[0]! - TOLERANCE_MS &&
        captured <= c.capturedAtMs.at(-1)! + TOLERANCE_MS,
    );
    if (holder)
      found.push({
        serverMs: holder.segment.listedAtMs - captured,
        playerMs: sample.shownAtMs - holder.segment.listedAtMs,
      });
  }
  return found;
}

/** The frames that show a picture for the first time: a repeated picture is not a newer moment arriving. */
function firstShowings(samples: readonly HlsClockSample[]): HlsClockSample[] {
  const seen = new Set<number>();
  return samples.filter((s) => !seen.has(s.picture) && seen.add(s.picture));
}

const median = (values: number[]) => (values.length > 0 ? percentile(values, 50) : undefined);

/** One viewer's figures, in ms. */
function viewerFigures(viewer: ViewerRun, clocks: readonly SegmentClock[]) {
  const fresh = firstShowings(viewer.read.samples);
  const splits = split(fresh, clocks);
  // hls.js's latency figure reads days for a moment now and then; no live player here is a minute behind.
  const behindReported = viewer.read.probes.filter((p) => p.behindEdgeS !== null).map((p) => p.behindEdgeS! * 1000);
  const behindEdge = behindReported.filter((ms) => ms < 60_000);
  const speeds = new Map<number, number>();
  for (const p of viewer.read.probes) speeds.set(p.playbackRate, (speeds.get(p.playbackRate) ?? 0) + 1);
  const widths = new Map<number, number>();
  for (const s of viewer.read.samples) widths.set(s.width, (widths.get(s.width) ?? 0) + 1);
  return {
    fresh,
    latency: fresh.map((s) => s.latencyMs),
    everyFrame: viewer.read.samples.map((s) => s.latencyMs),
    server: splits.map((s) => s.serverMs),
    player: splits.map((s) => s.playerMs),
    behindEdge,
    behindDropped: behindReported.length - behindEdge.length,
    buffered: viewer.read.probes.map((p) => p.bufferedS * 1000),
    speeds,
    widths,
  };
}

function row(label: string, values: number[]): Cell[] {
  if (values.length === 0) return [label, 'n/a', 'n/a', 'n/a', 'n/a', 0];
  return [
    label,
    Math.round(percentile(values, 50)),
    Math.round(percentile(values, 95)),
    Math.round(Math.min(...values)),
    Math.round(Math.max(...values)),
    values.length,
  ];
}

function viewerLabel(viewer: ViewerRun, index: number): string {
  return `viewer ${index + 1} (joined ${Math.round(viewer.joinedAfterS)} s in, TARGETDURATION ${viewer.targetDurationAtJoin ?? '?'})`;
}

export function reportHlsDelay(
  viewers: readonly ViewerRun[],
  clocks: readonly SegmentClock[],
  info: HlsRunInfo,
): BenchResult {
  const figures = viewers.map((v) => viewerFigures(v, clocks));
  const last = figures.at(-1)!;
  const lastViewer = viewers.at(-1)!;
  const decoded = clocks.filter((c) => c.capturedAtMs.length > 0);
  const framesInSegments = decoded.reduce((sum, c) => sum + c.frames, 0);
  const picturesInSegments = decoded.reduce(
    (sum, c) => sum + new Set(c.capturedAtMs.map((t) => Math.round(t * 10))).size,
    0,
  );
  const repeats = framesInSegments > 0 && picturesInSegments < framesInSegments * 0.5;
  const goalMedian = percentile(last.latency, 50);

  const rows: Cell[][] = [];
  viewers.forEach((viewer, i) => {
    const f = figures[i]!;
    rows.push(
      row(`${viewerLabel(viewer, i)}: drawn -> first expected on screen`, f.latency),
      row('  drawn -> its segment listed in the live playlist (server)', f.server),
      row('  segment listed -> picture on screen (player)', f.player),
      row('  hls.js: playhead behind the live edge (once a second)', f.behindEdge),
      row('  buffered ahead of the playhead (once a second)', f.buffered),
    );
    if (repeats) rows.push(row('  every presented frame, repeats included', f.everyFrame));
  });
  rows.push(
    row(
      'segment length (EXTINF)',
      decoded.map((c) => c.segment.durationS * 1000),
    ),
    row(
      "segment's first frame drawn -> segment listed",
      decoded.map((c) => c.segment.listedAtMs - c.capturedAtMs[0]!),
    ),
    row(
      "segment's last frame drawn -> segment listed",
      decoded.map((c) => c.segment.listedAtMs - c.capturedAtMs.at(-1)!),
    ),
  );

  const others = viewers
    .slice(0, -1)
    .map((v, i) => `${viewerLabel(v, i)}: median ${round1(percentile(figures[i]!.latency, 50) / 1000)} s`);
  return {
    title: 'HLS: glass-to-glass delay through the recorder and the channel page',
    method: method(info),
    table: { columns: ['Measure (ms)', 'median', 'p95', 'min', 'max', 'n'], rows },
    goals: [
      {
        statement: `Median HLS glass-to-glass delay at most ${HLS_DELAY_GOAL_MS / 1000} s for a viewer joining the running stream`,
        passed: goalMedian <= HLS_DELAY_GOAL_MS,
        measured:
          `${viewerLabel(lastViewer, viewers.length - 1)}: median ${round1(goalMedian / 1000)} s, p95 ${round1(percentile(last.latency, 95) / 1000)} s ` +
          `over ${last.latency.length} pictures in ${info.seconds} s` +
          (goalMedian > HLS_DELAY_GOAL_MS ? `, ${round1((goalMedian - HLS_DELAY_GOAL_MS) / 1000)} s over` : '') +
          (others.length > 0 ? `; ${others.join('; ')}` : ''),
      },
    ],
    notes: [
      ...viewers.map(
        (v, i) =>
          `${viewerLabel(v, i)}: ${v.read.samples.length} frames read (${figures[i]!.fresh.length} distinct pictures), ` +
          `${v.read.unreadable} of ${v.read.framesPresented} presented frames unreadable; received widths ` +
          `${[...figures[i]!.widths].map(([w, n]) => `${w} px ×${n}`).join(', ')}; the player dropped ${v.read.droppedFrames} of ` +
          `${v.read.totalFrames} frames; hls.js playback rate once a second: ${[...figures[i]!.speeds].map(([r, n]) => `${r}× ${n} times`).join(', ')}` +
          `${figures[i]!.behindDropped > 0 ? `; ${figures[i]!.behindDropped} distance-to-edge readings over a minute (momentary nonsense from hls.js) left out` : ''}; ` +
          `first picture ${round1(v.firstPictureMs / 1000)} s after opening the page.`,
      ),
      whereItGoes(
        viewers,
        figures.map((f) => median(f.behindEdge)),
        info,
      ),
      ...(median(last.server) !== undefined &&
      median(last.player) !== undefined &&
      median(last.behindEdge) !== undefined
        ? [
            whatWouldHelp(
              goalMedian,
              median(last.server)! / 1000,
              median(last.player)! / 1000,
              median(last.behindEdge)! / 1000,
            ),
          ]
        : ['No sampled picture could be matched to a decoded segment, so the delay is not split.']),
      `The ${decoded.length} decoded segments held ${framesInSegments} frames showing ${picturesInSegments} distinct pictures.` +
        (repeats ? ' This recording repeats pictures; the delays above count each picture when first shown.' : '') +
        ' ' +
        STILL_RECORDING,
      `The recorder listed its first segment ${round1(info.firstSegmentMs / 1000)} s after the publisher started.`,
      `Publisher: ${info.layers}. FFmpeg keeps the picture size a run starts with, so the recorder starts a new run when a higher ` +
        `simulcast layer arrives than its run started on: the recording follows the publisher's ramp-up.`,
      `The machine was ${fmtPercent(info.busyBefore)} busy (all cores) in the 3 s before the run; while sampling ` +
        viewers
          .map(
            (v, i) =>
              `viewer ${i + 1} ${fmtPercent(v.busyDuring)}, of which ${fmtPercent(v.outsideDuring)} outside this benchmark's processes`,
          )
          .join(', ') +
        ` (other jobs on the shared machine); load average at the end ${info.loadAverage.map((l) => l.toFixed(2)).join(' / ')}.`,
    ],
  };
}

function method(info: HlsRunInfo): string {
  return (
    `Starts the server (all roles including the web app, embedded database, ${info.mediaWorkers} mediasoup workers, loopback only, ` +
    `default recorder settings: 1 s HLS segments). A headless Chromium page publishes with mediasoup-client a 1280x720 canvas drawn ` +
    `${info.fps} times a second with the current time as black/white blocks (the clock of the SFU glass-to-glass benchmark), ` +
    (info.evenTimestamps
      ? `its frames stamped exactly 1/${info.fps} s apart as a camera's are (MediaStreamTrackGenerator; see the notes for why), `
      : 'its frames stamped with the moments they were drawn (--even-timestamps=false), ') +
    `VP8 ${info.simulcast ? 'simulcast r0/r1/r2 as the studio does' : 'single layer 1.5M'}${info.audio ? ' plus the fake microphone (Opus)' : ''}; ` +
    `the recorder consumes it over plain RTP and FFmpeg transcodes it to H.264 (libx264 veryfast, zerolatency) into live fMP4 HLS. ` +
    `The web app's channel page, served by the server, is opened with ?via=hls in another browser context a while after the ` +
    `publisher started (--join-after), as a viewer arriving at a running stream, and plays /hls/<slug>/index.m3u8 with its own ` +
    `hls.js player (${info.playerConfig}). After its first picture and a ${info.warmupSeconds} s warm-up, an injected script reads ` +
    `the time from every frame the page's <video> presents for ${info.seconds} s (requestVideoFrameCallback, drawn onto a canvas, ` +
    `blocks read) and subtracts it from the frame's expectedDisplayTime; the pages' clocks are compared through Date.now() and ` +
    `the difference corrected. The delay counts each picture when it is first shown. If the playlist's target duration changed ` +
    `while that viewer watched, a second page is opened afterwards and measured the same way, since hls.js picks its distance ` +
    `from the live edge when it starts. Meanwhile the benchmark polls the live playlist every ${info.playlistPollMs} ms and notes ` +
    `when each segment first appears; afterwards it decodes each segment (FFmpeg) and reads the time from every frame in it. ` +
    `That splits each picture's delay at the moment its segment was listed: before it the SFU, FFmpeg and the segmenter (a ` +
    `segment is listed only once complete), after it the player (playlist reload, download, the live hold-back, buffering, ` +
    `decode, display), to the ${info.playlistPollMs} ms of the poll. Needs the web app's test build (npm run build:web:test, ` +
    `which scripts/setup.sh --for-tests runs, or WEB_DIST_DIR set to a build).`
  );
}

function whereItGoes(viewers: readonly ViewerRun[], behind: (number | undefined)[], info: HlsRunInfo): string {
  return (
    `The playlist announced EXT-X-TARGETDURATION ${info.targetDurations.join(' -> ') || 'n/a'} over the stream: ` +
    `recorder/playlist.ts rounds the longest segment so far to the nearest second (it rounded up until 2026-12-03, when 1 s ` +
    `segments cut at 1.03 s made it 2 and the delay 4.4 s), so a segment over 1.5 s (a stall) raises it for the rest of the ` +
    `stream. hls.js aims at liveSyncDurationCount (2) × ` +
    `the target duration it saw when it started behind the live edge (the end of the newest listed segment): ` +
    viewers
      .map(
        (v, i) =>
          `viewer ${i + 1} started at ${v.targetDurationAtJoin ?? '?'}, so ${v.targetDurationAtJoin === undefined ? '?' : 2 * v.targetDurationAtJoin} s, and held ${behind[i] === undefined ? 'n/a' : `${round1(behind[i]! / 1000)} s`}`,
      )
      .join('; ') +
    '. Which of these a viewer gets depends on whether a long segment came before they joined: the longer a stream runs, the ' +
    'likelier the larger hold-back.'
  );
}

/**
 * The levers on the delay, with what each would give if the rest stayed as measured (seconds):
 * the player's share minus its hold-back is playlist reload, download and decode.
 */
function whatWouldHelp(medianMs: number, serverS: number, playerS: number, behindS: number): string {
  const rest = serverS + Math.max(0, playerS - behindS);
  const withHold = (holdS: number) => `about ${round1(rest + holdS)} s`;
  return (
    `${medianMs > HLS_DELAY_GOAL_MS ? `The goal is missed by ${round1((medianMs - HLS_DELAY_GOAL_MS) / 1000)} s. ` : ''}` +
    `For the last viewer the largest part is hls.js's hold-back behind the live edge (${round1(behindS)} s), then the segment ` +
    `length (a picture waits on average half a segment for its segment to close, plus about 0.2 s for FFmpeg and the write: ` +
    `${round1(serverS)} s together); FFmpeg's own buffering is small. What would bring it down further, not changed here: (1) ` +
    `web/src/media/hls-source.ts could set liveSyncDuration in seconds (e.g. 1.5) instead of ` +
    `liveSyncDurationCount, so the hold-back no longer follows the playlist's target duration, ${withHold(1.5)}, with less margin for a ` +
    `late segment; (2) the server's share shrinks only with shorter segments (HLS_SEGMENT_SECONDS takes whole seconds, 1 at ` +
    `least) or LL-HLS partial segments, which FFmpeg 5.1 cannot write.`
  );
}

const STILL_RECORDING =
  'Why the frames are stamped evenly: until recorder/ffmpeg-args.ts told libx264 its frame rate, uneven stamps made the ' +
  "recording stand still. FFmpeg took the RTP input's frame rate to be 90k (its log said '90k tbr'), libx264's rate " +
  'control budgeted bits for 90,000 frames a second and coded the frames between forced keyframes as copies: about one ' +
  'picture per segment (most of a dozen trial runs of this canvas stamped with its draw times). The recorder now passes ' +
  '-r 30 with -fps_mode passthrough and the input time base, and recorder/ffmpeg-args.test.ts records RTP with uneven ' +
  'stamps and counts distinct pictures. The even stamps stay so runs stay comparable.';

function fmtPercent(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${round1(value)}%`;
}
