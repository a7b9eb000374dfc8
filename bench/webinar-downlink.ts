// An attendee's downlink with four on a webinar's stage, against a channel viewer's downlink of
// one camera. Both receivers are the web app's own pages in Chromium (the webinar page and the
// channel page), so what they consume is what their layouts ask for; the bytes are read from the
// pages' RTCPeerConnection statistics over the same window length. The channel is measured first,
// on its own, then the webinar. Written up by lib/media/downlink-report.ts.
import os from 'node:os';
import type { Page } from 'playwright-core';
import { launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { machineBusyOver, machineBusyPercent, machineCpu } from './lib/media/cpu.ts';
import { downlinkReport, type Asked, type DownlinkSettings, type Received } from './lib/media/downlink-report.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import { startLoopbackStun, type LoopbackStun } from './lib/media/loopback-stun.ts';
import { NodePublisher } from './lib/media/node-publisher.ts';
import { recordMedia } from './lib/media/recorded-media.ts';
import { callProbe, installStageProbe, type InboundStream } from './lib/media/stage-probe.ts';
import {
  PANELISTS,
  STAGE_KINDS,
  recordedSnapshot,
  senderRates,
  setUpStage,
  type SenderSnapshot,
  type WebinarStage,
} from './lib/media/webinar-stage.ts';
import { FlagError } from './lib/flags.ts';
import { BenchError, type BenchContext, type BenchResult } from './lib/types.ts';

export const summary =
  "a webinar attendee's downlink with 4 on stage (a share + 4 cameras + 4 mics) against a channel viewer's of one camera (--window-s=30, --stage=node|host-page|pages)";

const RECEIVING_DEADLINE_MS = 45_000;
const SENDERS_DEADLINE_MS = 30_000;
const SAMPLE_MS = 1000;
const ROLES_WITHOUT_RECORDER = 'api,signaling,sfu,web';
/** mediasoup-client's m-section for the SFU's bandwidth probation packets (RTP padding). */
const PROBATOR_MID = 'probator';
/** Seconds of media the Node publishers loop. */
const RECORDED_SECONDS = 10;

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const settings = readSettings(ctx);
  const busyBefore = await machineBusyOver(3000);
  ctx.log("recording the Node publishers' media (not measured)");
  const media = await recordMedia(await ctx.tempDir('downlink-media'), RECORDED_SECONDS, {
    screen: settings.stage === 'node',
  });
  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  let stun: LoopbackStun | undefined;
  let publisher: NodePublisher | undefined;
  let stage: WebinarStage | undefined;
  try {
    server = await startLiveServer(ctx, {
      mediaWorkers: settings.mediaWorkers,
      requireWebApp: true,
      ...(!settings.recorder && { env: { ROLES: ROLES_WITHOUT_RECORDER } }),
    });
    browser = await launchMediaBrowser();
    stun = await startLoopbackStun();

    // The channel: one simulcast camera and a microphone, watched on the channel page.
    publisher = await NodePublisher.start({
      serverUrl: server.url,
      join: { role: 'publisher', streamKey: server.streamKey },
      media,
      stunUrl: stun.url,
      speaking: () => true,
      timeoutMs: 20_000,
    });
    const viewerContext = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await installStageProbe(viewerContext);
    const viewer = await viewerContext.newPage();
    await viewer.goto(`${server.url}/${server.channel}?via=webrtc`);
    await receiving(viewer, 1, 'the channel viewer');
    ctx.log(
      `the channel viewer receives; ${settings.warmupMs / 1000} s of warm-up, then ${settings.windowMs / 1000} s`,
    );
    await sleep(settings.warmupMs);
    const channelBefore = recordedSnapshot('channel publisher', publisher.sent());
    const channel = await measure(viewer, settings.windowMs, () => []);
    const channelSent = senderRates(
      [channelBefore],
      [recordedSnapshot('channel publisher', publisher.sent())],
      channel.seconds,
    )[0]!;
    ctx.log(`channel viewer: ${Math.round(channel.totalKbps)} kbit/s`);
    await viewerContext.close();
    await publisher.close();
    publisher = undefined;

    // The webinar: the host shares a screen with camera and microphone, three panelists with theirs.
    stage = await setUpStage(ctx, settings.stage, { server, browser, media, stunUrl: stun.url });
    if (!(await sendersComplete(stage, SENDERS_DEADLINE_MS)))
      ctx.log(`not everyone on stage sent every layer within ${SENDERS_DEADLINE_MS / 1000} s`);
    const attendeeContext = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await installStageProbe(attendeeContext);
    const attendee = await attendeeContext.newPage();
    await attendee.goto(`${server.url}/webinars/${stage.id}`);
    // The share and four cameras on screen.
    await receiving(attendee, 1 + 1 + PANELISTS, 'the attendee');
    ctx.log(
      `the attendee receives the stage; ${settings.warmupMs / 1000} s of warm-up, then ${settings.windowMs / 1000} s`,
    );
    await sleep(settings.warmupMs);
    const sendersBefore = await stage.senders();
    const webinar = await measure(attendee, settings.windowMs, askedLayers);
    const stageSent = senderRates(sendersBefore, await stage.senders(), webinar.seconds);
    ctx.log(`attendee: ${Math.round(webinar.totalKbps)} kbit/s`);
    return downlinkReport(settings, { channel, webinar, channelSent, stageSent, busyBefore });
  } finally {
    await stage?.close();
    await publisher?.close();
    await stun?.close();
    await browser?.close();
    await server?.stop();
  }
}

function readSettings(ctx: BenchContext): DownlinkSettings {
  const raw = ctx.flags.string('stage') ?? 'node';
  const stage = STAGE_KINDS.find((k) => k === raw);
  if (!stage) throw new FlagError(`--stage must be ${STAGE_KINDS.join(', ')}; got '${raw}'`);
  return {
    windowMs: ctx.flags.integer('window-s', 30, 20, 300) * 1000,
    warmupMs: ctx.flags.integer('warmup-s', 10, 3, 120) * 1000,
    recorder: ctx.flags.boolean('recorder'),
    stage,
    mediaWorkers: ctx.flags.integer('workers', os.availableParallelism(), 1, 16),
    recordedSeconds: RECORDED_SECONDS,
    sampleMs: SAMPLE_MS,
  };
}

/** Waits until the page decodes `videos` video streams (pictures on its screen). */
async function receiving(page: Page, videos: number, who: string): Promise<void> {
  const deadline = Date.now() + RECEIVING_DEADLINE_MS;
  for (;;) {
    const traffic = await callProbe(page, 'traffic');
    const decoding = traffic.inbound.filter((s) => s.kind === 'video' && s.framesDecoded > 0).length;
    if (decoding >= videos) return;
    if (Date.now() > deadline) {
      throw new BenchError(
        `${who} decoded ${decoding} of ${videos} videos after ${RECEIVING_DEADLINE_MS / 1000} s: ` +
          JSON.stringify(traffic.inbound.map((s) => [s.name, s.source ?? s.kind, s.framesDecoded, s.frameWidth])),
      );
    }
    await sleep(500);
  }
}

/** Waits until everyone on stage sends frames on every layer of their camera and share; false if not by the deadline. */
async function sendersComplete(stage: WebinarStage, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  let before: SenderSnapshot[] = await stage.senders();
  while (Date.now() < deadline) {
    await sleep(1000);
    const after = await stage.senders();
    const rates = senderRates(before, after, 1);
    if (rates.every((member) => member.streams.every((s) => s.source === 'microphone' || s.fps > 0))) return true;
    before = after;
  }
  return false;
}

/** The pictures a webinar page shows now and the layer it asked for each. */
function askedLayers(inbound: InboundStream[]): Asked[] {
  return inbound.flatMap((x) =>
    x.kind === 'video' && x.name !== null && x.source !== null && x.layerAsked !== null
      ? [{ name: x.name, source: x.source, layer: x.layerAsked }]
      : [],
  );
}

/**
 * The page's receive rates over `windowMs`, sampling every SAMPLE_MS who speaks and what `asked`
 * reads of the page's pictures; fails if the page's connections changed meanwhile (a rejoin).
 */
async function measure(page: Page, windowMs: number, asked: (inbound: InboundStream[]) => Asked[]): Promise<Received> {
  const machineStart = machineCpu();
  const before = await callProbe(page, 'traffic');
  const startedAt = performance.now();
  const speakers = new Map<string, number>();
  const samples: Asked[][] = [];
  let speakerChanges = 0;
  let last: string | null | undefined;
  while (performance.now() - startedAt < windowMs) {
    await sleep(Math.min(SAMPLE_MS, windowMs - (performance.now() - startedAt)));
    const [now, traffic] = await Promise.all([callProbe(page, 'speaker'), callProbe(page, 'traffic')]);
    if (last !== undefined && now !== last) speakerChanges++;
    last = now;
    speakers.set(now ?? 'nobody', (speakers.get(now ?? 'nobody') ?? 0) + 1);
    samples.push(asked(traffic.inbound));
  }
  const after = await callProbe(page, 'traffic');
  const seconds = (performance.now() - startedAt) / 1000;
  if (after.connections !== before.connections || after.transportBytesReceived < before.transportBytesReceived)
    throw new BenchError(
      `the page's connections changed during the window (${before.connections} -> ${after.connections}): it joined again`,
    );
  const streams = after.inbound.map((end) => {
    const start = before.inbound.find((s) => s.trackId === end.trackId);
    const payload = end.bytes - (start?.bytes ?? 0);
    const headers = end.headerBytes - (start?.headerBytes ?? 0);
    const probation = end.mid === PROBATOR_MID;
    return {
      label: probation
        ? "mediasoup's bandwidth probation"
        : end.name === null
          ? end.kind === 'video'
            ? 'camera'
            : 'microphone'
          : `${end.name}: ${end.source ?? end.kind}`,
      kind: probation ? ('probation' as const) : end.kind,
      layerAsked: end.layerAsked,
      kbps: ((payload + headers) * 8) / 1000 / seconds,
      payloadKbps: (payload * 8) / 1000 / seconds,
      packetsPerSecond: (end.packets - (start?.packets ?? 0)) / seconds,
      fps: (end.framesDecoded - (start?.framesDecoded ?? 0)) / seconds,
      width: end.frameWidth,
      height: end.frameHeight,
    };
  });
  return {
    seconds,
    totalKbps: ((after.transportBytesReceived - before.transportBytesReceived) * 8) / 1000 / seconds,
    streams: streams.sort((a, b) => a.label.localeCompare(b.label)),
    busyPercent: machineBusyPercent(machineStart, machineCpu()),
    speakers,
    speakerChanges,
    asked: samples,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
