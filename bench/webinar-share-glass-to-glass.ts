// Glass-to-glass delay of a webinar's screen share: the host's "screen" is a canvas that carries the
// time it was drawn at (sfu-glass-to-glass's clock pattern), shared from the webinar's page of the
// web app as a host shares one; an attendee, the web app's own webinar page in another browser
// context, shows it as the main share, and every frame its <video> presents is read back and
// subtracted from the time it goes on screen.
import os from 'node:os';
import { launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { machineBusyOver, machineBusyPercent, machineCpu } from './lib/media/cpu.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import type { ClockResult } from './lib/media/page/viewer.ts';
import { percentile, round1 } from './lib/media/percentiles.ts';
import { callProbe, installStageProbe, type OutboundStream, type PageTraffic } from './lib/media/stage-probe.ts';
import { hostWebinar } from './lib/media/webinar-host.ts';
import { BenchError, type BenchContext, type BenchResult, type Cell } from './lib/types.ts';

export const summary =
  "glass-to-glass delay of a webinar host's screen share to an attendee's webinar page, read from a clock drawn into the share (--samples=300, --fps=15)";

const GOAL_MEDIAN_MS = 150;
const SAMPLING_TIMEOUT_MS = 60_000;
const TOP_LAYER_DEADLINE_MS = 20_000;
/** Above this share of all cores busy while sampling, the machine itself delays frames. */
const BUSY_PERCENT = 80;
/** Roles without the recorder, for --recorder=false. */
const ROLES_WITHOUT_RECORDER = 'api,signaling,sfu,web';

interface Settings {
  samples: number;
  fps: number;
  width: number;
  height: number;
  warmupMs: number;
  recorder: boolean;
  mediaWorkers: number;
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const height = ctx.flags.integer('height', 1080, 360, 1080);
  const settings: Settings = {
    samples: ctx.flags.integer('samples', 300, 30, 3000),
    fps: ctx.flags.integer('fps', 15, 5, 30),
    width: Math.round((height * 16) / 9),
    height,
    warmupMs: ctx.flags.integer('warmup-s', 5, 1, 60) * 1000,
    recorder: ctx.flags.string('recorder') === undefined ? true : ctx.flags.boolean('recorder'),
    mediaWorkers: ctx.flags.integer('workers', os.availableParallelism(), 1, 16),
  };
  const busyBefore = await machineBusyOver(3000);
  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  try {
    server = await startLiveServer(ctx, {
      mediaWorkers: settings.mediaWorkers,
      requireWebApp: true,
      ...(!settings.recorder && { env: { ROLES: ROLES_WITHOUT_RECORDER } }),
    });
    browser = await launchMediaBrowser();
    const hostContext = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const clockScreen = { width: settings.width, height: settings.height, fps: settings.fps };
    const { id, host } = await hostWebinar(ctx, hostContext, server, {
      screen: () => installStageProbe(hostContext, { clockScreen }),
    });

    const attendeeContext = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await installStageProbe(attendeeContext);
    const attendee = await attendeeContext.newPage();
    await attendee.goto(`${server.url}/webinars/${id}`);
    const first = await callProbe(attendee, 'watchMainShare', 30_000);
    ctx.log(`the attendee shows the share at ${first.width}x${first.height}; waiting for its top layer`);
    const topLayer = await attendee
      .waitForFunction(
        (width) => (document.querySelector<HTMLVideoElement>('[data-role="main"] video')?.videoWidth ?? 0) >= width,
        settings.width,
        { timeout: TOP_LAYER_DEADLINE_MS, polling: 250 },
      )
      .then(
        () => true,
        () => false,
      );
    if (!topLayer) ctx.log(`the share's top layer did not reach the attendee in ${TOP_LAYER_DEADLINE_MS / 1000} s`);

    // Both pages' clocks against the one system clock: their difference is the skew to correct.
    const skewMs = (await callProbe(host, 'clockOffsetMs')) - (await callProbe(attendee, 'clockOffsetMs'));
    const sentBefore = await callProbe(host, 'traffic');
    const machineStart = machineCpu();
    ctx.log(`sampling ${settings.samples} frames`);
    const result = await callProbe(attendee, 'readClock', {
      warmupMs: settings.warmupMs,
      samples: settings.samples,
      timeoutMs: SAMPLING_TIMEOUT_MS,
      skewMs,
    });
    const busyDuring = machineBusyPercent(machineStart, machineCpu());
    const sentAfter = await callProbe(host, 'traffic');
    await callProbe(attendee, 'stopWatching');
    if (result.samples.length < Math.min(settings.samples, 30)) {
      throw new BenchError(
        `only ${result.samples.length} readable frames of ${result.framesPresented} presented (${result.unreadable} unreadable) in ${SAMPLING_TIMEOUT_MS / 1000} s`,
      );
    }
    return report(result, settings, { skewMs, topLayer, sentBefore, sentAfter, busyBefore, busyDuring });
  } finally {
    await browser?.close();
    await server?.stop();
  }
}

interface RunInfo {
  skewMs: number;
  topLayer: boolean;
  sentBefore: PageTraffic;
  sentAfter: PageTraffic;
  busyBefore: number | undefined;
  busyDuring: number | undefined;
}

function report(result: ClockResult, settings: Settings, info: RunInfo): BenchResult {
  const latency = result.samples.map((s) => s.latencyMs);
  const presented = result.samples.map((s) => s.presentedLatencyMs);
  const widths = new Map<number, number>();
  for (const s of result.samples) widths.set(s.width, (widths.get(s.width) ?? 0) + 1);
  const mainWidth = [...widths].sort((a, b) => b[1] - a[1])[0]![0];
  const sent = screenLayerDelta(info.sentBefore.outbound, info.sentAfter.outbound, mainWidth, settings.width);
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
  const parts = [sent?.encodeMs, jitterMs, decodeMs];
  const residual = parts.every((p) => typeof p === 'number')
    ? median - (parts as number[]).reduce((a, b) => a + b, 0)
    : undefined;
  const negative = latency.filter((ms) => ms < 0);
  return {
    title: "Webinar: glass-to-glass delay of the host's screen share to an attendee",
    method:
      `Starts the server (all roles${settings.recorder ? ', so the recorder composes the stage into the HLS meanwhile' : ' but the recorder (--recorder=false)'}, ` +
      `embedded database, ${settings.mediaWorkers} mediasoup workers, loopback only, the web app's test build). In headless ` +
      `Chromium the channel's owner signs in, schedules a webinar, opens its backstage, joins the stage from the webinar's ` +
      `page with the fake camera and microphone, shares a "screen" and starts the webinar (the host code of ` +
      `webinar-first-frame). The screen is a ${settings.width}x${settings.height} canvas handed to the page in place of ` +
      `getDisplayMedia, redrawn ${settings.fps} times a second with the current performance.timeOrigin + performance.now() ` +
      `as sfu-glass-to-glass's black and white blocks (scaled to the canvas), each frame captured right after it is drawn ` +
      `(captureStream(0) + requestFrame); the page publishes it as it publishes a share (contentHint 'detail', the app's ` +
      `two screen layers: half size at 500 kbit/s, full size at 2.5 Mbit/s, L1T3). An attendee, a fresh browser context ` +
      `(1280x800), opens /webinars/<id>: the web app's page joins the stage and lays the share out large. Once its ` +
      `<video> shows the share (and, up to ${TOP_LAYER_DEADLINE_MS / 1000} s, at full width), for every frame ` +
      `requestVideoFrameCallback reports after a ${settings.warmupMs / 1000} s warm-up, the frame is drawn scaled to ` +
      `1280x720 on a canvas, the blocks are read and the time drawn in them is subtracted from the frame's ` +
      `expectedDisplayTime (also from presentationTime, when it was handed to the compositor), until ${settings.samples} ` +
      `frames were read. The two pages' clocks are compared through Date.now() and the difference ` +
      `(${round1(info.skewMs)} ms) corrected. The benchmark looks into the web app's pages only through an init script ` +
      `that remembers the RTCPeerConnections they make (for their statistics) and stands in for getDisplayMedia.`,
    table: {
      columns: ['Measure (ms)', 'median', 'p90', 'p99', 'min', 'max'],
      rows: [
        row('glass-to-glass (drawn -> expected on screen)', latency),
        row('drawn -> handed to the compositor', presented),
      ],
    },
    goals: [
      {
        statement: `Median glass-to-glass delay of the screen share under ${GOAL_MEDIAN_MS} ms on loopback`,
        passed: median < GOAL_MEDIAN_MS,
        measured: `median ${round1(median)} ms, p90 ${round1(percentile(latency, 90))} ms, p99 ${round1(percentile(latency, 99))} ms over ${latency.length} frames`,
      },
    ],
    notes: [
      `${latency.length} frames read, ${result.unreadable} of ${result.framesPresented} presented frames unreadable (skipped); ` +
        `received widths: ${[...widths].map(([w, n]) => `${w} px ×${n}`).join(', ')}` +
        (info.topLayer
          ? '.'
          : `; the full-size layer had not reached the attendee ${TOP_LAYER_DEADLINE_MS / 1000} s after its first picture.`),
      `Where the time goes, from WebRTC's own statistics: encode ` +
        `${sent ? `${sent.encodeMs} ms/frame and send queue ${sent.sendDelayMs} ms/packet on the share's ${sent.rid ?? 'single'} layer (the one the attendee showed most, ${mainWidth} px wide; over the sampling period)` : 'n/a'}; ` +
        `attendee's jitter buffer ${jitterMs} ms/frame, decode ${decodeMs} ms/frame (since it joined). Frames decoded ` +
        `${rx.framesDecoded}, dropped ${rx.framesDropped}; packets lost ${rx.packetsLost}, NACKs sent ${rx.nackCount}.`,
      typeof residual === 'number'
        ? `The median ${round1(median)} ms minus encode, jitter buffer and decode leaves ${round1(residual)} ms for the rest: ` +
          `waiting for the capture after the draw, packetization and pacing, loopback UDP both ways, the SFU, frame assembly, ` +
          `and the compositor up to the display deadline (up to 16.7 ms at 60 Hz).` +
          ((info.busyDuring ?? 0) > BUSY_PERCENT
            ? ` With the machine ${round1(info.busyDuring!)}% busy, much of it is likely frames waiting for a core (the ` +
              "host's encoders, the attendee's decoder and compositor queue behind every other process), which WebRTC's " +
              'statistics do not count; compare the same remainder in sfu-glass-to-glass (one 720p camera, two ' +
              'pages, nothing else on stage).'
            : '')
        : 'The breakdown is incomplete: WebRTC did not report one of its parts.',
      "The canvas is not a screen capture: Chromium encodes it as a camera-like source with the share's contentHint, " +
        "without a real capturer's damage tracking. A share of a mostly still screen sends fewer frames than this one, " +
        'which changes every frame.',
      ...(negative.length > 0
        ? [
            `${negative.length} of ${latency.length} frames read a negative delay (down to ${round1(Math.min(...negative))} ms), ` +
              "which no frame can have: an error of the method of that size (the clocks are compared once; headless Chromium's " +
              'expectedDisplayTime is an estimate), kept in the figures.',
          ]
        : []),
      `Host's share layers at the end: ${describeScreenLayers(info.sentAfter.outbound)}.`,
      `The machine was ${info.busyBefore === undefined ? 'n/a' : `${round1(info.busyBefore)}%`} busy (all cores) in the 3 s ` +
        `before the run, from other work, and ${info.busyDuring === undefined ? 'n/a' : `${round1(info.busyDuring)}%`} while ` +
        `the frames were sampled: the host's Chromium (encoding a camera in three layers and the share in two), the ` +
        `attendee's (decoding them), the SFU${settings.recorder ? ", the recorder's composition" : ''} and whatever else ` +
        `runs here share its 2 cores; load average at the end ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')}.`,
    ],
  };
}

/** Encode time per frame and send delay per packet of the share's layer of this width, over the sampling period. */
function screenLayerDelta(before: OutboundStream[], after: OutboundStream[], width: number, screenWidth: number) {
  const screens = after.filter((s) => s.source === 'screen').sort((a, b) => (a.rid ?? '').localeCompare(b.rid ?? ''));
  // The app's screen layers are half and full size, lowest first: the received width tells which.
  const end = screens.find((s) => s.frameWidth === width) ?? (width >= screenWidth ? screens.at(-1) : screens[0]);
  const start = end && before.find((s) => s.source === 'screen' && s.rid === end.rid);
  if (!end || !start) return undefined;
  const frames = end.framesEncoded - start.framesEncoded;
  const packets = end.packets - start.packets;
  return {
    rid: end.rid,
    encodeMs: frames > 0 ? round1(((end.totalEncodeTimeS - start.totalEncodeTimeS) * 1000) / frames) : 'n/a',
    sendDelayMs:
      packets > 0 ? round1(((end.totalPacketSendDelayS - start.totalPacketSendDelayS) * 1000) / packets) : 'n/a',
  };
}

function describeScreenLayers(outbound: OutboundStream[]): string {
  const screens = outbound.filter((s) => s.source === 'screen');
  if (screens.length === 0) return 'none reported';
  return screens
    .sort((a, b) => (a.rid ?? '').localeCompare(b.rid ?? ''))
    .map((s) => {
      const limited =
        s.qualityLimitationReason && s.qualityLimitationReason !== 'none'
          ? `, limited by ${s.qualityLimitationReason}`
          : '';
      return `${s.rid ?? 'single'} ${s.frameWidth}x${s.frameHeight} @ ${Math.round(s.framesPerSecond)} fps${limited}`;
    })
    .join('; ');
}
