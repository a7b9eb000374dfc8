// The write-up of webinar-attendees-per-core: which attendees were served, the workers' CPU added
// by the attendees over the stage alone, and attendees per core from it.
import os from 'node:os';
import type { BenchResult, Cell } from '../types.ts';
import { percentile, round1 } from './percentiles.ts';
import { udpDropsBetween, type UdpDropSample } from './udp-drops.ts';
import type { StageKind } from './webinar-stage.ts';
import type { AttendeeWindow } from './werift-attendee.ts';

/** An attendee whose pictures lose more than this share of their packets is not served. */
export const MAX_LOSS_PERCENT = 5;
/** ...nor one that gets fewer frames of a picture, or packets of sound, than this share of the median attendee's. */
export const MIN_SHARE_OF_MEDIAN = 0.8;
/** The attendees' part of a run (joins, settling, windows) ends within this; setting the stage up has its own deadlines. */
export const RUN_BUDGET_MINUTES = 3;
/** What SFU_CONSUMERS_PER_ROUTER's default puts on one worker before a room spreads to the next. */
const CONSUMERS_PER_ROUTER_DEFAULT = 500;

export interface AttendeeSettings {
  sizes: number[];
  processes: number;
  concurrency: number;
  windowMs: number;
  settleMs: number;
  mediaWorkers: number;
  recorder: boolean;
  stage: StageKind;
  panelists: number;
}

/** What one attendee got in the window, against what the median attendee got. */
export interface Delivered {
  /** Every picture its layout shows, and its sound, arrived (see deliveredToEach); loss aside. */
  served: boolean;
  why: string;
  /** Pictures its layout shows (their media asked for). */
  shownVideos: number;
  consumers: number;
  videoLossPercent: number;
  kbps: number;
  packetsPerSecond: number;
  /** Frame rate of each shown picture, e.g. 'Panelist 1 camera L0': fps. */
  fps: Map<string, number>;
  /** Share of each shown picture's packets missing (by owner and source), %. */
  lossBySource: Map<string, number>;
}

export interface AttendeeStep {
  size: number;
  connected: number;
  newJoins: number;
  joinFailures: string[];
  joinRetries: number;
  joinMedianMs: number;
  served: number;
  windowS: number;
  workerCpu: number[];
  workersUsed: number;
  nodeCpu: number | undefined;
  generatorCpu: number | undefined;
  chromiumCpu: number | undefined;
  /** The benchmark's own process: the Node panelists' sending and its bookkeeping. */
  ownCpu: number | undefined;
  machineBusy: number | undefined;
  generatorLagMs: number;
  delivered: Delivered[];
  worstLossPercent: number;
  stageChanges: number;
  layoutRequests: number;
  /** What each stage page sends at the end of the window (host first): its video layers. */
  stagePublishing: string[];
  /** The server's WebRTC ports the attendees use (one per worker). */
  serverPorts: number[];
  dropsStart: UdpDropSample | undefined;
  dropsEnd: UdpDropSample | undefined;
  stopReason: string | undefined;
}

const key = (f: AttendeeWindow['feeds'][number]) => f.producerId;

/**
 * Whether each attendee was served, and its loss. An attendee's own sequence numbers only span
 * what reached it, so one that got nothing, or stopped getting anything, would show no loss: it is
 * served when every picture its layout shows arrived with frames, and its sound with packets, each
 * at MIN_SHARE_OF_MEDIAN or more of what the median attendee got of the same producer in the same
 * window. Loss (within its own sequence range) is judged apart, by the goal (MAX_LOSS_PERCENT): a
 * loss every attendee shares comes from upstream or from a starved machine, and must not hide the
 * CPU figures.
 */
export function deliveredToEach(attendees: AttendeeWindow[], windowS: number): Delivered[] {
  const median = (pick: (f: AttendeeWindow['feeds'][number]) => number) => {
    const values = new Map<string, number[]>();
    for (const a of attendees) for (const f of a.feeds) values.set(key(f), [...(values.get(key(f)) ?? []), pick(f)]);
    return new Map([...values].map(([k, v]) => [k, percentile(v, 50)]));
  };
  const medianFrames = median((f) => f.frames);
  const audioOf = (a: AttendeeWindow) =>
    a.feeds.filter((f) => f.kind === 'audio').reduce((sum, f) => sum + f.packets, 0);
  const medianAudio = attendees.length > 0 ? percentile(attendees.map(audioOf), 50) : 0;
  return attendees.map((a) => {
    const shown = a.feeds.filter((f) => f.kind === 'video' && f.shown);
    let expected = 0;
    let missing = 0;
    const problems: string[] = [];
    const fps = new Map<string, number>();
    const lossBySource = new Map<string, number>();
    for (const f of shown) {
      // Loss within its own sequence-number range: the median attendee switched layers (who
      // speaks) at another moment, and layers differ in packet rate tenfold.
      expected += f.expectedPackets;
      missing += Math.max(0, f.expectedPackets - f.packets);
      lossBySource.set(
        `${f.owner} ${f.source}`,
        f.expectedPackets > 0 ? (Math.max(0, f.expectedPackets - f.packets) / f.expectedPackets) * 100 : 0,
      );
      fps.set(`${f.owner} ${f.source}${f.layer === null ? '' : ` L${f.layer}`}`, f.frames / windowS);
      const reference = medianFrames.get(key(f)) ?? 0;
      if (f.frames === 0 || f.frames < MIN_SHARE_OF_MEDIAN * reference)
        problems.push(`${f.frames} frames of ${f.owner}'s ${f.source} (median attendee ${reference})`);
    }
    const videoLossPercent = expected > 0 ? (missing / expected) * 100 : 100;
    if (shown.length === 0) problems.push('no picture shown');
    const audio = audioOf(a);
    if (audio === 0 || audio < MIN_SHARE_OF_MEDIAN * medianAudio)
      problems.push(`${audio} audio packets (median attendee ${medianAudio})`);
    if (a.lost) problems.push(a.lost);
    const bytes = a.feeds.reduce((sum, f) => sum + f.bytes, 0);
    const packets = a.feeds.reduce((sum, f) => sum + f.packets, 0);
    return {
      served: problems.length === 0,
      why: problems.join('; ') || 'served',
      shownVideos: shown.length,
      consumers: a.feeds.length,
      videoLossPercent,
      kbps: (bytes * 8) / 1000 / windowS,
      packetsPerSecond: packets / windowS,
      fps,
      lossBySource,
    };
  });
}

interface RunInfo {
  busyBefore: number | undefined;
  spreadLogs: number;
}

export function attendeesReport(settings: AttendeeSettings, steps: AttendeeStep[], info: RunInfo): BenchResult {
  const baseline = steps[0]!;
  const measured = steps.slice(1);
  const total = (s: AttendeeStep) => s.workerCpu.reduce((a, b) => a + b, 0);
  // CPU the attendees add, per served attendee: the slope of the workers' CPU over served
  // attendees, fitted by least squares through the stage alone and every healthy step. A step
  // where packets were lost on the way (a starved machine drops them at the workers' sockets
  // before they cost anything) would flatten the slope and flatter the figure.
  const fitted = [baseline, ...measured.filter(healthy)];
  const points = fitted.map((s) => ({ x: s.served, y: total(s) }));
  const slope = leastSquaresSlope(points);
  const perCore = slope !== undefined && slope > 0 ? 100 / slope : undefined;
  const consumers = measured.flatMap((s) => s.delivered.map((d) => d.consumers));
  const consumersPerAttendee = consumers.length > 0 ? percentile(consumers, 50) : 0;
  const neededPerCore = consumersPerAttendee > 0 ? CONSUMERS_PER_ROUTER_DEFAULT / consumersPerAttendee : undefined;
  const allServed = measured.every((s) => s.connected === s.size && s.served === s.connected);
  const worstLoss = Math.max(0, ...measured.map((s) => s.worstLossPercent));
  const ports = new Set(steps.flatMap((s) => s.serverPorts));
  const drops = (s: AttendeeStep) => udpDropsBetween(s.dropsStart, s.dropsEnd, ports);
  const largest = measured.filter(healthy).at(-1);
  const unhealthy = measured.filter((s) => !healthy(s));
  const noSlope =
    fitted.length < 2
      ? 'no step had every attendee served with little loss: nothing to extrapolate from'
      : "the workers' CPU did not grow with the attendees: no slope to extrapolate from";
  const pct = (v: number | undefined) => (v === undefined ? 'n/a' : round1(v));

  const rows: Cell[][] = steps.map((s) => {
    const added = total(s) - total(baseline);
    const packets = s.delivered.reduce((sum, d) => sum + d.packetsPerSecond, 0);
    const kbps = s.delivered.map((d) => d.kbps);
    const pps = s.delivered.map((d) => d.packetsPerSecond);
    return [
      s.size === 0 ? 'stage alone' : `${s.connected} / ${s.size}`,
      s.size === 0 ? '' : s.served,
      `${round1(total(s))} (${s.workerCpu.map(round1).join(' + ')})`,
      s.size === 0 ? '' : round1(added),
      s.size === 0 || added <= 0 ? '' : healthy(s) ? Math.round(s.served / (added / 100)) : 'n/a (loss)',
      s.size === 0 || packets <= 0 ? '' : round1(((added / 100) * 1e6) / packets),
      s.size === 0 ? '' : `${Math.round(percentile(kbps, 50))} (${Math.round(Math.min(...kbps))})`,
      s.size === 0 ? '' : `${Math.round(percentile(pps, 50))} (${Math.round(Math.min(...pps))})`,
      s.size === 0
        ? ''
        : `${round1(
            percentile(
              s.delivered.map((d) => d.videoLossPercent),
              50,
            ),
          )} / ${round1(s.worstLossPercent)}`,
      pct(s.nodeCpu),
      pct(s.generatorCpu),
      pct(s.chromiumCpu),
      pct(s.ownCpu),
      pct(s.machineBusy),
      drops(s) ? `${drops(s)!.onPorts} / ${drops(s)!.total}` : 'n/a',
    ];
  });

  const fpsNote = measured
    .filter((s) => s.delivered.length > 0)
    .map((s) => {
      const names = [...new Set(s.delivered.flatMap((d) => [...d.fps.keys()]))].sort();
      return `${s.size}: ${names
        .map(
          (n) =>
            `${n} ${round1(
              percentile(
                s.delivered.map((d) => d.fps.get(n) ?? 0),
                50,
              ),
            )}`,
        )
        .join(', ')}`;
    });

  return {
    title: 'Webinar: attendees per mediasoup core with 4 on stage',
    method:
      `Starts the server (the web app's test build, embedded database, ${settings.mediaWorkers} mediasoup workers, loopback ` +
      `only, ${settings.recorder ? 'all roles' : 'every role but the recorder (its composition FFmpeg would take half a core of this machine; --recorder to keep it)'}). ` +
      stageMethod(settings) +
      `. ${settings.processes} Node processes host ` +
      `the attendees: werift 0.22.9 peers (ICE against the server's ICE-lite, DTLS, SRTP; a STUN responder on loopback), ` +
      `signed out, each on its own socket.io connection, speaking the stage protocol as the web app's attendee page ` +
      `does: join as attendee, a receive transport, consume every producer on stage (share, cameras, microphones), ask ` +
      `each picture's layer from the web app's own layout code (web/src/media/stage-layout.ts: the share's top layer, the ` +
      `speaker's camera on its middle layer, the other cameras on the lowest) and resume what it shows; follow who speaks and ` +
      `the main share as the page does. The server holds back all but the loudest three microphones. No transport-wide ` +
      `congestion control is negotiated, so the server sends the layers asked for. An attendee counts as joined when a ` +
      `whole video frame came through werift; from then on it reads the RTP headers (clear in SRTP) off its socket and ` +
      `hands werift no more media (no receiver reports or NACKs), which keeps the load generator's cost down while the ` +
      `server encrypts and sends every packet all the same. A failed join is retried once. First the stage alone, then ` +
      `${settings.sizes.join(', ')} attendees, reached by adding (${settings.concurrency} joins in flight per process); ` +
      `after each, ${settings.settleMs / 1000} s to settle, then a ${settings.windowMs / 1000} s window: each mediasoup ` +
      `worker's CPU, the server's Node process, the attendee processes and Chromium from /proc, the machine from ` +
      `/proc/stat; at each attendee, per consumed producer, packets (and the sequence-number range), bytes and frames. ` +
      `An attendee is served when every picture its layout shows arrived with ${MIN_SHARE_OF_MEDIAN * 100}%+ of the ` +
      `frames the median attendee got of it, and its sound with ${MIN_SHARE_OF_MEDIAN * 100}%+ of the median's packets ` +
      `(one that got nothing, or stopped getting anything, is not served, and does not count per core); loss, from each ` +
      `attendee's own sequence numbers, is judged by the first goal. The run stops growing N at a step where an ` +
      `attendee is missing or not served or loses more than ${MAX_LOSS_PERCENT}% of its video; joins, settling and windows ` +
      `stay within ${RUN_BUDGET_MINUTES} minutes.`,
    table: {
      columns: [
        'Attendees connected / asked',
        'Served',
        'mediasoup CPU % (per worker)',
        'Added by attendees %',
        'Served attendees per core (this step)',
        'µs per packet sent',
        'kbit/s per attendee median (min)',
        'packets/s per attendee median (min)',
        'Video loss % median / worst',
        'Node CPU %',
        'Load generator CPU %',
        'Chromium CPU %',
        'Benchmark process CPU %',
        'Machine busy % (all cores)',
        'UDP drops: mediasoup sockets / machine',
      ],
      rows,
    },
    goals: [
      {
        statement:
          `Every attendee that joined is served at every size measured: each picture its layout shows and its sound ` +
          `arrive, with at most ${MAX_LOSS_PERCENT}% of the video packets lost`,
        passed: allServed && worstLoss <= MAX_LOSS_PERCENT && measured.length > 0,
        measured:
          measured.map((s) => `${s.served} of ${s.size} served at ${s.size}`).join(', ') +
          `; worst video loss ${round1(worstLoss)}%`,
      },
      {
        statement:
          `A mediasoup core carries the attendees SFU_CONSUMERS_PER_ROUTER's default puts on one worker before a room ` +
          `spreads (${CONSUMERS_PER_ROUTER_DEFAULT} consumers / ${consumersPerAttendee} per attendee = ` +
          `${neededPerCore === undefined ? 'n/a' : Math.ceil(neededPerCore)} attendees)`,
        passed: perCore !== undefined && neededPerCore !== undefined && perCore >= neededPerCore,
        measured:
          perCore === undefined
            ? noSlope
            : `${Math.round(perCore)} served attendees per core (${round1(slope!)}% of a core each, fitted over the ` +
              `stage alone and ${fitted.length - 1} healthy step${fitted.length === 2 ? '' : 's'})`,
      },
    ],
    notes: [
      perCore === undefined
        ? `Attendees per core: n/a (${noSlope}).`
        : `Attendees per core: the workers' CPU rose by ${round1(slope!)}% of a core per served attendee (least-squares ` +
          `slope through the stage alone and ${fitted.length - 1} step${fitted.length === 2 ? '' : 's'} where every ` +
          `attendee was served with at most ${MAX_LOSS_PERCENT}% loss), so one fully busy core would carry about ` +
          `${Math.round(perCore)} attendees at this mix if the cost stays linear` +
          `${largest ? `; measured up to ${largest.served} served attendees` : ''}. ` +
          (unhealthy.length > 0
            ? `Left out of the fit: ${unhealthy.map((s) => `${s.size} (worst video loss ${round1(s.worstLossPercent)}%, ${s.served} of ${s.size} served)`).join(', ')}, ` +
              'where packets went missing before they cost the workers anything (see UDP drops). '
            : '') +
          `"Served attendees per core (this step)" divides by the CPU the step added over the stage alone; the stage alone ` +
          `(the publishers' media in, the stage members receiving each other) cost the workers ${round1(total(baseline))}% of a core.`,
      `What an attendee takes: ${consumersPerAttendee} consumers (the share, ${settings.panelists + 1} cameras, ` +
        `${settings.panelists + 1} microphones), of which the server sends the pictures shown and the loudest three ` +
        `voices. Median frame rate per picture (owner, source, layer asked) at each size: ${fpsNote.join(' | ')}.`,
      `Video loss by picture (median attendee) at each size: ${measured
        .filter((s) => s.delivered.length > 0)
        .map((s) => {
          const names = [...new Set(s.delivered.flatMap((d) => [...d.lossBySource.keys()]))].sort();
          return `${s.size}: ${names
            .map(
              (n) =>
                `${n} ${round1(
                  percentile(
                    s.delivered.map((d) => d.lossBySource.get(n) ?? 0),
                    50,
                  ),
                )}%`,
            )
            .join(', ')}`;
        })
        .join(' | ')}. A loss that every attendee shares happened before the attendees' sockets: on the way into the ` +
        "SFU (the stage's packets: a browser on stage resends what the SFU asks for again, a Node publisher does " +
        'not) or at the workers. "UDP drops" are datagrams Linux ' +
        "discarded for a full receive buffer in the window (/proc/net/udp): at the workers' WebRTC sockets, and on the " +
        "whole machine (the rest are mostly the attendees' sockets, whose processes fell behind).",
      `"µs per packet sent" divides the CPU the attendees added by the RTP packets they received. kbit/s counts the SRTP ` +
        'packets as they arrived (RTP headers, payload and authentication tag; no RTCP).',
      'Join time (socket connect to the first whole frame): ' +
        measured
          .filter((s) => s.newJoins > 0)
          .map((s) => `${Math.round(s.joinMedianMs)} ms median for the ${s.newJoins} added to reach ${s.size}`)
          .join('; ') +
        `. Retried once: ${measured.reduce((sum, s) => sum + s.joinRetries, 0)}; failed twice: ` +
        `${measured.reduce((sum, s) => sum + s.joinFailures.length, 0)}${
          measured.some((s) => s.joinFailures.length > 0)
            ? ` (e.g. ${measured.find((s) => s.joinFailures.length > 0)!.joinFailures[0]})`
            : ''
        }.`,
      `Workers used by the attendees' transports: ${measured.map((s) => `${s.workersUsed} at ${s.size}`).join(', ')}; the ` +
        `server logged 'room spread to another worker' ${info.spreadLogs} time(s) (in the part of its log kept). Layer and ` +
        `pause requests the attendees' layouts made during the windows (who speaks moves the big camera): ` +
        `${measured.map((s) => `${s.layoutRequests} at ${s.size}`).join(', ')}. Stage changes an attendee saw after it ` +
        `joined (producers added or closed, not followed; or a layer request refused): ${Math.max(0, ...measured.map((s) => s.stageChanges))}. ` +
        `What the stage sent during the last window (host first; payload kbit/s, size and frames per second, what holds a browser's encoder back): ` +
        `${steps.at(-1)!.stagePublishing.join(' | ')}.`,
      `This machine has ${os.availableParallelism()} cores for everything: ` +
        (settings.stage === 'pages'
          ? `the stage's ${settings.panelists + 1} Chromium pages (each encoding its camera in three layers, the host its ` +
            'share in two, and each decoding the others)'
          : settings.stage === 'host-page'
            ? "the host's Chromium page (encoding its camera in three layers and its share in two, decoding the " +
              'panelists), the Node panelists (in the benchmark process)'
            : 'the Node publishers on stage (in the benchmark process)') +
        `, the attendees' processes, the server and other work. CPU columns other than "Machine busy" are in % of one core. ` +
        `Load generator event-loop delay (p99, worst process): ${measured.map((s) => `${round1(s.generatorLagMs)} ms at ${s.size}`).join(', ')}. ` +
        `The machine was ${info.busyBefore === undefined ? 'n/a' : `${round1(info.busyBefore)}%`} busy (all cores) before ` +
        `the run; load average at the end ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')}.`,
      'Not covered: attendees that decode (a browser spends far more on an attendee than the SFU does), congestion ' +
        'control toward attendees (bandwidth estimation per consumer), an edge of the room on another machine, and ' +
        'stage changes while attendees watch.',
    ],
  };
}

/** Who was on stage and how they got there, for the method. */
function stageMethod(settings: AttendeeSettings): string {
  const recorded =
    "recorded beforehand by FFmpeg in the web app's simulcast layers (VP8; camera 320x180, 640x360, 1280x720 at " +
    '150k, 500k, 1.5 Mbit/s, 30 fps; a keyframe every 2 s) and a voice (Opus 32 kbit/s), sent looped over werift ' +
    "(ICE, DTLS, SRTP) through the app's signaling with the member's session cookie, no encoder or congestion " +
    'control to back off';
  const panelists = `${settings.panelists} panelists, each a new account signed up through the API and invited by the host`;
  switch (settings.stage) {
    case 'node':
      return (
        `The channel's owner signs in through the API, schedules a webinar, opens its backstage and joins the stage as a ` +
        `Node publisher of a camera, a voice and a screen share (a 1920x1080 slide whose line of text changes every ` +
        `frame, 15 fps, layers 960x540 and 1920x1080 up to 500k and 2.5 Mbit/s) ${recorded}; ${panelists}, join as ` +
        `Node publishers of the same camera and voice; all four take turns to speak (their audio level); the host ` +
        `starts the webinar through the API. Browsers on stage (--stage=host-page: the host's web app page; ` +
        `--stage=pages: every one) would take this 2-core machine's cycles for their encoders, a core each`
      );
    case 'host-page':
      return (
        `In headless Chromium the channel's owner hosts a webinar from its page as webinar-first-frame does (fake ` +
        `camera and microphone, a 1920x1080 canvas slide shared at 15 fps); ${panelists}, join the stage as Node ` +
        `publishers of a camera and a voice ${recorded}, taking turns to speak; the host starts it`
      );
    case 'pages':
      return (
        `In headless Chromium the channel's owner hosts a webinar from its page as webinar-first-frame does (fake ` +
        `camera and microphone, a 1920x1080 canvas slide shared at 15 fps); ${settings.panelists} panelists, each a ` +
        `new account in its own browser context invited by the host, join the stage from the webinar page with the ` +
        `fake camera and microphone (the app's camera layers); the host starts it`
      );
  }
}

/** Every attendee connected and served, none losing more than MAX_LOSS_PERCENT of its video. */
function healthy(step: AttendeeStep): boolean {
  return step.connected === step.size && step.served === step.connected && step.worstLossPercent <= MAX_LOSS_PERCENT;
}

function leastSquaresSlope(points: { x: number; y: number }[]): number | undefined {
  if (points.length < 2) return undefined;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return undefined;
  return points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
}
