// An attendee's downlink with four people on a webinar's stage, against a channel viewer's downlink
// of one camera. Both receivers are the web app's own pages in Chromium (the webinar page and the
// channel page), so what they consume is what their layouts ask for; the bytes are read from the
// pages' RTCPeerConnection statistics over the same window length. The channel is measured first,
// on its own, then the webinar.
import os from 'node:os';
import type { Page } from 'playwright-core';
import { launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { machineBusyOver, machineBusyPercent, machineCpu } from './lib/media/cpu.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import { startLoopbackStun, type LoopbackStun } from './lib/media/loopback-stun.ts';
import { SPEAKING_TURN_MS, startNodePanelists, type NodePanelists } from './lib/media/node-panelists.ts';
import { NodePublisher, type PublisherSent } from './lib/media/node-publisher.ts';
import { recordMedia } from './lib/media/recorded-media.ts';
import { round1 } from './lib/media/percentiles.ts';
import { callProbe, installStageProbe, type InboundStream, type OutboundStream } from './lib/media/stage-probe.ts';
import { hostWebinar } from './lib/media/webinar-host.ts';
import { BenchError, type BenchContext, type BenchResult, type Cell } from './lib/types.ts';

export const summary =
  "a webinar attendee's downlink with 4 on stage (a share + 4 cameras + 4 mics) against a channel viewer's of one camera (--window-s=30)";

const GOAL_RATIO = 1.5;
const PANELISTS = 3;
const RECEIVING_DEADLINE_MS = 45_000;
const ROLES_WITHOUT_RECORDER = 'api,signaling,sfu,web';
/** mediasoup-client's m-section for the SFU's bandwidth probation packets (RTP padding). */
const PROBATOR_MID = 'probator';
const SENDERS_DEADLINE_MS = 30_000;
const SAMPLE_MS = 1000;
/** Below this share of what its layout asked for, the attendee was held back (by the SFU's bandwidth estimate). */
const MIN_SHARE_OF_DEMAND = 0.85;
/** A layer sending less than this (a suspended layer's padding and probes) sends no picture. */
const IDLE_KBPS = 20;
/** Seconds of camera and voice the Node publishers loop. */
const RECORDED_SECONDS = 10;

interface Settings {
  windowMs: number;
  warmupMs: number;
  recorder: boolean;
  /** The panelists as the web app's pages in Chromium rather than Node publishers of recorded media. */
  chromiumPanelists: boolean;
  mediaWorkers: number;
}

/** What one receiving page got over the window. */
interface Received {
  seconds: number;
  /** Everything the page's transports received (RTP with headers, RTCP, SRTP overhead). */
  totalKbps: number;
  streams: StreamRate[];
  busyPercent: number | undefined;
  /** How many samples of the window found each one speaking (by name, 'nobody'), and how often it changed. */
  speakers: Map<string, number>;
  speakerChanges: number;
  /** Each sample's pictures and the layer the page asked for each (a webinar page's). */
  asked: Asked[][];
}

interface Asked {
  name: string;
  source: string;
  layer: number;
}

interface StreamRate {
  label: string;
  kind: 'audio' | 'video' | 'probation';
  layerAsked: number | null;
  /** With RTP headers. */
  kbps: number;
  payloadKbps: number;
  packetsPerSecond: number;
  fps: number;
  width: number;
  height: number;
}

/** What one publishing page sent over the window, per source and layer. */
interface Sent {
  who: string;
  layers: {
    source: string;
    rid: string | null;
    kbps: number;
    width: number;
    height: number;
    fps: number;
    limit: string;
  }[];
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const settings: Settings = {
    windowMs: ctx.flags.integer('window-s', 30, 20, 300) * 1000,
    warmupMs: ctx.flags.integer('warmup-s', 10, 3, 120) * 1000,
    recorder: ctx.flags.boolean('recorder'),
    chromiumPanelists: ctx.flags.boolean('chromium-panelists'),
    mediaWorkers: ctx.flags.integer('workers', os.availableParallelism(), 1, 16),
  };
  const busyBefore = await machineBusyOver(3000);
  ctx.log("recording the publishers' camera and voice (not measured)");
  const media = await recordMedia(await ctx.tempDir('downlink-media'), RECORDED_SECONDS);
  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  let stun: LoopbackStun | undefined;
  let publisher: NodePublisher | undefined;
  let panelists: NodePanelists | undefined;
  try {
    server = await startLiveServer(ctx, {
      mediaWorkers: settings.mediaWorkers,
      requireWebApp: true,
      ...(!settings.recorder && { env: { ROLES: ROLES_WITHOUT_RECORDER } }),
    });
    browser = await launchMediaBrowser();
    stun = await startLoopbackStun();
    const stunUrl = stun.url;

    // The channel: one simulcast camera and a microphone, watched on the channel page.
    publisher = await NodePublisher.start({
      serverUrl: server.url,
      join: { role: 'publisher', streamKey: server.streamKey },
      media,
      stunUrl,
      speaking: () => true,
      timeoutMs: 20_000,
    });
    const viewerContext = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await installStageProbe(viewerContext);
    const viewer = await viewerContext.newPage();
    await viewer.goto(`${server.url}/${server.channel}?via=webrtc`);
    await receiving(viewer, 1, 'the channel viewer');
    ctx.log(
      `the channel viewer receives; warming up ${settings.warmupMs / 1000} s, then a ${settings.windowMs / 1000} s window`,
    );
    await sleep(settings.warmupMs);
    const channelBefore = publisher.sent();
    const channel = await measure(viewer, settings.windowMs, (s) => (s.kind === 'video' ? 'camera' : 'microphone'));
    const channelSent = nodeSent('channel publisher', channelBefore, publisher.sent(), channel.seconds);
    ctx.log(`channel viewer: ${Math.round(channel.totalKbps)} kbit/s`);
    await viewerContext.close();
    await publisher.close();
    publisher = undefined;

    // The webinar: the host shares a screen with camera and microphone, three panelists with theirs.
    const hostContext = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await installStageProbe(hostContext);
    const panelistContexts = [];
    for (let i = 0; settings.chromiumPanelists && i < PANELISTS; i++) {
      const context = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
      await installStageProbe(context);
      panelistContexts.push(context);
    }
    const live = server;
    const webinar = await hostWebinar(ctx, hostContext, server, {
      panelists: panelistContexts,
      beforeStart: async (backstage) => {
        if (settings.chromiumPanelists) return;
        panelists = await startNodePanelists(live, backstage, {
          count: PANELISTS,
          media,
          stunUrl,
          timeoutMs: 20_000,
        });
      },
    });
    const stagePages: [string, Page][] = [
      ['host', webinar.host],
      ...webinar.panelists.map((page, i): [string, Page] => [`Panelist ${i + 1}`, page]),
    ];
    const complete = await sendersComplete(stagePages, SENDERS_DEADLINE_MS);
    if (!complete) ctx.log(`not every stage page sent all its layers within ${SENDERS_DEADLINE_MS / 1000} s`);
    const attendeeContext = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await installStageProbe(attendeeContext);
    const attendee = await attendeeContext.newPage();
    await attendee.goto(`${server.url}/webinars/${webinar.id}`);
    // The share and four cameras on screen.
    await receiving(attendee, 1 + 1 + PANELISTS, 'the attendee');
    ctx.log(
      `the attendee receives the stage; warming up ${settings.warmupMs / 1000} s, then a ${settings.windowMs / 1000} s window`,
    );
    await sleep(settings.warmupMs);
    const pagesBefore = await Promise.all(stagePages.map(([, page]) => callProbe(page, 'traffic')));
    const nodeBefore = panelists?.sent() ?? [];
    const stage = await measure(attendee, settings.windowMs, (s) => `${s.name ?? '?'}: ${s.source ?? s.kind}`);
    const pagesAfter = await Promise.all(stagePages.map(([, page]) => callProbe(page, 'traffic')));
    const nodeAfter = panelists?.sent() ?? [];
    // Senders by the name the attendee sees them under: the host is the one sharing.
    const hostName = stage.streams.find((x) => x.label.endsWith(': screen'))?.label.split(': ')[0] ?? 'host';
    const stageSent = [
      ...stagePages.map(([who], i): Sent => ({
        who: i === 0 ? hostName : who,
        layers: outboundDelta(pagesBefore[i]!.outbound, pagesAfter[i]!.outbound, stage.seconds),
      })),
      ...nodeAfter.map((after, i) => nodeSent(panelists!.names[i]!, nodeBefore[i]!, after, stage.seconds)),
    ];
    ctx.log(`attendee: ${Math.round(stage.totalKbps)} kbit/s`);
    return report(settings, { channel, stage, channelSent, stageSent, busyBefore });
  } finally {
    await panelists?.close();
    await publisher?.close();
    await stun?.close();
    await browser?.close();
    await server?.stop();
  }
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

/** Waits until every stage page sends every layer of its camera and share; false if not by the deadline. */
async function sendersComplete(pages: [string, Page][], deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const traffic = await Promise.all(pages.map(([, page]) => callProbe(page, 'traffic')));
    if (traffic.every((t) => missingLayers(t.outbound).length === 0)) return true;
    if (Date.now() > deadline) return false;
    await sleep(1000);
  }
}

/** Layers of the page's camera and share that send nothing (e.g. 'camera r2'). */
function missingLayers(outbound: { source: string; rid: string | null; framesPerSecond: number }[]): string[] {
  return outbound
    .filter((s) => s.source !== 'microphone' && s.framesPerSecond <= 0)
    .map((s) => `${s.source} ${s.rid ?? ''}`.trim());
}

/** The page's receive rates over `windowMs`; fails if the page's connections changed meanwhile (a rejoin). */
async function measure(page: Page, windowMs: number, label: (s: InboundStream) => string): Promise<Received> {
  const machineStart = machineCpu();
  const before = await callProbe(page, 'traffic');
  const startedAt = performance.now();
  // Who speaks decides which camera is big, and the layer each picture is asked for follows:
  // both sampled through the window.
  const speakers = new Map<string, number>();
  const asked: Asked[][] = [];
  let speakerChanges = 0;
  let last: string | null | undefined;
  while (performance.now() - startedAt < windowMs) {
    await sleep(Math.min(SAMPLE_MS, windowMs - (performance.now() - startedAt)));
    const [now, traffic] = await Promise.all([callProbe(page, 'speaker'), callProbe(page, 'traffic')]);
    if (last !== undefined && now !== last) speakerChanges++;
    last = now;
    speakers.set(now ?? 'nobody', (speakers.get(now ?? 'nobody') ?? 0) + 1);
    asked.push(
      traffic.inbound.flatMap((x) =>
        x.kind === 'video' && x.name !== null && x.source !== null && x.layerAsked !== null
          ? [{ name: x.name, source: x.source, layer: x.layerAsked }]
          : [],
      ),
    );
  }
  const after = await callProbe(page, 'traffic');
  const seconds = (performance.now() - startedAt) / 1000;
  if (after.connections !== before.connections || after.transportBytesReceived < before.transportBytesReceived)
    throw new BenchError(
      `the page's connections changed during the window (${before.connections} -> ${after.connections}): it joined again`,
    );
  const streams = after.inbound.map((end): StreamRate => {
    const start = before.inbound.find((s) => s.trackId === end.trackId);
    const probation = end.mid === PROBATOR_MID;
    const payload = end.bytes - (start?.bytes ?? 0);
    const headers = end.headerBytes - (start?.headerBytes ?? 0);
    return {
      label: probation ? "mediasoup's bandwidth probation" : label(end),
      kind: probation ? 'probation' : end.kind,
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
    asked,
  };
}

function outboundDelta(before: OutboundStream[], after: OutboundStream[], seconds: number): Sent['layers'] {
  return after
    .map((end) => {
      const start = before.find((s) => s.source === end.source && s.rid === end.rid);
      const bytes = end.bytes - (start?.bytes ?? 0);
      return {
        source: end.source,
        rid: end.rid,
        kbps: (bytes * 8) / 1000 / seconds,
        width: end.frameWidth,
        height: end.frameHeight,
        fps: end.framesPerSecond,
        limit: end.qualityLimitationReason,
      };
    })
    .sort((a, b) => `${a.source}${a.rid}`.localeCompare(`${b.source}${b.rid}`));
}

/** What a Node publisher sent between two readings, as a Sent. */
function nodeSent(who: string, before: PublisherSent, after: PublisherSent, seconds: number): Sent {
  const rate = (bytes: number) => (bytes * 8) / 1000 / seconds;
  return {
    who,
    layers: [
      ...after.layers.map((end, i) => ({
        source: end.source,
        // The layer's index among its source's: r0 lowest, as the app names them.
        rid: `r${after.layers.slice(0, i).filter((l) => l.source === end.source).length}`,
        kbps: rate(end.bytes - (before.layers[i]?.bytes ?? 0)),
        width: end.width,
        height: end.height,
        fps: (end.frames - (before.layers[i]?.frames ?? 0)) / seconds,
        limit: 'none',
      })),
      {
        source: 'microphone',
        rid: null,
        kbps: rate(after.voice.bytes - before.voice.bytes),
        width: 0,
        height: 0,
        fps: 0,
        limit: 'none',
      },
    ],
  };
}

interface Outcome {
  channel: Received;
  stage: Received;
  channelSent: Sent;
  stageSent: Sent[];
  busyBefore: number | undefined;
}

function report(settings: Settings, outcome: Outcome): BenchResult {
  const { channel, stage } = outcome;
  const ratio = stage.totalKbps / channel.totalKbps;
  const videoKbps = (r: Received) => r.streams.filter((s) => s.kind === 'video').reduce((sum, s) => sum + s.kbps, 0);
  const audioKbps = (r: Received) => r.streams.filter((s) => s.kind === 'audio').reduce((sum, s) => sum + s.kbps, 0);
  const streamRow = (who: string, s: StreamRate): Cell[] => [
    who,
    s.label,
    s.layerAsked ?? '',
    s.kind === 'video' ? `${s.width}x${s.height}` : '',
    s.kind === 'video' ? round1(s.fps) : '',
    Math.round(s.packetsPerSecond),
    Math.round(s.kbps),
  ];
  const held = stage.streams.filter((s) => s.kind === 'audio' && s.packetsPerSecond < 1).length;
  // The comparison holds only if every sender sent every layer a layout may ask for, with frames.
  const idle = [outcome.channelSent, ...outcome.stageSent].flatMap((sent) =>
    sent.layers
      .filter((l) => l.source !== 'microphone' && (l.fps === 0 || l.kbps < IDLE_KBPS))
      .map((l) => `${sent.who}'s ${l.source} ${l.rid}`),
  );
  const topLayer = outcome.channelSent.layers.filter((l) => l.source === 'camera').at(-1);
  const fullStreamKbps = topLayer ? topLayer.kbps + audioKbps(channel) : undefined;
  // What the layout asked for, at what the senders sent on those layers, against what came.
  const demand = demandKbps(stage.asked, outcome.stageSent);
  const receivedVideo = stage.streams.filter((x) => x.kind === 'video').reduce((sum, x) => sum + x.payloadKbps, 0);
  const heldBack = demand !== undefined && receivedVideo < MIN_SHARE_OF_DEMAND * demand;
  return {
    title: "Webinar: an attendee's downlink with 4 on stage, against one camera",
    method:
      `Starts the server (the web app's test build, embedded database, ${settings.mediaWorkers} mediasoup workers, loopback ` +
      `only; ${settings.recorder ? 'all roles' : 'every role but the recorder, whose composition would take half a core of this machine from the publishers (--recorder to keep it)'}) ` +
      `and headless Chromium, every page 1280x800. Before the run, FFmpeg records ${RECORDED_SECONDS} s of a camera (a ` +
      `moving test pattern) in the web app's three camera layers (VP8, 320x180, 640x360 and 1280x720 at 150k, 500k and ` +
      `1.5 Mbit/s, 30 fps, a keyframe every 2 s) and a voice (Opus, 32 kbit/s, 20 ms). Node publishers send it looped over ` +
      `real WebRTC (werift: ICE, DTLS, SRTP) through the app's signaling, three SSRCs in one simulcast producer, with no ` +
      `encoder or congestion control to back off: each layer arrives at its recorded bitrate. First a channel: a Node ` +
      `publisher with a stream key sends that camera and voice; a viewer opens the web app's channel page ` +
      `(/<channel>?via=webrtc), whose player picks the layer its size needs. Then, the channel's publisher gone, a webinar: ` +
      `the host (the code of webinar-first-frame) joins the stage from the webinar page with Chromium's fake camera (the app's ` +
      `camera layers) and microphone and shares a 1920x1080 canvas slide at 15 fps; ` +
      (settings.chromiumPanelists
        ? `${PANELISTS} panelists, each a new account in its own browser context invited by the host, join the stage from ` +
          `the webinar page with Chromium's fake camera and microphone (--chromium-panelists)`
        : `${PANELISTS} panelists, each a new account signed up through the API and invited by the host, join the stage as ` +
          `Node publishers of the recorded camera and voice (their session cookie on the signaling handshake, as the page ` +
          `sends it), taking turns to speak for ${SPEAKING_TURN_MS / 1000} s each (their audio level); the web app's own pages as panelists ` +
          `(--chromium-panelists) would take this 2-core machine's every cycle for their encoders`) +
      `; the host starts it. An attendee (signed out, a fresh context) opens /webinars/<id>: the web app lays the stage out ` +
      `(the share large, the speaker's camera beside it, the others in a strip) and asks the SFU for the layer each picture ` +
      `needs; with more than three microphones the server holds back the quietest. Each receiving page, once it decodes ` +
      `every picture it shows, gets ${settings.warmupMs / 1000} s of warm-up, then its RTCPeerConnection statistics are ` +
      `read at the start and end of a ${settings.windowMs / 1000} s window (an init script in the page remembers the ` +
      `connections the page makes; nothing else of the page is changed). Downlink = the transports' bytesReceived (every ` +
      `RTP and RTCP byte with its headers and SRTP overhead, not ICE or DTLS) over the window; per stream, inbound-rtp ` +
      `bytes with RTP headers.`,
    table: {
      columns: ['Receiver', 'Stream', 'layer asked', 'size received', 'fps decoded', 'packets/s', 'kbit/s'],
      rows: [
        ...channel.streams.map((s) => streamRow('channel viewer', s)),
        ['channel viewer', 'all (transport)', '', '', '', '', Math.round(channel.totalKbps)],
        ...stage.streams.map((s) => streamRow('webinar attendee', s)),
        ['webinar attendee', 'all (transport)', '', '', '', '', Math.round(stage.totalKbps)],
      ],
    },
    goals: [
      {
        statement: `A webinar attendee's downlink with 4 on stage below ${GOAL_RATIO}× a channel viewer's of one camera stream`,
        passed: ratio < GOAL_RATIO && idle.length === 0 && !heldBack,
        measured:
          `${Math.round(stage.totalKbps)} kbit/s against ${Math.round(channel.totalKbps)} kbit/s: ${ratio.toFixed(2)}× ` +
          `(video alone ${(videoKbps(stage) / videoKbps(channel)).toFixed(2)}×, audio ${Math.round(audioKbps(stage))} against ${Math.round(audioKbps(channel))} kbit/s)` +
          (idle.length > 0
            ? `; not a valid comparison: ${idle.length} layers a layout may ask for sent nothing in the window (${idle.join(', ')})`
            : '') +
          (heldBack
            ? `; not a valid comparison: the attendee received ${Math.round(receivedVideo)} kbit/s of video payload of the ` +
              `${Math.round(demand!)} its layout asked for (held back)`
            : '') +
          (fullStreamKbps !== undefined
            ? `. Against the camera's full stream (its top layer as sent, ${Math.round(topLayer!.kbps)} kbit/s, and its sound): ` +
              `${(stage.totalKbps / fullStreamKbps).toFixed(2)}×`
            : ''),
      },
    ],
    notes: [
      "What each picture costs depends on what the senders make of it. The publishers' layers over the window (payload " +
        'kbit/s; size and frame rate, and for a browser what limits its encoder, as Chromium reports at the end): ' +
        [outcome.channelSent, ...outcome.stageSent].map(describeSent).join(' | ') +
        ". The host's browser encodes on the machine that also runs the server and the attendee's page: a layer it holds " +
        "back (bandwidth or CPU) sends less than on the host's own machine, which lowers the attendee's figure; the goal " +
        'counts only when every layer a layout may ask for was sent.',
      demand === undefined
        ? 'What the layout asked for could not be priced (a sender unknown).'
        : `The attendee's layout asked, on average over the window (sampled every ${SAMPLE_MS / 1000} s), for pictures ` +
          `the senders sent at ${Math.round(demand)} kbit/s of video payload; it received ${Math.round(receivedVideo)} ` +
          `(${Math.round((receivedVideo * 100) / Math.max(1, demand))}%). Below ${MIN_SHARE_OF_DEMAND * 100}% the SFU's ` +
          'bandwidth estimate toward it held layers back and the comparison does not count.',
      "3 of the webinar's 4 cameras and the channel's camera are the same recording, so the comparison is like for like " +
        "but for the host's camera (Chromium's fake camera, encoded live with the same layers).",
      `The channel page's player asks for the layer its drawn size needs (web/src/media/layers.ts): in this 1280x800 ` +
        `page it received ${channel.streams
          .filter((x) => x.kind === 'video')
          .map((x) => `${x.width}x${x.height}`)
          .join(', ')}. ` +
        "The webinar page asks by each picture's place in the layout, whatever its drawn size " +
        "(web/src/media/stage-layout.ts): the speaker's camera gets its top layer (1280x720) in a tile a quarter of the " +
        'stage wide, the share its top layer, the strip the lowest. That choice, more than the number on stage, decides ' +
        "the attendee's figure.",
      'The share is a slide that changes one line of text every frame: a real slide deck sends less, a shared video much ' +
        "more (the share's top layer may take 2.5 Mbit/s).",
      `Who speaks (the attendee page's stage client, sampled every ${SAMPLE_MS / 1000} s): ` +
        `${[...stage.speakers]
          .map(
            ([name, n]) =>
              `${name} ${Math.round(
                (n * 100) /
                  Math.max(
                    1,
                    [...stage.speakers.values()].reduce((a, b) => a + b, 0),
                  ),
              )}%`,
          )
          .join(', ')}, ` +
        `${stage.speakerChanges} changes in the window; the camera shown big (top layer) moves with the speaker, a switch ` +
        "waiting for the next keyframe of the layer. The host speaks with Chromium's fake microphone (a beep); the " +
        'panelists take turns. ' +
        `${held} of the attendee's ${stage.streams.filter((s) => s.kind === 'audio').length} microphones received no packets: ` +
        'held by the server (the loudest three play).',
      `Machine: ${outcome.busyBefore === undefined ? 'n/a' : `${round1(outcome.busyBefore)}%`} busy (all cores) in the 3 s ` +
        `before the run; ${channel.busyPercent === undefined ? 'n/a' : `${round1(channel.busyPercent)}%`} during the channel ` +
        `window, ${stage.busyPercent === undefined ? 'n/a' : `${round1(stage.busyPercent)}%`} during the webinar's; load ` +
        `average at the end ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')}.`,
    ],
  };
}

/** The video payload the asked layers carry, by the senders' rates over the window, averaged over the samples. */
function demandKbps(samples: Asked[][], senders: Sent[]): number | undefined {
  if (samples.length === 0) return undefined;
  let total = 0;
  for (const sample of samples) {
    for (const picture of sample) {
      const sender = senders.find((s) => s.who === picture.name);
      const layer = sender?.layers.find((l) => l.source === picture.source && l.rid === `r${picture.layer}`);
      if (!layer) return undefined;
      total += layer.kbps;
    }
  }
  return total / samples.length;
}

function describeSent(sent: Sent): string {
  return `${sent.who}: ${sent.layers
    .map((l) => {
      const video = l.source !== 'microphone' ? ` ${l.width}x${l.height}@${Math.round(l.fps)}` : '';
      const limit = l.limit && l.limit !== 'none' ? ` (${l.limit})` : '';
      return `${l.source}${l.rid ? ` ${l.rid}` : ''} ${Math.round(l.kbps)}${video}${limit}`;
    })
    .join(', ')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
