// Glass-to-glass latency through the SFU: a publisher page draws the current time into each frame
// of a canvas as black and white blocks; a viewer page in the same browser reads the time back out
// of each frame it shows and subtracts it from the time the frame goes on screen. The same
// measurement with the publisher on WHIP and the viewer on WHEP is whip-whep-glass-to-glass.
import os from 'node:os';
import { callPage, launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { describeLayers, startChromiumPublisher } from './lib/media/chromium-publisher.ts';
import { machineBusyOver, machineBusyPercent, machineCpu } from './lib/media/cpu.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import type { PublishedLayer } from './lib/media/page/publisher.ts';
import type { ClockResult } from './lib/media/page/viewer.ts';
import { percentile, round1 } from './lib/media/percentiles.ts';
import { BenchError, type BenchContext, type BenchResult, type Cell } from './lib/types.ts';

export const summary =
  'glass-to-glass latency publisher canvas -> SFU -> viewer <video>, read from a clock drawn into each frame (--samples=300)';

const GOAL_MEDIAN_MS = 150;
const WARMUP_MS = 2000;
const SAMPLING_TIMEOUT_MS = 60_000;
const FPS = 30;

/** How the media travels: the studio's socket.io signaling both ways, or WHIP in and WHEP out. */
export type MediaPath = 'signaling' | 'whip-whep';

export default function run(ctx: BenchContext): Promise<BenchResult> {
  return measureGlassToGlass(ctx, 'signaling');
}

export async function measureGlassToGlass(ctx: BenchContext, via: MediaPath): Promise<BenchResult> {
  const samples = ctx.flags.integer('samples', 300, 30, 3000);
  const simulcast = ctx.flags.string('simulcast') === undefined ? true : ctx.flags.boolean('simulcast');
  const mediaWorkers = ctx.flags.integer('workers', os.availableParallelism(), 1, 16);

  const busyBefore = await machineBusyOver(3000);
  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  try {
    server = await startLiveServer(ctx, { mediaWorkers });
    browser = await launchMediaBrowser();
    const publisher = await startChromiumPublisher(
      browser,
      server,
      { video: 'clock', audio: false, simulcast, fps: FPS, via: via === 'whip-whep' ? 'whip' : 'signaling' },
      { layers: simulcast ? 3 : 1, deadlineMs: 30_000, settleMs: 1000 },
    );
    ctx.log(`publishing the clock: ${describeLayers(await publisher.layers())}`);
    const viewer = await browser.newPage();
    const first = await callPage(viewer.page, via === 'whip-whep' ? 'firstFrameWhep' : 'firstFrame', {
      serverUrl: server.url,
      channel: server.channel,
      timeoutMs: 10_000,
    });
    ctx.log(
      `viewer sees ${first.frameWidth}x${first.frameHeight} after ${Math.round(first.firstFrameMs)} ms; sampling`,
    );
    // Both pages' clocks against the one system clock: their difference is the skew to correct.
    const skewMs = (await callPage(publisher.page, 'clockOffsetMs')) - (await callPage(viewer.page, 'clockOffsetMs'));
    const layersBefore = await publisher.layers();
    const machineStart = machineCpu();
    const result = await callPage(viewer.page, 'readClock', {
      warmupMs: WARMUP_MS,
      samples,
      timeoutMs: SAMPLING_TIMEOUT_MS,
      skewMs,
    });
    const busyDuring = machineBusyPercent(machineStart, machineCpu());
    const layersAfter = await publisher.layers();
    await callPage(viewer.page, 'stopWatching');
    await viewer.context.close();
    await publisher.stop();
    if (result.samples.length < Math.min(samples, 30)) {
      throw new BenchError(
        `only ${result.samples.length} readable frames of ${result.framesPresented} presented (${result.unreadable} unreadable) in ${SAMPLING_TIMEOUT_MS / 1000} s`,
      );
    }
    return report(result, {
      via,
      samples,
      simulcast,
      mediaWorkers,
      skewMs,
      layersBefore,
      layersAfter,
      withoutWebRole: server.withoutWebRole,
      busyBefore,
      busyDuring,
    });
  } finally {
    await browser?.close();
    await server?.stop();
  }
}

interface RunInfo {
  via: MediaPath;
  samples: number;
  simulcast: boolean;
  mediaWorkers: number;
  skewMs: number;
  layersBefore: PublishedLayer[];
  layersAfter: PublishedLayer[];
  withoutWebRole: boolean;
  busyBefore: number | undefined;
  busyDuring: number | undefined;
}

function report(result: ClockResult, info: RunInfo): BenchResult {
  const latency = result.samples.map((s) => s.latencyMs);
  const presented = result.samples.map((s) => s.presentedLatencyMs);
  const widths = new Map<number, number>();
  for (const s of result.samples) widths.set(s.width, (widths.get(s.width) ?? 0) + 1);
  const mainWidth = [...widths].sort((a, b) => b[1] - a[1])[0]![0];
  const sentLayer = senderDelta(info.layersBefore, info.layersAfter, mainWidth);
  const rx = result.receiver;
  const perFrame = (total: number, count: number) => (count > 0 ? round1((total * 1000) / count) : 'n/a');
  const jitterMs = perFrame(rx.jitterBufferDelayS, rx.jitterBufferEmittedCount);
  const decodeMs = perFrame(rx.totalDecodeTimeS, rx.framesDecoded);
  const row = (label: string, values: number[]): Cell[] => [
    label,
    round1(percentile(values, 50)),
    round1(percentile(values, 90)),
    round1(percentile(values, 99)),
    round1(Math.min(...values)),
    round1(Math.max(...values)),
  ];
  const median = percentile(latency, 50);
  const parts = [sentLayer?.encodeMs, jitterMs, decodeMs];
  const residual = parts.every((p) => typeof p === 'number')
    ? median - (parts as number[]).reduce((a, b) => a + b, 0)
    : undefined;
  return {
    title:
      info.via === 'whip-whep'
        ? 'WHIP to WHEP: glass-to-glass latency on loopback'
        : 'SFU: glass-to-glass latency on loopback',
    method:
      `Starts the server (all roles, embedded database, ${info.mediaWorkers} mediasoup workers, loopback only) and a headless ` +
      `Chromium. A publisher page draws a 1280x720 canvas ${FPS} times a second (setInterval), each time with the current ` +
      `performance.timeOrigin + performance.now() in 0.1 ms units as 48 black/white 48 px blocks (32-bit time + 16-bit check, ` +
      `under an alternating sync row), and captures the frame right after drawing it (captureStream(0) + requestFrame, ` +
      `contentHint 'detail'); ` +
      (info.via === 'whip-whep'
        ? `it publishes over WHIP from a plain RTCPeerConnection (one POST with the complete offer, as OBS does), VP8 ` +
          `${info.simulcast ? "simulcast with the studio's camera layers (1/4, 1/2, full size; 150k/500k/1.5M; L1T3)" : 'single layer'}. ` +
          `A viewer page in another context (another renderer process) plays the channel over WHEP (one POST, recvonly video) ` +
          `into a muted 640x360 <video>; for every `
        : `it publishes with mediasoup-client, VP8 ` +
          `${info.simulcast ? 'simulcast r0/r1/r2 (1/4, 1/2, full size; 150k/500k/1.5M; L1T3) as the studio does' : 'single layer, 1.5M'}. ` +
          `A viewer page in another context (another renderer process) consumes the video into a muted 640x360 <video>; for every `) +
      `frame requestVideoFrameCallback reports, after a ${WARMUP_MS / 1000} s warm-up, it draws the frame scaled to 1280x720 on a ` +
      `canvas, reads the blocks (getImageData) and subtracts the time drawn in it from the frame's expectedDisplayTime (also from ` +
      `presentationTime, when the frame was handed to the compositor), until ${info.samples} frames were read. The two pages' ` +
      `high-resolution clocks are compared through Date.now() and the difference (${round1(info.skewMs)} ms) corrected.`,
    table: {
      columns: ['Measure (ms)', 'median', 'p90', 'p99', 'min', 'max'],
      rows: [
        row('glass-to-glass (drawn -> expected on screen)', latency),
        row('drawn -> handed to the compositor', presented),
      ],
    },
    goals: [
      {
        statement: `Median glass-to-glass latency under ${GOAL_MEDIAN_MS} ms on loopback`,
        passed: median < GOAL_MEDIAN_MS,
        measured: `median ${round1(median)} ms, p90 ${round1(percentile(latency, 90))} ms, p99 ${round1(percentile(latency, 99))} ms over ${latency.length} frames`,
      },
    ],
    notes: [
      `${latency.length} frames read, ${result.unreadable} of ${result.framesPresented} presented frames unreadable (skipped); ` +
        `received widths: ${[...widths].map(([w, n]) => `${w} px ×${n}`).join(', ')}.`,
      `Where the time goes, from WebRTC's own statistics: encode ` +
        `${sentLayer ? `${sentLayer.encodeMs} ms/frame and send queue ${sentLayer.sendDelayMs} ms/packet on the ${sentLayer.rid ?? 'single'} layer (over the sampling period)` : 'n/a'}; ` +
        `receiver jitter buffer ${jitterMs} ms/frame, decode ${decodeMs} ms/frame (since the viewer joined). Frames decoded ` +
        `${rx.framesDecoded}, dropped ${rx.framesDropped}; packets lost ${rx.packetsLost}, NACKs sent ${rx.nackCount}.`,
      typeof residual === 'number'
        ? `The median ${round1(median)} ms minus encode, jitter buffer and decode leaves ${round1(residual)} ms for everything else: ` +
          `waiting for the capture after the draw, packetization and pacing, loopback UDP both ways, the SFU (decrypt, route, ` +
          `encrypt: tens of microseconds per packet), frame assembly, and the compositor up to the display deadline (at 60 Hz ` +
          `up to 16.7 ms). The SFU's share is a small part of that remainder; the jitter buffer is the largest item WebRTC ` +
          `itself reports. A browser on a real network adds the network's delay and a bigger jitter buffer.`
        : 'The breakdown is incomplete: WebRTC did not report one of its parts.',
      `p99 ${round1(percentile(latency, 99))} ms against a ${round1(median)} ms median. ${
        rx.nackCount > 0 || rx.packetsLost > 0
          ? `Some frames waited for a retransmission (${rx.nackCount} NACKs, ${rx.packetsLost} packets lost); others for the CPU: `
          : 'No packet was lost or retransmitted, so the tail is scheduling: '
      }the publisher's encoder, the viewer's decoder and pattern reading, the SFU and this machine's other work share 2 cores, ` +
        `and a frame that misses one compositor deadline waits for the next. In headless Chromium the compositor runs without a ` +
        `real display, so expectedDisplayTime is its estimate of the next frame deadline.`,
      ...impossibleSamples(latency),
      `Publisher layers: ${describeLayers(info.layersAfter)}.`,
      `The machine was ${info.busyBefore === undefined ? 'n/a' : `${round1(info.busyBefore)}%`} busy (all cores) in the 3 s before ` +
        `the run, from other work, and ${info.busyDuring === undefined ? 'n/a' : `${round1(info.busyDuring)}%`} while the frames were ` +
        `sampled (publisher, viewer, SFU and whatever else runs here).`,
      ...(info.withoutWebRole
        ? ['web/dist was not built, so the server ran without the web role (the benchmark does not use the web app).']
        : []),
    ],
  };
}

/** Frames shown before they were drawn can only be errors of the method: say how many and how large. */
function impossibleSamples(latency: number[]): string[] {
  const negative = latency.filter((ms) => ms < 0);
  if (negative.length === 0) return [];
  return [
    `${negative.length} of ${latency.length} frames read a negative delay (down to ${round1(Math.min(...negative))} ms), which no frame can ` +
      `have: an error of the method of that size (the two pages' clocks are compared once, before sampling, and headless ` +
      `Chromium's expectedDisplayTime is an estimate), kept in the figures rather than filtered out.`,
  ];
}

/** Encode time per frame and send delay per packet over the sampling period, for the layer of this width. */
function senderDelta(before: PublishedLayer[], after: PublishedLayer[], width: number) {
  const end = after.find((l) => l.frameWidth === width) ?? after[after.length - 1];
  const start = end && before.find((l) => l.rid === end.rid);
  if (!end || !start) return undefined;
  const frames = end.framesEncoded - start.framesEncoded;
  const packets = end.packetsSent - start.packetsSent;
  return {
    rid: end.rid,
    encodeMs: frames > 0 ? round1(((end.totalEncodeTimeS - start.totalEncodeTimeS) * 1000) / frames) : 'n/a',
    sendDelayMs:
      packets > 0 ? round1(((end.totalPacketSendDelayS - start.totalPacketSendDelayS) * 1000) / packets) : 'n/a',
  };
}
