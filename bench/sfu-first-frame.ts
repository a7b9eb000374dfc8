// Time to first frame: how long a viewer who joins a live stream waits before the video shows.
// A headless Chromium page publishes like the studio does (fake camera, VP8 in three simulcast
// layers, plus the fake microphone); then, one after the other, K viewers each open a fresh browser
// context, join the channel and time the path from the join request to the first frame handed to
// the compositor.
import os from 'node:os';
import { callPage, launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { describeLayers, startChromiumPublisher } from './lib/media/chromium-publisher.ts';
import { OutsideCpuMeter, machineBusyOver } from './lib/media/cpu.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import type { FirstFrameTimings } from './lib/media/page/viewer.ts';
import { percentile, round1 } from './lib/media/percentiles.ts';
import { ms } from './lib/stats.ts';
import { BenchError, type BenchContext, type BenchResult, type Cell } from './lib/types.ts';

export const summary =
  "time from a viewer's join to its first video frame, Chromium publisher and viewers (--joins=20, --gap-ms=1000)";

const GOAL_MEDIAN_MS = 500;
/** A join that ran while other work took this much of all cores competed with it for CPU. */
const OUTSIDE_BUSY_PERCENT = 25;
const FRAME_TIMEOUT_MS = 10_000;
/** The sender ramps its bandwidth estimate up to the top layer within seconds on loopback. */
const PUBLISHER_READY_DEADLINE_MS = 30_000;
const PUBLISHER_SETTLE_MS = 2000;
/** Stops the run, whatever K is, so a stuck server can't hold the machine. */
const RUN_DEADLINE_MS = 10 * 60_000;

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const joins = ctx.flags.integer('joins', 20, 3, 200);
  const gapMs = ctx.flags.integer('gap-ms', 1000, 0, 10_000);
  const mediaWorkers = ctx.flags.integer('workers', os.availableParallelism(), 1, 16);
  const deadline = Date.now() + RUN_DEADLINE_MS;
  const busyBefore = await machineBusyOver(3000);

  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  try {
    server = await startLiveServer(ctx, { mediaWorkers });
    browser = await launchMediaBrowser();
    ctx.log(`server ${server.url}, channel ${server.channel}; publishing from Chromium's fake camera`);
    const publisher = await startChromiumPublisher(
      browser,
      server,
      { video: 'camera', audio: true, simulcast: true, fps: 30 },
      { layers: 3, deadlineMs: PUBLISHER_READY_DEADLINE_MS, settleMs: PUBLISHER_SETTLE_MS },
    );
    ctx.log(`publishing ${describeLayers(await publisher.layers())}`);

    const timings: FirstFrameTimings[] = [];
    /** How busy the machine was with work not ours while each join ran (all cores, 0-100). */
    const outsideDuringJoin: number[] = [];
    for (let i = 0; i < joins; i++) {
      if (Date.now() > deadline) throw new BenchError(`run deadline passed after ${i} of ${joins} joins`);
      const viewer = await browser.newPage();
      try {
        const outside = new OutsideCpuMeter();
        outside.start();
        const timing = await callPage(viewer.page, 'firstFrame', {
          serverUrl: server.url,
          channel: server.channel,
          timeoutMs: FRAME_TIMEOUT_MS,
        });
        timings.push(timing);
        outsideDuringJoin.push(outside.percent() ?? 0);
        ctx.log(
          `join ${i + 1}/${joins}: first frame after ${ms(timing.firstFrameMs)} ms (${timing.frameWidth}x${timing.frameHeight})`,
        );
        await callPage(viewer.page, 'stopWatching');
      } catch (error) {
        throw new BenchError(
          `viewer ${i + 1} failed: ${(error as Error).message}\nserver output:\n${server.outputTail()}`,
        );
      } finally {
        await viewer.context.close();
      }
      await sleep(gapMs);
    }
    const layers = describeLayers(await publisher.layers());
    await publisher.stop();
    return report(timings, {
      joins,
      gapMs,
      mediaWorkers,
      layers,
      withoutWebRole: server.withoutWebRole,
      busyBefore,
      outsideDuringJoin,
    });
  } finally {
    await browser?.close();
    await server?.stop();
  }
}

interface RunInfo {
  joins: number;
  gapMs: number;
  mediaWorkers: number;
  layers: string;
  withoutWebRole: boolean;
  busyBefore: number | undefined;
  outsideDuringJoin: number[];
}

function report(timings: FirstFrameTimings[], info: RunInfo): BenchResult {
  const steps: [string, (t: FirstFrameTimings) => number][] = [
    ['socket.io connect (before the join; not counted)', (t) => t.connectMs],
    ['join (round trip)', (t) => t.joinedMs],
    ['load the mediasoup-client Device (client only)', (t) => t.deviceLoadedMs - t.joinedMs],
    ['createTransport recv (round trip) + local transport', (t) => t.transportMs - t.deviceLoadedMs],
    ['consume (round trip) + local consumer (SDP)', (t) => t.consumedMs - t.transportMs],
    ['resumeConsumer (round trip)', (t) => t.resumedMs - t.consumedMs],
    ['resumed -> first frame presented', (t) => t.firstFrameMs - t.resumedMs],
    ['total: join request -> first frame', (t) => t.firstFrameMs],
  ];
  const stat = (pick: (t: FirstFrameTimings) => number) => {
    const values = timings.map(pick);
    return {
      median: percentile(values, 50),
      p90: percentile(values, 90),
      min: Math.min(...values),
      max: Math.max(...values),
    };
  };
  const rows = steps.map(([label, pick]): Cell[] => {
    const s = stat(pick);
    return [label, ms(s.median), ms(s.p90), ms(s.min), ms(s.max)];
  });
  const total = stat((t) => t.firstFrameMs);
  const roundTrips = stat(
    (t) =>
      t.joinedMs + (t.transportMs - t.deviceLoadedMs) + (t.consumedMs - t.transportMs) + (t.resumedMs - t.consumedMs),
  );
  const device = stat((t) => t.deviceLoadedMs - t.joinedMs);
  const media = stat((t) => t.firstFrameMs - t.resumedMs);
  const sizes = new Map<string, number>();
  for (const t of timings)
    sizes.set(`${t.frameWidth}x${t.frameHeight}`, (sizes.get(`${t.frameWidth}x${t.frameHeight}`) ?? 0) + 1);
  return {
    title: 'SFU: time to first frame for a joining viewer',
    method:
      `Starts the server (all roles, embedded database, ${info.mediaWorkers} mediasoup workers, loopback only) and makes a user, ` +
      `channel and stream key with the CLI. A headless Chromium page publishes with mediasoup-client as the studio does: ` +
      `Chromium's fake camera at 1280x720/30 fps, VP8 simulcast r0/r1/r2 (1/4, 1/2, full size; 150k/500k/1.5M; L1T3) and the fake ` +
      `microphone (Opus), then waits until all three layers are encoding, plus ${PUBLISHER_SETTLE_MS / 1000} s. Then ${info.joins} ` +
      `viewers join one after the other, ${info.gapMs} ms apart, each in a fresh browser context (its own renderer): connect ` +
      `socket.io (WebSocket), then, timed from the join request: join, load the device, create a recv transport, consume the ` +
      `video producer (the transport connects, ICE and DTLS, as the consumer is set up), attach the track to a muted autoplaying ` +
      `640x360 <video>, resumeConsumer, and wait for requestVideoFrameCallback: the first frame's presentationTime ends the ` +
      `timing. The viewer consumes video only. Each viewer leaves and its context closes before the next joins. Rows are the ` +
      `time each step took (the total is measured, not summed).`,
    table: { columns: ['Step', 'median ms', 'p90 ms', 'min ms', 'max ms'], rows },
    goals: [
      {
        statement: `Median time to first frame under ${GOAL_MEDIAN_MS} ms`,
        passed: total.median < GOAL_MEDIAN_MS,
        measured: `median ${ms(total.median)} ms, p90 ${ms(total.p90)} ms over ${timings.length} joins`,
      },
    ],
    notes: [
      `Where the median ${ms(total.median)} ms goes: the four signaling steps ${ms(roundTrips.median)} ms together (socket.io, the ` +
        `server's work: a room lookup, a WebRtcTransport, a Consumer on the worker, and for two of them the browser's local ` +
        `transport and consumer set-up), the Device load ` +
        `${ms(device.median)} ms (the browser probing its own codecs with a throwaway RTCPeerConnection: client work that a page could ` +
        `do before the user clicks), and ${ms(media.median)} ms from resume to the first frame. That last span holds ICE and ` +
        `DTLS finishing, the keyframe the SFU asks the publisher for when the consumer resumes (Chrome encodes one at its next ` +
        `frame, within 33 ms at 30 fps), its trip through the SFU, the jitter buffer and the decode.`,
      `Joins were ${info.gapMs} ms apart. The SFU forwards at most one keyframe request per SFU_KEYFRAME_REQUEST_DELAY_MS ` +
        `(500 ms by default) to the publisher: viewers who join within that time of each other share a keyframe or wait for ` +
        `the delayed request. --gap-ms=0 brings joins closer (still a few hundred ms apart, since each opens a fresh browser ` +
        `context) to look at that.`,
      `First frame sizes: ${[...sizes].map(([size, n]) => `${size} ×${n}`).join(', ')} (the simulcast layer the SFU started each viewer ` +
        `on). Publisher layers at the end: ${info.layers}.`,
      contention(timings, info),
      ...(info.withoutWebRole
        ? ['web/dist was not built, so the server ran without the web role (the benchmark does not use the web app).']
        : []),
    ],
  };
}

/** Whether the slow joins are the ones that ran while other work loaded the machine (it may be shared). */
function contention(timings: FirstFrameTimings[], info: RunInfo): string {
  const before = info.busyBefore === undefined ? 'n/a' : `${round1(info.busyBefore)}%`;
  const loaded = timings.filter((_, i) => (info.outsideDuringJoin[i] ?? 0) >= OUTSIDE_BUSY_PERCENT);
  const clear = timings.filter((_, i) => (info.outsideDuringJoin[i] ?? 0) < OUTSIDE_BUSY_PERCENT);
  const medianOf = (list: FirstFrameTimings[]) =>
    ms(
      percentile(
        list.map((t) => t.firstFrameMs),
        50,
      ),
    );
  const split =
    loaded.length === 0
      ? ` During the joins, work outside the benchmark never took ${OUTSIDE_BUSY_PERCENT}% of the cores.`
      : clear.length === 0
        ? ` Every join ran while work outside the benchmark took ${OUTSIDE_BUSY_PERCENT}%+ of the cores: all figures carry that contention.`
        : ` ${loaded.length} of ${timings.length} joins ran while work outside the benchmark took ${OUTSIDE_BUSY_PERCENT}%+ of the ` +
          `cores: their median ${medianOf(loaded)} ms, against ${medianOf(clear)} ms for the other ${clear.length}.`;
  return `The machine was ${before} busy (all cores) in the 3 s before the run, from other work.${split}`;
}

function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}
