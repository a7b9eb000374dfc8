// What the fan-out benchmark (bench/sfu-fanout.ts) measured at each size, and how it is written up:
// the table, the goals, and notes that read the numbers (what it costs per viewer, what stopped
// the run) rather than leave that to whoever looks at the table.
import os from 'node:os';
import { ms } from '../stats.ts';
import type { BenchResult, Cell } from '../types.ts';
import { round1 } from './percentiles.ts';
import { receiveBufferDefault } from './udp-drops.ts';

export const MAX_LOSS_PERCENT = 5;
export const MIN_FPS_RATIO = 0.8;
/** A stream of audio + video: each viewer holds two consumers. */
export const CONSUMERS_PER_VIEWER = 2;
/** What SFU_CONSUMERS_PER_ROUTER defaults to, i.e. what the server assumes one worker carries. */
const CONSUMERS_PER_WORKER_ASSUMED = 500;

export interface FanoutSettings {
  sizes: number[];
  processes: number;
  concurrency: number;
  windowMs: number;
  settleMs: number;
  consumersPerRouter: number;
  mediaWorkers: number;
  bwe: boolean;
  receive: 'full' | 'headers';
  /** --starve-one-viewer: the share (0-100) of its media one viewer drops; 0 normally. */
  starvePercent: number;
}

export interface FanoutStep {
  /** The size asked for; `viewers` is how many were connected (failed joins missing). */
  size: number;
  viewers: number;
  newJoins: number;
  joinFailures: string[];
  joinRetries: number;
  joinMedianMs: number;
  workersUsed: number;
  /** CPU of each mediasoup worker over the window, % of one core. */
  workerCpu: number[];
  nodeCpu: number | undefined;
  generatorCpu: number | undefined;
  chromiumCpu: number | undefined;
  /** All cores, 0-100. */
  machineBusy: number | undefined;
  /** Interrupt + softirq time (the kernel's loopback networking, mostly), % of one core. */
  kernelIrqCpu: number | undefined;
  /** Busy CPU neither a process of this benchmark nor interrupts account for (other work on the machine), % of one core. */
  otherCpu: number | undefined;
  /** Video packets missing over all viewers together; a viewer that got nothing counts its layer's whole window. */
  lossPercent: number;
  /** Per viewer: the 90th percentile and the worst. */
  lossP90Percent: number;
  worstLossPercent: number;
  /** Datagrams the kernel dropped for a full receive buffer in the window: on the mediasoup workers' sockets, anywhere. */
  udpDrops: { onPorts: number; total: number } | undefined;
  /** The same from the first join of this step to the start of its window (joins and settling). */
  udpDropsJoining: { onPorts: number; total: number } | undefined;
  /** Frames per second per viewer: median, 10th percentile, the worst viewer. */
  fpsMedian: number;
  fpsP10: number;
  fpsWorst: number;
  /** A viewer's frame rate over its layer's source rate: the 10th percentile and the worst viewer. */
  fpsRatioP10: number;
  fpsRatioWorst: number;
  /** Viewers with more than MAX_LOSS_PERCENT loss or under MIN_FPS_RATIO of the source frame rate. */
  starved: number;
  /** The share of its media one viewer dropped on purpose (--starve-one-viewer); 0 normally. */
  starvedPercent: number;
  /** Frames per second the publisher sent on each layer (r0, r1, r2) during the window. */
  sourceFps: number[];
  /** The publisher's layers at the end of the window, e.g. "r0 320x180 @ 30 fps; ...". */
  sourceLayers: string;
  kbpsMedian: number;
  /** Video and audio RTP packets per second the viewers received, all together. */
  packetsPerSecond: number;
  /** Viewers per spatial layer the server last reported ('L2', or 'unknown'). */
  layers: Map<string, number>;
  generatorLagMs: number;
  stopReason: string | undefined;
}

export interface FanoutRunInfo {
  spreadLogs: number;
  busyBefore: number | undefined;
  withoutWebRole: boolean;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const mediasoupCpu = (s: FanoutStep) => sum(s.workerCpu);
const microsPerPacket = (s: FanoutStep) =>
  s.packetsPerSecond > 0 ? ((mediasoupCpu(s) / 100) * 1e6) / s.packetsPerSecond : undefined;
const consumersPerCore = (s: FanoutStep) =>
  mediasoupCpu(s) > 0 ? (s.viewers * CONSUMERS_PER_VIEWER * 100) / mediasoupCpu(s) : 0;
/** Most viewers were on the top layer, i.e. the step measured full-quality fan-out. */
const onTopLayer = (s: FanoutStep) => (s.layers.get(`L${s.sourceFps.length - 1}`) ?? 0) > s.viewers / 2;
/** All cores busy, this much of them. */
const SATURATED_PERCENT = 90;

/**
 * What limited a failed step when the machine had no core to spare: whichever of the SFU, the test
 * bed (viewer processes and the publishing Chromium) and other work on the machine took the most
 * of it. When that is not the SFU, the step says more about the test bed or the machine than about
 * the server, whose own share is the mediasoup column. Undefined when the machine had room.
 */
function limitOf(s: FanoutStep): string | undefined {
  if ((s.machineBusy ?? 0) < SATURATED_PERCENT) return undefined;
  const testBed = (s.generatorCpu ?? 0) + (s.chromiumCpu ?? 0);
  const shares: [string, number][] = [
    ['the SFU (mediasoup)', mediasoupCpu(s)],
    ['the test bed (viewers and publisher), not the SFU,', testBed],
    ['other work on the machine, not the SFU,', s.otherCpu ?? 0],
  ];
  const [who] = shares.reduce((a, b) => (b[1] > a[1] ? b : a));
  return (
    `the machine was saturated (${round1(s.machineBusy ?? 0)}% busy) and ${who} took the most of it: mediasoup ` +
    `${round1(mediasoupCpu(s))}%, viewers and publisher ${round1(testBed)}%, other work ${round1(s.otherCpu ?? 0)}% of a core`
  );
}
const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;

export function fanoutReport(settings: FanoutSettings, steps: FanoutStep[], info: FanoutRunInfo): BenchResult {
  const passing = steps.filter((s) => !s.stopReason);
  const passingFull = passing.filter(onTopLayer);
  const bestFull = passingFull[passingFull.length - 1];
  const top = settings.sizes[settings.sizes.length - 1]!;
  const largest = steps[steps.length - 1]!;
  const starving = settings.starvePercent > 0;
  return {
    title: `SFU: fan-out of one stream to N viewers${starving ? ' (one viewer starved on purpose)' : ''}`,
    method: method(settings),
    table: table(settings, steps),
    goals: [
      {
        statement:
          `${top} viewers of one stream on this machine, every one connected, get its top layer, each with at most ` +
          `${MAX_LOSS_PERCENT}% loss and at ${MIN_FPS_RATIO * 100}%+ of the source frame rate (no viewer starves)`,
        passed:
          bestFull !== undefined && bestFull.size >= top && bestFull.viewers >= bestFull.size && bestFull.starved === 0,
        measured: bestFull
          ? `largest size that passed: ${delivered(bestFull)}${bestFull === largest ? '' : `; ${largest.size}: ${verdict(largest)}`}`
          : `none passed; ${largest.size}: ${verdict(largest)}`,
      },
      {
        statement: `mediasoup forwards at least ${CONSUMERS_PER_WORKER_ASSUMED} consumers per core (the SFU_CONSUMERS_PER_ROUTER default assumes a worker carries ${CONSUMERS_PER_WORKER_ASSUMED})`,
        passed: bestFull !== undefined && consumersPerCore(bestFull) >= CONSUMERS_PER_WORKER_ASSUMED,
        measured: bestFull
          ? `${Math.round(consumersPerCore(bestFull))} consumers per core at ${bestFull.viewers} viewers on the top layer`
          : 'no size passed on the top layer',
      },
    ],
    notes: [
      ...(starving
        ? [
            `This run starved one viewer on purpose (--starve-one-viewer=${settings.starvePercent}): from each window's ` +
              `start it dropped ${settings.starvePercent}% of the media packets reaching it before counting them. The ` +
              `first goal must fail on such a run; its figures say nothing about the SFU.`,
          ]
        : []),
      ...interpretation(settings, steps),
      ...definitions(settings, steps, info),
    ],
  };
}

/** What a step delivered, every viewer counted. */
function delivered(s: FanoutStep): string {
  return (
    `${s.viewers} of ${s.size} viewers connected; loss ${round1(s.lossPercent)}% over all, ${round1(s.worstLossPercent)}% ` +
    `for the worst viewer; frame rate ${pct(s.fpsRatioP10)} of the source at p10, ${pct(s.fpsRatioWorst)} for the worst viewer`
  );
}

function method(settings: FanoutSettings): string {
  const receive =
    settings.receive === 'full'
      ? "Each viewer runs werift's whole receive path (--full-receive): SRTP authentication and decryption, RTCP receiver reports, NACK. "
      : "Each viewer takes its first frame through werift's whole receive path (SRTP decryption: proof the keys work), then reads the " +
        'RTP headers, which SRTP leaves in clear, straight off its socket and hands werift no more media (so it sends no receiver ' +
        "reports or NACKs; ICE consent checks go on; --full-receive keeps werift's whole path): the server encrypts and sends " +
        'every packet to every viewer all the same, and the generator spends a fraction of the CPU. ';
  const bwe = settings.bwe
    ? 'They negotiate transport-wide congestion control as Chrome does (--bwe), so the server picks each layer from their feedback. '
    : 'They do not negotiate transport-wide congestion control (run with --bwe for that), so the server runs no bandwidth ' +
      'estimation toward them and forwards the top layer to every viewer: the worst case for its load, which viewers on a ' +
      'good network converge to anyway, and immune to a busy load generator whose late feedback would read as congestion. ';
  return (
    `Starts the server (all roles, embedded database, ${settings.mediaWorkers} mediasoup workers, loopback only, ` +
    `SFU_CONSUMERS_PER_ROUTER=${settings.consumersPerRouter} so that the room spreads to a router on the second worker, piped ` +
    `from the origin, once ${settings.consumersPerRouter / CONSUMERS_PER_VIEWER} audio+video viewers are on a router; the default ` +
    `is 500). A headless Chromium page publishes as the studio does (fake camera 1280x720/30 fps, VP8 simulcast r0/r1/r2 at ` +
    `150k/500k/1.5M with L1T3, fake microphone in Opus), except that it holds its source steady: degradationPreference ` +
    `'maintain-framerate-and-resolution', and neither transport-cc nor REMB negotiated (Chrome's loss-based estimate only). ` +
    `It shares this machine with the server and the viewers, and with Chrome's delay-based estimate it dropped to one or two ` +
    `layers from 100 viewers on in trial runs, which changes what the server forwards. ${settings.processes} Node processes host ` +
    `the viewers: werift 0.22.9 peers (full ICE against the server's ICE-lite, DTLS, SRTP; a STUN responder on loopback keeps ` +
    `werift from querying one on the internet). ${receive}${bwe}Each viewer has its own socket.io connection and joins like the ` +
    `web player: join, recv transport, consume video and audio, connect, resume; it counts as joined when its first whole video ` +
    `frame arrives (a failed join is retried once). Sizes ${settings.sizes.join(', ')} are reached by adding viewers ` +
    `(${settings.concurrency} joins in flight per process); after each, ${settings.settleMs / 1000} s to settle, then a ` +
    `${settings.windowMs / 1000} s window: each mediasoup worker's CPU, the server's Node process, the viewer processes and Chromium from /proc, the whole machine from ` +
    `/proc/stat. At the viewers: loss = video RTP packets missing from the sequence-number range of the window, frames = ` +
    `distinct RTP timestamps of packets with the marker bit. Every viewer counts: one that received nothing in the window ` +
    `is the worst of them, not left out. A viewer's own sequence numbers only span what reached it, so what it should have ` +
    `got is at least what the median viewer on its layer saw in the same window. A step fails, and the run stops growing ` +
    `N, when a viewer is missing (its join failed twice) or any viewer starves: more than ${MAX_LOSS_PERCENT}% of its video ` +
    `packets lost, or under ${MIN_FPS_RATIO * 100}% of its layer's source frame rate (publisher framesSent).`
  );
}

function table(settings: FanoutSettings, steps: FanoutStep[]): BenchResult['table'] {
  const cell = (value: number | undefined): Cell => (value === undefined ? 'n/a' : round1(value));
  return {
    columns: [
      'Viewers connected / asked',
      'Workers used',
      'mediasoup CPU % (per worker)',
      'Viewers per mediasoup core',
      'mediasoup µs per packet sent',
      'Node CPU %',
      'Load generator CPU %',
      'Chromium (publisher) CPU %',
      'Machine busy % (all cores)',
      'Kernel irq/softirq CPU %',
      'Other CPU %',
      'Video loss % all / p90 / worst viewer',
      'Starved viewers',
      'UDP drops: mediasoup sockets / machine',
      'Viewer fps median / p10 / worst',
      'Publisher fps per layer (r0 / r1 / r2)',
      'kbit/s per viewer',
      'Layers received',
      'Verdict',
    ],
    rows: steps.map((s): Cell[] => [
      `${s.viewers} / ${s.size}`,
      `${s.workersUsed} of ${settings.mediaWorkers}`,
      `${round1(mediasoupCpu(s))} (${s.workerCpu.map(round1).join(' + ')})`,
      mediasoupCpu(s) > 0 ? Math.round((s.viewers * 100) / mediasoupCpu(s)) : 'n/a',
      cell(microsPerPacket(s)),
      cell(s.nodeCpu),
      cell(s.generatorCpu),
      cell(s.chromiumCpu),
      cell(s.machineBusy),
      cell(s.kernelIrqCpu),
      cell(s.otherCpu),
      `${round1(s.lossPercent)} / ${round1(s.lossP90Percent)} / ${round1(s.worstLossPercent)}`,
      s.starved,
      s.udpDrops ? `${s.udpDrops.onPorts} / ${s.udpDrops.total}` : 'n/a',
      `${round1(s.fpsMedian)} / ${round1(s.fpsP10)} / ${round1(s.fpsWorst)}`,
      s.sourceFps.map((f) => Math.round(f)).join(' / '),
      Math.round(s.kbpsMedian),
      [...s.layers].map(([k, n]) => `${k}:${n}`).join(' '),
      verdict(s),
    ]),
  };
}

function verdict(s: FanoutStep): string {
  if (s.stopReason) {
    if (s.starvedPercent > 0) return `${s.stopReason}; one viewer was starved on purpose (--starve-one-viewer)`;
    const limit = limitOf(s);
    return limit ? `${s.stopReason}; ${limit}` : s.stopReason;
  }
  return onTopLayer(s) ? 'ok' : 'ok, but not on the top layer (the publisher dropped it)';
}

/** What the numbers say: the cost per viewer, and what limited the run. */
function interpretation(settings: FanoutSettings, steps: FanoutStep[]): string[] {
  const notes: string[] = [];
  const full = steps.filter((s) => !s.stopReason && onTopLayer(s));
  const reference = full[full.length - 1];
  if (reference) {
    const us = microsPerPacket(reference);
    const perCore = consumersPerCore(reference);
    notes.push(
      `Cost: at ${reference.viewers} viewers on the top layer (${Math.round(reference.kbpsMedian)} kbit/s of video each, plus ` +
        `audio) the mediasoup workers used ${round1(mediasoupCpu(reference))}% of a core: ${us === undefined ? 'n/a' : round1(us)} µs ` +
        `per RTP packet sent, ${Math.round(perCore / CONSUMERS_PER_VIEWER)} viewers (${Math.round(perCore)} consumers) per fully busy ` +
        `core if the cost stays linear, ${perCore >= CONSUMERS_PER_WORKER_ASSUMED ? 'above' : 'below'} the ${CONSUMERS_PER_WORKER_ASSUMED} ` +
        `consumers per worker that SFU_CONSUMERS_PER_ROUTER's default assumes. ${
          full.length >= 2
            ? `From ${full[0]!.viewers} to ${reference.viewers} viewers the cost per packet went from ${round1(microsPerPacket(full[0]!) ?? 0)} ` +
              `to ${round1(us ?? 0)} µs.`
            : ''
        } The server's Node process (signaling) stays near idle once viewers are in: ${steps.map((s) => `${round1(s.nodeCpu ?? 0)}%`).join(', ')}.`,
    );
  } else {
    notes.push(
      'No step measured full-quality fan-out (most viewers on the top layer, within the quality bar): there is no per-viewer cost to quote.',
    );
  }
  const lower = steps.filter((s) => !onTopLayer(s));
  if (lower.length > 0) {
    const dropped = sum(lower.map((s) => (s.udpDropsJoining?.onPorts ?? 0) + (s.udpDrops?.onPorts ?? 0)));
    notes.push(
      `At ${lower.map((s) => s.viewers).join(', ')} viewers most viewers were not on the top layer because the publisher had ` +
        `stopped sending it (see its layers below: "limited by bandwidth" means its loss-based estimate fell after packets were ` +
        `lost on the way in${dropped > 0 ? `; the kernel dropped ${dropped} datagrams at the workers' sockets in those steps, which is where they were lost` : ''}). ` +
        `The server then forwards a fraction of the packets, so those rows' "viewers per core" flatter it; "µs per packet" still compares.`,
    );
  }
  const last = steps[steps.length - 1]!;
  const generatorPer100 = last.generatorCpu === undefined ? undefined : (last.generatorCpu * 100) / last.viewers;
  const machine = `${round1(last.machineBusy ?? 0)}% of all ${os.availableParallelism()} cores busy`;
  const shares =
    `mediasoup ${round1(mediasoupCpu(last))}%, viewers ${round1(last.generatorCpu ?? 0)}%, Chromium ${round1(last.chromiumCpu ?? 0)}%, ` +
    `kernel interrupts ${round1(last.kernelIrqCpu ?? 0)}%, other work on the machine ${round1(last.otherCpu ?? 0)}% (of one core each)`;
  const buffer = receiveBufferDefault();
  const drops =
    last.udpDrops && last.udpDrops.onPorts > 0
      ? ` The kernel dropped ${last.udpDrops.onPorts} datagrams at the mediasoup workers' sockets: the receive buffer ` +
        `(net.core.rmem_default${buffer ? `, ${Math.round(buffer / 1024)} KiB here, roughly ${Math.round(buffer / 2304)} full-size packets` : ''}) ` +
        `overflowed while a worker waited for a core. mediasoup 3.12 has no option to size that buffer (later versions added ` +
        `recvBufferSize to listen infos), so a production host should raise net.core.rmem_default.`
      : '';
  // Per viewer at full quality, in % of a core: what the SFU, the generator and the kernel's loopback work add.
  const basis = reference ?? last;
  const perViewer = (mediasoupCpu(basis) + (basis.generatorCpu ?? 0) + (basis.kernelIrqCpu ?? 0)) / basis.viewers;
  const room = os.availableParallelism() * 100 - (basis.chromiumCpu ?? 0);
  const ceiling =
    `At full quality SFU, viewers and kernel together cost ${round1(perViewer)}% of a core per viewer (at ${basis.viewers}), so ` +
    `this machine runs out of cores near ${Math.round(room / perViewer / 50) * 50} viewers, less whatever else runs on it: past ` +
    `that the test measures the test bed more than the SFU.`;
  notes.push(
    last.stopReason
      ? `What stopped the run at ${last.size} viewers: ${verdict(last)}. The machine at that size: ${machine}: ${shares}.` +
          `${drops} On a dedicated server the viewers and the publisher would not share the workers' cores. ${ceiling}`
      : onTopLayer(last)
        ? `Nothing gave way up to ${last.viewers} viewers; at that size ${machine}: ${shares}.${drops} ${ceiling}`
        : `At ${last.viewers} viewers the viewers kept their frame rate and lost no packets, but the stream lost its top layer ` +
          `(the publisher's estimate fell, see below): ${machine}: ${shares}.${drops} ${ceiling}`,
  );
  notes.push(
    settings.receive === 'full'
      ? `This run used werift's whole receive path, which costs the generator about ${round1(generatorPer100 ?? 0)}% of a core per 100 viewers.`
      : `With --full-receive werift decrypts and parses every packet in JavaScript: about 1% of a core per viewer at this bitrate in ` +
          `trial runs on this machine (96% of a core for 100 viewers), which would cap the test near 150 viewers before the SFU shows strain.`,
  );
  return notes;
}

/** How to read the columns, and what else the run saw. */
function definitions(settings: FanoutSettings, steps: FanoutStep[], info: FanoutRunInfo): string[] {
  return [
    `Join time (socket connect to first whole frame, with ${settings.concurrency * settings.processes} joins in flight): ` +
      steps
        .map((s) => `${ms(s.joinMedianMs)} ms median for the ${s.newJoins} viewers added to reach ${s.viewers}`)
        .join('; ') +
      `. Joins retried once after a failure: ${sum(steps.map((s) => s.joinRetries))}; failed twice (viewer missing): ` +
      `${sum(steps.map((s) => s.joinFailures.length))}${steps.some((s) => s.joinFailures.length > 0) ? ` (e.g. ${steps.find((s) => s.joinFailures.length > 0)!.joinFailures[0]})` : ''}.`,
    `"Workers used" counts the distinct worker WebRTC ports in the viewers' ICE candidates; the server logged 'room spread to ` +
      `another worker' ${info.spreadLogs} time(s) (in the part of its log kept). "Viewers per mediasoup core" = viewers / (sum of ` +
      `worker CPU / 100): what one fully busy worker core would carry at this mix, assuming linear cost; it depends on the layer ` +
      `the viewers get. "mediasoup µs per packet sent" divides the workers' CPU time by the RTP packets (video and audio) the ` +
      `viewers received: a cost that does not depend on the layer.`,
    `CPU columns other than "Machine busy" are in % of one core. "Kernel irq/softirq" is interrupt and softirq time, where Linux ` +
      `does much of the loopback networking (the rest lands in each process's system time). "Other CPU" is busy time that neither ` +
      `these nor the benchmark's processes account for: other work on a shared machine. Before the run started the machine was ` +
      `${info.busyBefore === undefined ? 'n/a' : `${round1(info.busyBefore)}%`} busy (all cores).`,
    `"UDP drops" are datagrams Linux discarded for a full socket receive buffer during the window (/proc/net/udp per socket, ` +
      `/proc/net/snmp RcvbufErrors for the machine): at the mediasoup workers' WebRTC sockets (ingest from the publisher, ` +
      `feedback from viewers) and anywhere (the rest are the viewers' sockets, or other programs').`,
    `Load generator event-loop delay (p99, worst process): ${steps.map((s) => `${round1(s.generatorLagMs)} ms at ${s.viewers}`).join(', ')}` +
      `${settings.bwe ? ": late RTCP feedback from a lagging generator reads as congestion to the server's bandwidth estimate" : ''}.`,
    `UDP drops at the mediasoup workers' sockets while each step's viewers joined and settled (before its window): ` +
      `${steps.map((s) => `${s.udpDropsJoining?.onPorts ?? 'n/a'} reaching ${s.viewers}`).join(', ')}. Every join makes the SFU ask ` +
      `the publisher for a keyframe (at most one per 500 ms) and every keyframe goes to every viewer at once: a burst of ` +
      `sends during which the worker does not read its socket.`,
    `Publisher layers at the end of each window (packets lost count since it started): ${steps.map((s) => `${s.viewers}: ${s.sourceLayers}`).join(' | ')}.`,
    ...(info.withoutWebRole
      ? [
          'The web app (web/dist-test) was not built, so the server ran without the web role (the benchmark does not use the web app).',
        ]
      : []),
  ];
}
