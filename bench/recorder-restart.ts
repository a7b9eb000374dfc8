// The README promises: "If FFmpeg dies mid-stream it is restarted within a second; the playlist and
// the VOD carry on after a discontinuity and nothing already written is lost." This kills the
// recorder's FFmpeg (SIGKILL) several times during one live stream and measures each restart: when
// the new FFmpeg process appears, when the server has fed it (consumers resumed, keyframe asked
// for), when its first segment is listed, and how much of the stream the recording misses at the
// join (read from the clock drawn into the frames on either side). At the end the stream becomes a
// VOD, which must hold every segment that was ever listed live.
import os from 'node:os';
import { callPage, launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { describeLayers, startChromiumPublisher, type ChromiumPublisher } from './lib/media/chromium-publisher.ts';
import { readSegmentClock, watchPlaylist, type ListedSegment, type PlaylistWatch } from './lib/media/hls-segments.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import { percentile } from './lib/media/percentiles.ts';
import { descendants, type ProcessInfo } from './lib/media/process-tree.ts';
import { FlagError } from './lib/flags.ts';
import { BenchError, type BenchContext, type BenchResult, type Cell } from './lib/types.ts';

export const summary =
  "kills the recorder's FFmpeg mid-stream and times each restart against the README's 'within a second' (--kills=5)";

/** The README's promise. */
const GOAL_RESTART_MS = 1000;
const FPS = 30;
const RECORDING_DEADLINE_MS = 60_000;
/** A restart that has not happened by then is a failure, not a slow restart. */
const RESTART_DEADLINE_MS = 20_000;
const VOD_DEADLINE_MS = 60_000;
const POLL_MS = 10;

interface Restart {
  kill: number;
  /** The run killed, and the run that replaced it. */
  run: number;
  nextRun: number;
  /** From the kill, ms: the server saw FFmpeg exit; the next FFmpeg process exists; it is fed; its first segment is listed. */
  exitSeenMs: number | undefined;
  spawnedMs: number;
  fedMs: number | undefined;
  firstSegmentMs: number;
  /** Stream time between the last picture of the killed run and the first of the next, minus one frame. */
  missingMediaMs: number | undefined;
  /** Segments of the killed run listed live before the kill. */
  segmentsBefore: number;
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const kills = ctx.flags.integer('kills', 5, 1, 20);
  const between = ctx.flags.integer('segments-between', 3, 1, 30);
  const codec = ctx.flags.string('codec') ?? 'vp8';
  if (codec !== 'vp8' && codec !== 'h264') throw new FlagError(`--codec is vp8 or h264, got '${codec}'`);
  const mediaWorkers = ctx.flags.integer('workers', os.availableParallelism(), 1, 16);

  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  let publisher: ChromiumPublisher | undefined;
  let watch: PlaylistWatch | undefined;
  try {
    // 'info': the server logs when it saw FFmpeg exit and when the next run was fed. Only the
    // recorder's lines are kept: at info it also logs every playlist request.
    const log: LogLine[] = [];
    server = await startLiveServer(ctx, {
      mediaWorkers,
      logLevel: 'info',
      onLine: (line) => keepRecorderLine(line, log),
    });
    const serverPid = server.pid;
    if (serverPid === undefined) throw new BenchError('the server has no pid');
    browser = await launchMediaBrowser();
    // One layer: with simulcast the recorder also starts a new run when a higher layer arrives,
    // which would mix its own restarts with the ones this benchmark causes.
    publisher = await startChromiumPublisher(
      browser,
      server,
      { video: 'clock', audio: true, simulcast: false, fps: FPS, steadySource: true, evenTimestamps: true, codec },
      { layers: 1, deadlineMs: 30_000, settleMs: 0 },
    );
    ctx.log(`publishing ${describeLayers(await publisher.layers())}`);
    const publisherOffsetMs = await callPage(publisher.page, 'clockOffsetMs');
    watch = watchPlaylist(`${server.url}/hls/${encodeURIComponent(server.channel)}/index.m3u8`, 100);
    let ffmpeg = await settledRun(server, serverPid, watch, between);

    const restarts: Restart[] = [];
    for (let kill = 1; kill <= kills; kill++) {
      const runKilled = runOf(ffmpeg);
      const segmentsBefore = segmentsOfRun(watch, runKilled).length;
      process.kill(ffmpeg.pid, 'SIGKILL');
      const killedAt = Date.now();
      const next = await waitForRun(server, serverPid, runKilled + 1, RESTART_DEADLINE_MS);
      const spawnedMs = Date.now() - killedAt;
      await waitForSegments(watch, runKilled + 1, 1, RESTART_DEADLINE_MS, server);
      const firstNew = segmentsOfRun(watch, runKilled + 1)[0]!;
      const exitSeen = log.find((line) => line.msg === 'ffmpeg exited; restarting' && line.run === runKilled);
      const fed = log.find((line) => line.msg === 'recording run started' && line.run === runKilled + 1);
      const lastOld = segmentsOfRun(watch, runKilled).at(-1);
      const restart: Restart = {
        kill,
        run: runKilled,
        nextRun: runKilled + 1,
        exitSeenMs: exitSeen ? exitSeen.time - killedAt : undefined,
        spawnedMs,
        fedMs: fed ? fed.time - killedAt : undefined,
        firstSegmentMs: firstNew.listedAtMs - killedAt,
        missingMediaMs: lastOld ? await missingMedia(lastOld, firstNew, publisherOffsetMs) : undefined,
        segmentsBefore,
      };
      restarts.push(restart);
      ctx.log(
        `kill ${kill}: run ${restart.run} -> ${restart.nextRun}, new FFmpeg after ${restart.spawnedMs} ms, fed after ` +
          `${restart.fedMs ?? 'n/a'} ms, first segment after ${restart.firstSegmentMs} ms, ` +
          `${restart.missingMediaMs === undefined ? 'n/a' : Math.round(restart.missingMediaMs)} ms of the stream missing`,
      );
      ffmpeg = next;
      if (kill < kills) {
        await waitForSegments(watch, runKilled + 1, between, RECORDING_DEADLINE_MS, server);
        const current = await settledRun(server, serverPid, watch, between);
        if (current.pid !== next.pid)
          throw new BenchError(`run ${runKilled + 1} was replaced by run ${runOf(current)} without a kill`);
      }
    }

    await watch.stop();
    const listedLive = watch.segments.map((s) => s.uri.split('/').at(-1)!);
    await publisher.stop();
    const vodSegments = await vodSegmentNames(server, VOD_DEADLINE_MS);
    const lost = listedLive.filter((name) => !vodSegments.has(name));
    return report(restarts, {
      kills,
      between,
      codec,
      mediaWorkers,
      listedLive: listedLive.length,
      lost,
      withoutWebRole: server.withoutWebRole,
    });
  } finally {
    await watch?.stop();
    await publisher?.stop();
    await browser?.close();
    await server?.stop();
  }
}

function runOf(ffmpeg: ProcessInfo): number {
  const run = Number(/run-(\d+)\.m3u8/.exec(ffmpeg.cmdline)?.[1]);
  if (!Number.isInteger(run)) throw new BenchError(`cannot tell the run of FFmpeg ${ffmpeg.pid}: ${ffmpeg.cmdline}`);
  return run;
}

/**
 * The live FFmpeg once its run has listed `segments` segments. The first runs of a stream may be
 * short: the recorder starts a new run when a producer joins (the microphone after the camera).
 */
async function settledRun(
  server: LiveServer,
  serverPid: number,
  watch: PlaylistWatch,
  segments: number,
): Promise<ProcessInfo> {
  const deadline = Date.now() + RECORDING_DEADLINE_MS;
  for (;;) {
    const live = descendants(serverPid, /^ffmpeg$/)
      .filter((p) => p.cmdline.includes(' -f hls '))
      .sort((a, b) => runOf(b) - runOf(a))[0];
    if (live && segmentsOfRun(watch, runOf(live)).length >= segments) return live;
    if (Date.now() > deadline)
      throw new BenchError(
        `no recording run listed ${segments} segments within ${RECORDING_DEADLINE_MS / 1000} s:\n${server.outputTail()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls /proc every POLL_MS for the live FFmpeg of run `run` under the server. */
async function waitForRun(
  server: LiveServer,
  serverPid: number,
  run: number,
  deadlineMs: number,
): Promise<ProcessInfo> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = descendants(serverPid, /^ffmpeg$/).find(
      (p) => p.cmdline.includes(' -f hls ') && p.cmdline.includes(`/run-${run}.m3u8`),
    );
    if (found) return found;
    if (Date.now() > deadline)
      throw new BenchError(`no FFmpeg for run ${run} after ${deadlineMs / 1000} s:\n${server.outputTail()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function segmentsOfRun(watch: PlaylistWatch, run: number): ListedSegment[] {
  return watch.segments.filter((s) => s.uri.split('/').at(-1)!.startsWith(`seg-${run}-`));
}

async function waitForSegments(
  watch: PlaylistWatch,
  run: number,
  count: number,
  deadlineMs: number,
  server: LiveServer,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (segmentsOfRun(watch, run).length < count) {
    if (Date.now() > deadline)
      throw new BenchError(
        `run ${run} listed ${segmentsOfRun(watch, run).length} of ${count} segments in ${deadlineMs / 1000} s:\n${server.outputTail()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface LogLine {
  msg?: string;
  run?: number;
  time: number;
}

/** Keeps the recorder's run lines of the server's JSON log (LOG_PRETTY=false). */
function keepRecorderLine(text: string, into: LogLine[]): void {
  if (!text.includes('"run"')) return;
  try {
    const line = JSON.parse(text) as Partial<LogLine>;
    if (typeof line.time === 'number' && typeof line.run === 'number') into.push(line as LogLine);
  } catch {
    // not a JSON line
  }
}

/** Stream time the recording lacks between the killed run's last listed picture and the next run's first. */
async function missingMedia(
  lastOld: ListedSegment,
  firstNew: ListedSegment,
  publisherOffsetMs: number,
): Promise<number | undefined> {
  const [before, after] = await Promise.all([
    readSegmentClock(lastOld, publisherOffsetMs),
    readSegmentClock(firstNew, publisherOffsetMs),
  ]);
  const lastPicture = before.capturedAtMs.at(-1);
  const firstPicture = after.capturedAtMs[0];
  if (lastPicture === undefined || firstPicture === undefined) return undefined;
  return Math.max(0, firstPicture - lastPicture - 1000 / FPS);
}

/** The segment file names of the channel's newest VOD, once it exists. */
async function vodSegmentNames(server: LiveServer, deadlineMs: number): Promise<Set<string>> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const page = (await fetch(`${server.url}/api/v1/channels/${encodeURIComponent(server.channel)}/vods`).then((r) =>
      r.ok ? r.json() : undefined,
    )) as { items?: { playlistUrl: string }[] } | undefined;
    const vod = page?.items?.[0];
    if (vod) {
      const playlist = await (await fetch(`${server.url}${vod.playlistUrl}`)).text();
      return new Set(
        playlist
          .split('\n')
          .filter((line) => line.trim().endsWith('.m4s'))
          .map((line) => line.trim().split('/').at(-1)!),
      );
    }
    if (Date.now() > deadline)
      throw new BenchError(`no VOD ${deadlineMs / 1000} s after the stream ended:\n${server.outputTail()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface RunInfo {
  kills: number;
  between: number;
  codec: string;
  mediaWorkers: number;
  listedLive: number;
  lost: string[];
  withoutWebRole: boolean;
}

function report(restarts: Restart[], info: RunInfo): BenchResult {
  const ms = (value: number | undefined): Cell => (value === undefined ? 'n/a' : Math.round(value));
  // Restarted = fed: a new FFmpeg process records nothing until the server resumes its consumers.
  const restartMs = restarts.map((r) => r.fedMs ?? Number.POSITIVE_INFINITY);
  const stat = (values: number[]) =>
    `median ${Math.round(percentile(values, 50))} ms, worst ${Math.round(Math.max(...values))} ms`;
  const missing = restarts.flatMap((r) => (r.missingMediaMs === undefined ? [] : [r.missingMediaMs]));
  const unlogged = restarts.filter((r) => r.fedMs === undefined).length;
  return {
    title: "Recorder: FFmpeg restart after it dies mid-stream (the README's 'within a second')",
    method:
      `Starts the server (all roles, embedded database, ${info.mediaWorkers} mediasoup workers, loopback only, default ` +
      `recorder settings: 1 s segments, ${info.codec === 'vp8' ? 'VP8 transcoded by libx264' : 'H.264 copied'}, audio to AAC). ` +
      `A headless Chromium page publishes with mediasoup-client one ${info.codec.toUpperCase()} layer of a 1280x720 canvas ` +
      `drawn ${FPS} times a second with the current time as black/white blocks (frames stamped 1/${FPS} s apart, as a ` +
      `camera's) and its fake microphone; one layer, because with simulcast the recorder also starts a new run when a ` +
      `higher layer arrives. Once the recording has ${info.between} segments, the benchmark kills the recorder's FFmpeg ` +
      `(SIGKILL, found under the server's process by its run's playlist name), ${info.kills} times, each once the new run ` +
      `has listed ${info.between} segments. For each kill, from the moment of the kill: when the server saw FFmpeg exit ` +
      `and when it had fed the next run (its consumers resumed and a keyframe asked for: the 'recording run started' log ` +
      `line's time), when the next FFmpeg process appeared (/proc polled every ${POLL_MS} ms), when its first segment ` +
      `was listed in the live playlist (polled every 100 ms); and the stream time missing from the recording at the ` +
      `join: the clock read from the last frame of the killed run's last listed segment and the first frame of the next ` +
      `run's first segment, minus one frame interval. Then the stream ends and its VOD's playlist is compared with every ` +
      `segment the live playlist ever listed.`,
    table: {
      columns: [
        'Kill',
        'Run killed -> next',
        'ms: server saw the exit',
        'ms: next FFmpeg process',
        'ms: next run fed (restarted)',
        'ms: its first segment listed',
        'Stream time missing at the join (ms)',
        'Segments of the killed run listed',
      ],
      rows: restarts.map((r): Cell[] => [
        r.kill,
        `${r.run} -> ${r.nextRun}`,
        ms(r.exitSeenMs),
        ms(r.spawnedMs),
        ms(r.fedMs),
        ms(r.firstSegmentMs),
        ms(r.missingMediaMs),
        r.segmentsBefore,
      ]),
    },
    goals: [
      {
        statement: `If FFmpeg dies mid-stream it is restarted within a second (README): every kill's next run fed within ${GOAL_RESTART_MS} ms`,
        passed: restartMs.every((value) => value <= GOAL_RESTART_MS),
        measured:
          `${stat(restartMs.filter(Number.isFinite))} over ${restarts.length} kills` +
          (unlogged > 0 ? `; ${unlogged} restart(s) not seen in the server's log` : ''),
      },
      {
        statement: 'Nothing already written is lost (README): the VOD holds every segment ever listed live',
        passed: info.lost.length === 0,
        measured: `${info.listedLive - info.lost.length} of ${info.listedLive} listed segments in the VOD${
          info.lost.length > 0 ? `; missing: ${info.lost.slice(0, 5).join(', ')}` : ''
        }`,
      },
    ],
    notes: [
      `"Restarted" is when the next run is fed, not when its process starts: an FFmpeg records nothing until the server ` +
        `resumes the consumers that send it media, which it does once FFmpeg holds its RTP ports (at most 2 s). The server ` +
        `waits FFMPEG_RESTART_DELAY_MS (500 ms, platform/recorder-role.ts) after an exit before starting the next run, so a ` +
        `crash loop can't spin: that delay is most of each restart.`,
      missing.length > 0
        ? `Stream time missing at the join: ${stat(missing)}. It is more than the restart: the killed FFmpeg's open ` +
          `segment (up to a segment, 1 s, of media it had received but not yet written) dies with it, and the next run begins at ` +
          `the first keyframe it gets. What was written stays (second goal).`
        : 'The missing stream time could not be read from the frames.',
      `The first segment of the next run is listed about a segment after the run is fed: FFmpeg lists a segment once it is complete.`,
      ...(info.withoutWebRole
        ? [
            'The web app was not built, so the server ran without the web role (the benchmark does not use the web app).',
          ]
        : []),
    ],
  };
}
