// What one live stream's recording costs in CPU: the recorder's FFmpeg transcoding a VP8 publisher
// to H.264 (libx264 veryfast) against copying an H.264 publisher's video as it comes. A Chromium
// page publishes from its fake camera with mediasoup-client, first in VP8, then in H.264; for each,
// the server's FFmpeg run is found under the server's process and its CPU read from /proc.
import os from 'node:os';
import { launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { describeLayers, startChromiumPublisher, type ChromiumPublisher } from './lib/media/chromium-publisher.ts';
import { OutsideCpuMeter, descendantsCpuMs, machineBusyOver, processCpuMs } from './lib/media/cpu.ts';
import { countPictures, watchPlaylist } from './lib/media/hls-segments.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import type { PublishedLayer } from './lib/media/page/publisher.ts';
import { round1 } from './lib/media/percentiles.ts';
import { descendants, waitForNoDescendant, type ProcessInfo } from './lib/media/process-tree.ts';
import { BenchError, type BenchContext, type BenchResult, type Cell } from './lib/types.ts';

export const summary =
  "CPU of the recorder's FFmpeg per stream: VP8 publisher (transcoded by libx264) vs H.264 publisher (copied) (--seconds=30)";

type Codec = 'vp8' | 'h264';

const FPS = 30;
const RECORDING_DEADLINE_MS = 60_000;
/** After a stream ends the recorder remuxes the VOD and cuts a poster with short FFmpeg runs. */
const QUIET_DEADLINE_MS = 60_000;
const EXPECTED_MODE: Record<Codec, 'transcode' | 'copy'> = { vp8: 'transcode', h264: 'copy' };

interface Measurement {
  codec: Codec;
  mode: 'transcode' | 'copy';
  wallS: number;
  ffmpegCpuS: number;
  serverCpuS: number;
  workersCpuS: number;
  browserCpuS: number;
  /** Seconds of media the recorder listed in its playlist during the window. */
  recordedS: number;
  outsidePercent: number | undefined;
  layer: PublishedLayer | undefined;
  /** Video bitrate the publisher sent during the window, kbit/s. */
  sentKbps: number;
  ffmpegArgs: string;
  /** Frames of the window's last segment, and how many distinct pictures they show. */
  pictures: { frames: number; distinct: number } | undefined;
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const seconds = ctx.flags.integer('seconds', 30, 5, 600);
  const warmupSeconds = ctx.flags.integer('warmup', 5, 0, 60);
  const rounds = ctx.flags.integer('rounds', 1, 1, 5);
  const audio = ctx.flags.string('audio') === undefined ? true : ctx.flags.boolean('audio');
  const mediaWorkers = ctx.flags.integer('workers', os.availableParallelism(), 1, 16);

  const busyBefore = await machineBusyOver(3000);
  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  try {
    server = await startLiveServer(ctx, { mediaWorkers });
    const serverPid = server.pid;
    if (serverPid === undefined) throw new BenchError('the server has no pid');
    browser = await launchMediaBrowser();
    const measurements: Measurement[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const codec of ['vp8', 'h264'] as const) {
        await waitForNoFfmpeg(serverPid);
        ctx.log(`round ${round + 1}: publishing ${codec}`);
        measurements.push(await measure(ctx, browser, server, serverPid, { codec, audio, seconds, warmupSeconds }));
        const last = measurements.at(-1)!;
        ctx.log(`${codec}: ffmpeg ${round1((last.ffmpegCpuS / last.wallS) * 100)}% of a core (${last.mode})`);
      }
    }
    await waitForNoFfmpeg(serverPid);
    return report(measurements, {
      seconds,
      warmupSeconds,
      rounds,
      audio,
      mediaWorkers,
      busyBefore,
      loadAverage: os.loadavg(),
    });
  } finally {
    await browser?.close();
    await server?.stop();
  }
}

async function measure(
  ctx: BenchContext,
  browser: MediaBrowser,
  server: LiveServer,
  serverPid: number,
  options: { codec: Codec; audio: boolean; seconds: number; warmupSeconds: number },
): Promise<Measurement> {
  let publisher: ChromiumPublisher | undefined;
  try {
    // Single layer for both codecs, held at full size and rate, so both recordings get the same picture.
    publisher = await startChromiumPublisher(
      browser,
      server,
      { video: 'camera', audio: options.audio, simulcast: false, fps: FPS, codec: options.codec, steadySource: true },
      { layers: 1, deadlineMs: 30_000, settleMs: 0 },
    );
    const ffmpeg = await waitForRecording(server, serverPid);
    const mode = ffmpeg.cmdline.includes('libx264') ? 'transcode' : 'copy';
    if (mode !== EXPECTED_MODE[options.codec]) {
      throw new BenchError(`a ${options.codec} publisher was recorded in ${mode} mode: ${ffmpeg.cmdline}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.warmupSeconds * 1000));

    const watch = watchPlaylist(`${server.url}/hls/${encodeURIComponent(server.channel)}/index.m3u8`, 250);
    // The playlist's segments so far are not part of the window: let the first poll see them.
    while (watch.polls === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const alreadyListed = watch.segments.length;
    const layersBefore = await publisher.layers();
    const outside = new OutsideCpuMeter();
    outside.start();
    const start = cpuNow(serverPid, ffmpeg.pid);
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    const end = cpuNow(serverPid, ffmpeg.pid);
    const outsidePercent = outside.percent();
    const layersAfter = await publisher.layers();
    await watch.stop();
    if (start.ffmpegMs === undefined || end.ffmpegMs === undefined) {
      throw new BenchError(
        `the recorder's FFmpeg (pid ${ffmpeg.pid}) ended during the measurement:\n${server.outputTail()}`,
      );
    }
    const wallS = (end.at - start.at) / 1000;
    const lastSegment = watch.segments.at(-1);
    const pictures = lastSegment ? await countPictures(lastSegment) : undefined;
    const layer = layersAfter[0];
    const bytes = (layer?.bytesSent ?? 0) - (layersBefore[0]?.bytesSent ?? 0);
    ctx.log(`${options.codec}: ${describeLayers(layersAfter)}`);
    return {
      codec: options.codec,
      mode,
      wallS,
      ffmpegCpuS: (end.ffmpegMs - start.ffmpegMs) / 1000,
      serverCpuS: (end.serverMs - start.serverMs) / 1000,
      workersCpuS: (end.workersMs - start.workersMs) / 1000,
      browserCpuS: (end.browserMs - start.browserMs) / 1000,
      recordedS: watch.segments.slice(alreadyListed).reduce((sum, s) => sum + s.durationS, 0),
      outsidePercent,
      layer,
      sentKbps: (bytes * 8) / wallS / 1000,
      ffmpegArgs: ffmpeg.cmdline,
      pictures,
    };
  } finally {
    await publisher?.stop();
  }
}

function cpuNow(serverPid: number, ffmpegPid: number) {
  return {
    at: performance.now(),
    ffmpegMs: processCpuMs(ffmpegPid),
    serverMs: processCpuMs(serverPid) ?? 0,
    workersMs: descendantsCpuMs(serverPid, /^mediasoup-work/),
    browserMs: descendantsCpuMs(process.pid, /chrom/i),
  };
}

/** The live HLS FFmpeg run of the stream, once its playlist has a segment. */
async function waitForRecording(server: LiveServer, serverPid: number): Promise<ProcessInfo> {
  const playlistUrl = `${server.url}/hls/${encodeURIComponent(server.channel)}/index.m3u8`;
  const deadline = Date.now() + RECORDING_DEADLINE_MS;
  for (;;) {
    const runs = descendants(serverPid, /^ffmpeg$/).filter((p) => p.cmdline.includes(' -f hls '));
    const listed = await fetch(playlistUrl, { cache: 'no-store' }).then(
      (r) => r.ok,
      () => false,
    );
    if (runs.length === 1 && listed) return runs[0]!;
    if (runs.length > 1) throw new BenchError(`more than one live FFmpeg run: ${runs.map((r) => r.pid).join(', ')}`);
    if (Date.now() > deadline)
      throw new BenchError(
        `no live HLS from the recorder after ${RECORDING_DEADLINE_MS / 1000} s:\n${server.outputTail()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Until the previous stream's FFmpeg runs (live HLS, VOD remux, poster) are all gone. */
async function waitForNoFfmpeg(serverPid: number): Promise<void> {
  try {
    await waitForNoDescendant(serverPid, /^ffmpeg$/, QUIET_DEADLINE_MS);
  } catch {
    throw new BenchError(
      `the recorder's FFmpeg runs were still going ${QUIET_DEADLINE_MS / 1000} s after the stream ended`,
    );
  }
}

interface RunInfo {
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  audio: boolean;
  mediaWorkers: number;
  busyBefore: number | undefined;
  loadAverage: number[];
}

function report(measurements: Measurement[], info: RunInfo): BenchResult {
  const perSecond = (cpuS: number, wallS: number) => round1((cpuS / wallS) * 100);
  const rows: Cell[][] = measurements.map((m) => [
    `${m.codec === 'vp8' ? 'VP8 publisher' : 'H.264 publisher'}: ${m.mode}`,
    m.layer ? `${m.layer.frameWidth}x${m.layer.frameHeight} @ ${Math.round(m.layer.framesPerSecond)}` : 'n/a',
    Math.round(m.sentKbps),
    Math.round((m.ffmpegCpuS / m.wallS) * 100) / 100,
    perSecond(m.ffmpegCpuS, m.wallS),
    perSecond(m.serverCpuS, m.wallS),
    perSecond(m.workersCpuS, m.wallS),
    perSecond(m.browserCpuS, m.wallS),
    round1(m.recordedS / m.wallS),
    m.pictures ? `${m.pictures.distinct} / ${m.pictures.frames}` : 'n/a',
    m.outsidePercent === undefined ? 'n/a' : round1(m.outsidePercent),
  ]);
  const mean = (codec: Codec) => {
    const of = measurements.filter((m) => m.codec === codec);
    return of.reduce((sum, m) => sum + m.ffmpegCpuS, 0) / of.reduce((sum, m) => sum + m.wallS, 0);
  };
  const transcode = mean('vp8');
  const copy = mean('h264');
  return {
    title: 'Recorder: FFmpeg CPU per stream, copy vs transcode',
    method:
      `Starts the server (all roles, embedded database, ${info.mediaWorkers} mediasoup workers, loopback only, default recorder ` +
      `settings: 1 s fMP4 HLS segments). A headless Chromium page publishes with mediasoup-client from its fake camera (1280x720, ` +
      `${FPS} fps, a moving test pattern)${info.audio ? ' and fake microphone (Opus)' : ''}, one video layer held at full size and rate ` +
      `(degradationPreference maintain-framerate-and-resolution), first in VP8, then in H.264 (constrained baseline, Chromium's ` +
      `software encoder, chosen with mediasoup-client's codec option)${info.rounds > 1 ? `, ${info.rounds} rounds` : ''}. The recorder ` +
      `consumes each stream over plain RTP and starts FFmpeg: libx264 veryfast (zerolatency, 2.5 Mbit/s) for VP8, -c:v copy for ` +
      `H.264${info.audio ? ', with Opus to AAC 128k in both' : ''}. The benchmark finds that FFmpeg under the server's process ` +
      `(checking its arguments name the expected mode), waits until the live playlist has a segment plus ${info.warmupSeconds} s, then ` +
      `reads utime+stime from /proc/<pid>/stat at the start and the end of a ${info.seconds} s window: CPU seconds per second of stream. ` +
      `The same window gives the server's Node process, the mediasoup workers and every Chromium process (the publisher). Before ` +
      `each stream it waits until the previous one's FFmpeg runs (including the VOD remux and poster) are gone.`,
    table: {
      columns: [
        'Stream',
        'publisher video',
        'video kbit/s sent',
        'FFmpeg CPU s per s',
        'FFmpeg % of a core',
        'server Node %',
        'mediasoup workers %',
        'Chromium publisher %',
        'media s recorded per s',
        'distinct pictures / frames in a segment',
        'other work on the machine %',
      ],
      rows,
    },
    goals: [],
    notes: [
      `Transcoding costs ${round1(transcode * 100)}% of a core per stream, copying ${round1(copy * 100)}%` +
        (copy > 0 ? ` (${round1(transcode / copy)}× less for H.264)` : '') +
        `: on this ${os.availableParallelism()}-core machine about ${Math.floor(os.availableParallelism() / transcode)} transcoded or ` +
        `${copy > 0 ? Math.floor(os.availableParallelism() / copy) : 'n/a'} copied recordings would fill every core, before the SFU, the API and anything else.`,
      'Percentages are of one core (100% = one core busy all the time). "Media s recorded per s" is the length of the segments ' +
        'the live playlist gained during the window over the window: near 1 means FFmpeg kept up with real time. The last segment ' +
        'of each window is decoded to check the recording moves: libx264 coding frames as copies of a keyframe (which happens when ' +
        "FFmpeg takes the RTP input's frame rate to be 90k, see the HLS benchmark) would cost far less and record a still picture.",
      ...(measurements.some((m) => m.pictures && m.pictures.distinct < m.pictures.frames / 2)
        ? [
            'In this run a recording repeated pictures (see the table): its CPU figure is not what a moving picture costs.',
          ]
        : []),
      "Chromium's fake camera shows a simple moving test pattern that compresses easily; a real camera's noisier picture likely costs " +
        'libx264 more, so the transcode figure is a lower bound.',
      ...(info.audio
        ? [
            'Both FFmpeg figures include encoding the Opus audio to AAC. --audio=false leaves it out: a 20 s run of that on ' +
              '2026-12-03 (load about 1.5) gave 20.5% for transcoding and 0.6% for copying, so most of what copy mode costs is the audio.',
          ]
        : []),
      `Copy mode asks the publisher for a keyframe every segment (1 s): its cost falls on the publisher's encoder and bitrate, not ` +
        `the recorder. The server's Node process and the mediasoup workers carry the same RTP in both modes.`,
      `FFmpeg's arguments: ${[...new Set(measurements.map((m) => `${m.mode}: ${m.ffmpegArgs.replace(/\S*\/(input-\d+\.sdp|seg-|run-)\S*/g, '…')}`))].join('; ')}.`,
      `The machine was ${info.busyBefore === undefined ? 'n/a' : `${round1(info.busyBefore)}%`} busy (all cores) in the 3 s before the ` +
        `run; "other work" is the share of all cores used by processes outside this benchmark during each window (other jobs on the ` +
        `shared machine). Load average at the end ${info.loadAverage.map((l) => l.toFixed(2)).join(' / ')}.`,
    ],
  };
}
