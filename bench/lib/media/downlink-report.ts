// The write-up of webinar-downlink: the two pages' receive rates side by side, the ratio against
// the goal, and whether the comparison holds (every sender sent every layer a layout may ask for,
// and the attendee got what its layout asked for).
import os from 'node:os';
import type { BenchResult, Cell } from '../types.ts';
import { round1 } from './percentiles.ts';
import { describeRates, PANELISTS, type SenderRates, type StageKind } from './webinar-stage.ts';
import { SPEAKING_TURN_MS } from './node-panelists.ts';

const GOAL_RATIO = 1.5;
/** Below this share of what its layout asked for, the attendee was held back (by the SFU's bandwidth estimate). */
const MIN_SHARE_OF_DEMAND = 0.85;
/** A layer sending less than this (a suspended layer's padding and probes) sends no picture. */
const IDLE_KBPS = 20;

export interface DownlinkSettings {
  windowMs: number;
  warmupMs: number;
  recorder: boolean;
  stage: StageKind;
  mediaWorkers: number;
  recordedSeconds: number;
  sampleMs: number;
}

/** A picture a webinar page showed at one sample, and the layer it asked for. */
export interface Asked {
  name: string;
  source: string;
  layer: number;
}

export interface StreamRate {
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

/** What one receiving page got over the window. */
export interface Received {
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

export interface DownlinkOutcome {
  channel: Received;
  webinar: Received;
  channelSent: SenderRates;
  stageSent: SenderRates[];
  busyBefore: number | undefined;
}

export function downlinkReport(settings: DownlinkSettings, outcome: DownlinkOutcome): BenchResult {
  const { channel, webinar } = outcome;
  const ratio = webinar.totalKbps / channel.totalKbps;
  const sum = (r: Received, kind: string, pick: (s: StreamRate) => number) =>
    r.streams.filter((s) => s.kind === kind).reduce((total, s) => total + pick(s), 0);
  const video = (r: Received) => sum(r, 'video', (s) => s.kbps);
  const audio = (r: Received) => sum(r, 'audio', (s) => s.kbps);
  const streamRow = (who: string, s: StreamRate): Cell[] => [
    who,
    s.label,
    s.layerAsked ?? '',
    s.kind === 'video' ? `${s.width}x${s.height}` : '',
    s.kind === 'video' ? round1(s.fps) : '',
    Math.round(s.packetsPerSecond),
    Math.round(s.kbps),
  ];
  // The comparison holds only if every sender sent frames on every layer a layout may ask for...
  const idle = [outcome.channelSent, ...outcome.stageSent].flatMap((sender) =>
    sender.streams
      .filter((s) => s.source !== 'microphone' && (s.fps === 0 || s.kbps < IDLE_KBPS))
      .map((s) => `${sender.name}'s ${s.source} ${s.rid}`),
  );
  // ...and the attendee got what its layout asked for, at what the senders sent on those layers.
  const demand = demandKbps(webinar.asked, outcome.stageSent);
  const receivedVideo = sum(webinar, 'video', (s) => s.payloadKbps);
  const heldBack = demand !== undefined && receivedVideo < MIN_SHARE_OF_DEMAND * demand;
  const topLayer = outcome.channelSent.streams.filter((s) => s.source === 'camera').at(-1);
  const fullStreamKbps = topLayer ? topLayer.kbps + audio(channel) : undefined;
  const held = webinar.streams.filter((s) => s.kind === 'audio' && s.packetsPerSecond < 1).length;
  const samples = [...webinar.speakers.values()].reduce((a, b) => a + b, 0);
  return {
    title: "Webinar: an attendee's downlink with 4 on stage, against one camera",
    method:
      `Starts the server (the web app's test build, embedded database, ${settings.mediaWorkers} mediasoup workers, loopback ` +
      `only; ${settings.recorder ? 'all roles' : 'every role but the recorder, whose composition would take half a core of this machine (--recorder to keep it)'}) ` +
      `and headless Chromium, every page 1280x800. Before the run, FFmpeg records ${settings.recordedSeconds} s of a camera ` +
      `(a moving test pattern) in the web app's three camera layers (VP8 320x180, 640x360, 1280x720 at 150k, 500k, ` +
      `1.5 Mbit/s, 30 fps, a keyframe every 2 s), a voice (Opus 32 kbit/s)` +
      (settings.stage === 'node'
        ? ` and a screen (a 1920x1080 slide whose line of text changes every frame, 15 fps, layers 960x540 and ` +
          `1920x1080 up to 500k and 2.5 Mbit/s)`
        : '') +
      `. Node publishers send it looped over real WebRTC (werift: ICE, DTLS, SRTP) through the app's signaling, one SSRC ` +
      `per layer, with no encoder or congestion control to back off. First a channel: a Node publisher with a stream key ` +
      `sends the camera and voice; a viewer opens the web app's channel page (/<channel>?via=webrtc), whose player picks ` +
      `the layer its size needs. Then, the channel's publisher gone, a webinar with four on stage: ${stageMethod(settings.stage)}. ` +
      `An attendee (signed out, a fresh context) opens /webinars/<id>: the web app lays the stage out (the share large, the ` +
      `speaker's camera beside it, the others in a strip) and asks the SFU for the layer each picture needs; with more ` +
      `than three microphones the server holds back the quietest. Each receiving page, once it decodes every picture it ` +
      `shows, gets ${settings.warmupMs / 1000} s of warm-up, then its RTCPeerConnection statistics are read at the start ` +
      `and end of a ${settings.windowMs / 1000} s window (an init script in the page remembers the connections the page ` +
      `makes; nothing else of the page is changed), and every ${settings.sampleMs / 1000} s in between who speaks and ` +
      `which layer the page asks for each picture. Downlink = the transports' bytesReceived (every RTP and RTCP byte ` +
      `with its headers and SRTP overhead, not ICE or DTLS) over the window; per stream, inbound-rtp bytes with RTP headers.`,
    table: {
      columns: ['Receiver', 'Stream', 'layer asked', 'size received', 'fps decoded', 'packets/s', 'kbit/s'],
      rows: [
        ...channel.streams.map((s) => streamRow('channel viewer', s)),
        ['channel viewer', 'all (transport)', '', '', '', '', Math.round(channel.totalKbps)],
        ...webinar.streams.map((s) => streamRow('webinar attendee', s)),
        ['webinar attendee', 'all (transport)', '', '', '', '', Math.round(webinar.totalKbps)],
      ],
    },
    goals: [
      {
        statement: `A webinar attendee's downlink with 4 on stage below ${GOAL_RATIO}× a channel viewer's of one camera stream`,
        passed: ratio < GOAL_RATIO && idle.length === 0 && !heldBack,
        measured:
          `${Math.round(webinar.totalKbps)} kbit/s against ${Math.round(channel.totalKbps)} kbit/s: ${ratio.toFixed(2)}× ` +
          `(video alone ${(video(webinar) / video(channel)).toFixed(2)}×; audio ${Math.round(audio(webinar))} against ` +
          `${Math.round(audio(channel))} kbit/s)` +
          (fullStreamKbps !== undefined
            ? `; against the camera's full stream (its top layer as sent, ${Math.round(topLayer!.kbps)} kbit/s, and its ` +
              `sound) ${(webinar.totalKbps / fullStreamKbps).toFixed(2)}×`
            : '') +
          (idle.length > 0
            ? `. Not a valid comparison: layers a layout may ask for sent no picture in the window (${idle.join(', ')})`
            : '') +
          (heldBack
            ? `. Not a valid comparison: the attendee received ${Math.round(receivedVideo)} kbit/s of video payload of ` +
              `the ${Math.round(demand!)} its layout asked for`
            : ''),
      },
    ],
    notes: [
      demand === undefined
        ? 'What the layout asked for could not be priced (a sender unknown).'
        : `The attendee's layout asked, on average over the window, for pictures its senders sent at ` +
          `${Math.round(demand)} kbit/s of video payload; it received ${Math.round(receivedVideo)} ` +
          `(${Math.round((receivedVideo * 100) / Math.max(1, demand))}%). Below ${MIN_SHARE_OF_DEMAND * 100}% the SFU's ` +
          'bandwidth estimate toward it held layers back and the comparison would not count.',
      `The channel page's player asks for the layer its drawn size needs (web/src/media/layers.ts): in this 1280x800 ` +
        `page it received ${channel.streams
          .filter((s) => s.kind === 'video')
          .map((s) => `${s.width}x${s.height}`)
          .join(', ')}. The webinar page asks by each picture's place in the layout, whatever its drawn size ` +
        "(web/src/media/stage-layout.ts): the share its top layer, the speaker's camera beside it its middle layer " +
        '(640x360, the tile is a quarter of the stage wide), the strip the lowest. That choice, more than the number on ' +
        "stage, decides the attendee's figure.",
      "What the senders sent over the window (payload kbit/s, size and frames per second, what holds a browser's " +
        `encoder back): ${[outcome.channelSent, ...outcome.stageSent].map(describeRates).join(' | ')}.` +
        (settings.stage === 'node'
          ? " Every camera is the same recording as the channel's, so the comparison is like for like."
          : " A browser on stage encodes on the machine that also runs the server and the attendee's page: a layer it " +
            "holds back (bandwidth or CPU) sends less than on its owner's machine, which lowers the attendee's figure."),
      'The share is a slide that changes one line of text every frame: a real slide deck sends less, a shared video ' +
        "much more (the share's top layer may take 2.5 Mbit/s).",
      `Who speaks (the attendee page's stage client): ${[...webinar.speakers]
        .map(([name, n]) => `${name} ${Math.round((n * 100) / Math.max(1, samples))}%`)
        .join(', ')} of the samples, ${webinar.speakerChanges} changes in the window` +
        (settings.stage === 'pages'
          ? " (Chromium's fake microphones all beep alike)"
          : ` (the Node publishers take turns of ${SPEAKING_TURN_MS / 1000} s` +
            (settings.stage === 'host-page' ? "; the host speaks with Chromium's fake microphone, a beep)" : ')')) +
        '; the camera beside the share (middle layer) moves with the speaker, each switch waiting for a keyframe of the layer. ' +
        `${held} of the attendee's ${webinar.streams.filter((s) => s.kind === 'audio').length} microphones received ` +
        'nothing in the window: held by the server (the loudest three play).',
      `Machine: ${pct(outcome.busyBefore)} busy (all cores) in the 3 s before the run; ${pct(channel.busyPercent)} during ` +
        `the channel window, ${pct(webinar.busyPercent)} during the webinar's; load average at the end ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')}.`,
    ],
  };
}

function stageMethod(kind: StageKind): string {
  const panelists =
    `${PANELISTS} panelists, each a new account signed up through the API and invited by the host, join the stage as ` +
    'Node publishers of the recorded camera and voice (their session cookie on the signaling handshake, as the page ' +
    `sends it), taking turns to speak (their audio level, ${SPEAKING_TURN_MS / 1000} s each)`;
  switch (kind) {
    case 'node':
      return (
        "the channel's owner signs in through the API, schedules a webinar, opens its backstage and joins the stage as a " +
        `Node publisher of the recorded camera, voice and screen share; ${panelists.replace('taking turns', 'all four taking turns')}; ` +
        "the host starts the webinar. Browsers on stage (--stage=host-page, the host's web app page; --stage=pages, " +
        "every one) would take this 2-core machine's cycles for their encoders, a core each"
      );
    case 'host-page':
      return (
        "the host (the code of webinar-first-frame) joins the stage from the webinar page with Chromium's fake camera " +
        `(the app's camera layers) and microphone and shares a 1920x1080 canvas slide at 15 fps; ${panelists}; the ` +
        'host starts it'
      );
    case 'pages':
      return (
        "the host (the code of webinar-first-frame) joins the stage from the webinar page with Chromium's fake camera " +
        `and microphone and shares a 1920x1080 canvas slide at 15 fps; ${PANELISTS} panelists, each a new account in its ` +
        "own browser context invited by the host, join from the webinar page with Chromium's fake camera and " +
        'microphone; the host starts it'
      );
  }
}

/** The video payload the asked layers carry, by the senders' rates over the window, averaged over the samples. */
function demandKbps(samples: Asked[][], senders: SenderRates[]): number | undefined {
  if (samples.length === 0) return undefined;
  let total = 0;
  for (const sample of samples) {
    for (const picture of sample) {
      const sender = senders.find((s) => s.name === picture.name);
      const layer = sender?.streams.find((s) => s.source === picture.source && s.rid === `r${picture.layer}`);
      if (!layer) return undefined;
      total += layer.kbps;
    }
  }
  return total / samples.length;
}

function pct(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${round1(value)}%`;
}
