// Glass-to-glass delay over HLS: a publisher page draws the current time into each frame (as the
// SFU benchmark does); the server's recorder turns the stream into live HLS with FFmpeg; the web
// app's own channel page, opened with ?via=hls, plays it with its hls.js player, and every frame it
// shows has its time read back out. The server's side is split off by polling the live playlist
// and decoding each segment, so the delay can be put down to the recorder or to the player.
import os from 'node:os';
import { callPage, launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { openChannelPage } from './lib/media/channel-page.ts';
import { describeLayers, startChromiumPublisher, type ChromiumPublisher } from './lib/media/chromium-publisher.ts';
import { OutsideCpuMeter, machineBusyOver, machineBusyPercent, machineCpu } from './lib/media/cpu.ts';
import { reportHlsDelay, type ViewerRun } from './lib/media/hls-delay-report.ts';
import { readSegmentClock, watchPlaylist, type PlaylistWatch, type SegmentClock } from './lib/media/hls-segments.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import { round1 } from './lib/media/percentiles.ts';
import { BenchError, type BenchContext, type BenchResult } from './lib/types.ts';

export const summary =
  'HLS glass-to-glass delay: publisher canvas clock -> recorder (FFmpeg live HLS) -> channel page hls.js player (--seconds=30, --join-after=20)';

const FPS = 30;
/** From going live to the first segments, and from opening the page to its first HLS picture. */
const FIRST_PICTURE_TIMEOUT_MS = 60_000;
const PLAYLIST_POLL_MS = 100;
/** Segments to wait for before checking that the recording moves (the recorder's first run restarts when the audio arrives). */
const SEGMENTS_BEFORE_CHECK = 3;
/** The page's player as web/src/media/hls-source.ts configures hls.js, for the report. */
const PLAYER_CONFIG =
  'liveSyncDurationCount 2, liveMaxLatencyDurationCount 6, lowLatencyMode on, maxLiveSyncPlaybackRate 1.2';

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const seconds = ctx.flags.integer('seconds', 30, 5, 300);
  const warmupSeconds = ctx.flags.integer('warmup', 10, 0, 120);
  const joinAfterSeconds = ctx.flags.integer('join-after', 20, 0, 300);
  const simulcast = ctx.flags.string('simulcast') === undefined ? true : ctx.flags.boolean('simulcast');
  const audio = ctx.flags.string('audio') === undefined ? true : ctx.flags.boolean('audio');
  const evenTimestamps =
    ctx.flags.string('even-timestamps') === undefined ? true : ctx.flags.boolean('even-timestamps');
  const mediaWorkers = ctx.flags.integer('workers', os.availableParallelism(), 1, 16);
  const ffmpegPath = process.env.FFMPEG_PATH || 'ffmpeg';

  const busyBefore = await machineBusyOver(3000);
  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  let stream: LiveStream | undefined;
  try {
    server = await startLiveServer(ctx, { mediaWorkers, requireWebApp: true });
    browser = await launchMediaBrowser();
    stream = await goLive(ctx, browser, server, { audio, simulcast, evenTimestamps });

    // A viewer usually arrives at a stream that has been going for a while, and hls.js picks its
    // distance from the live edge from the playlist's target duration when it starts (see the notes).
    const joinAt = stream.liveAt + joinAfterSeconds * 1000;
    if (Date.now() < joinAt) await new Promise((resolve) => setTimeout(resolve, joinAt - Date.now()));
    const viewers: ViewerRun[] = [await watchAsViewer(ctx, browser, server, stream, { seconds, warmupSeconds })];
    if (stream.watch.targetDurations.at(-1) !== viewers[0]!.targetDurationAtJoin) {
      ctx.log(
        `the target duration changed to ${stream.watch.targetDurations.at(-1)} while viewer 1 watched: a second viewer joins`,
      );
      viewers.push(await watchAsViewer(ctx, browser, server, stream, { seconds, warmupSeconds }));
    }
    const layers = await stream.publisher.layers();
    await stream.watch.stop();

    // The segments that hold the sampled frames: listed from a little before the first sampled
    // frame was drawn until the sampling ended.
    const samples = viewers.flatMap((v) => v.read.samples);
    const firstCapture = Math.min(...samples.map((s) => s.shownAtMs - s.latencyMs));
    const lastShown = Math.max(...samples.map((s) => s.shownAtMs));
    const wanted = stream.watch.segments.filter(
      (s) => s.listedAtMs >= firstCapture - 1000 && s.listedAtMs <= lastShown,
    );
    ctx.log(`decoding ${wanted.length} segments to find which frames they hold`);
    const publisherOffsetMs = await callPage(stream.publisher.page, 'clockOffsetMs');
    const clocks: SegmentClock[] = [];
    for (const segment of wanted) clocks.push(await readSegmentClock(segment, publisherOffsetMs, ffmpegPath));

    return reportHlsDelay(viewers, clocks, {
      seconds,
      warmupSeconds,
      fps: FPS,
      simulcast,
      audio,
      evenTimestamps,
      mediaWorkers,
      playerConfig: PLAYER_CONFIG,
      playlistPollMs: PLAYLIST_POLL_MS,
      firstSegmentMs: stream.firstSegmentMs,
      targetDurations: stream.watch.targetDurations,
      layers: describeLayers(layers),
      busyBefore,
      loadAverage: os.loadavg(),
    });
  } finally {
    await stream?.stop();
    await browser?.close();
    await server?.stop();
  }
}

/** Opens the channel page, waits for its HLS picture and the warm-up, reads the clock for `seconds`, closes it. */
async function watchAsViewer(
  ctx: BenchContext,
  browser: MediaBrowser,
  server: LiveServer,
  stream: LiveStream,
  options: { seconds: number; warmupSeconds: number },
): Promise<ViewerRun> {
  const targetDurationAtJoin = stream.watch.targetDurations.at(-1);
  const openedAt = Date.now();
  const page = await openChannelPage(browser, server.url, server.channel, 'hls');
  try {
    const picture = await page.call('waitForHlsPicture', FIRST_PICTURE_TIMEOUT_MS);
    const firstPictureMs = Date.now() - openedAt;
    ctx.log(
      `the channel page shows ${picture.width}x${picture.height} over HLS ${round1(firstPictureMs / 1000)} s after opening; warming up ${options.warmupSeconds} s`,
    );
    await new Promise((resolve) => setTimeout(resolve, options.warmupSeconds * 1000));
    const skewMs = (await callPage(stream.publisher.page, 'clockOffsetMs')) - (await page.call('clockOffsetMs'));
    const machineStart = machineCpu();
    const outside = new OutsideCpuMeter();
    outside.start();
    ctx.log(`sampling for ${options.seconds} s`);
    const read = await page.call('readHlsClock', { durationMs: options.seconds * 1000, skewMs });
    const busyDuring = machineBusyPercent(machineStart, machineCpu());
    const outsideDuring = outside.percent();
    if (read.via !== 'hls') throw new BenchError(`the channel page played via ${read.via ?? 'nothing'}, not HLS`);
    if (read.samples.length < options.seconds * 2) {
      const probes = read.probes
        .map((p) => `${p.behindEdgeS?.toFixed(1) ?? '?'}/${p.bufferedS.toFixed(1)}/${p.playbackRate}`)
        .join(' ');
      throw new BenchError(
        `only ${read.samples.length} readable frames of ${read.framesPresented} presented (${read.unreadable} unreadable) in ${options.seconds} s; ` +
          `the player once a second (behind edge s / buffered s / rate): ${probes}; load average ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }
    return {
      read,
      joinedAfterS: (openedAt - stream.liveAt) / 1000,
      targetDurationAtJoin,
      firstPictureMs,
      skewMs,
      busyDuring,
      outsideDuring,
    };
  } finally {
    await page.close();
  }
}

interface LiveStream {
  publisher: ChromiumPublisher;
  /** The live playlist, watched from the moment the publisher started. */
  watch: PlaylistWatch;
  /** Date.now() when publishing started. */
  liveAt: number;
  /** From starting to publish to the recorder's first listed segment. */
  firstSegmentMs: number;
  /** Stops watching and publishing; safe to call twice. */
  stop(): Promise<void>;
}

/** Publishes the clock and returns once the recorder has listed SEGMENTS_BEFORE_CHECK segments. */
async function goLive(
  ctx: BenchContext,
  browser: MediaBrowser,
  server: LiveServer,
  options: { audio: boolean; simulcast: boolean; evenTimestamps: boolean },
): Promise<LiveStream> {
  const liveAt = Date.now();
  const publisher = await startChromiumPublisher(
    browser,
    server,
    {
      video: 'clock',
      audio: options.audio,
      simulcast: options.simulcast,
      fps: FPS,
      evenTimestamps: options.evenTimestamps,
    },
    { layers: options.simulcast ? 3 : 1, deadlineMs: 30_000, settleMs: 0 },
  );
  const watch = watchPlaylist(`${server.url}/hls/${encodeURIComponent(server.channel)}/index.m3u8`, PLAYLIST_POLL_MS);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await watch.stop();
      await publisher.stop();
    })());
  try {
    ctx.log(`publishing the clock: ${describeLayers(await publisher.layers())}`);
    const deadline = Date.now() + FIRST_PICTURE_TIMEOUT_MS;
    while (watch.segments.length < SEGMENTS_BEFORE_CHECK) {
      if (Date.now() > deadline)
        throw new BenchError(
          `the recorder listed ${watch.segments.length} segments in ${FIRST_PICTURE_TIMEOUT_MS / 1000} s:\n${server.outputTail()}`,
        );
      await new Promise((resolve) => setTimeout(resolve, PLAYLIST_POLL_MS));
    }
    return { publisher, watch, liveAt, firstSegmentMs: watch.segments[0]!.listedAtMs - liveAt, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
