// Turns WebRTC getStats() reports into the few numbers a streamer or a viewer cares about. Pure
// functions over a report and a sampler of previous values, so they can be tested without a
// browser. Counters in a report are cumulative; rates come from the difference to an earlier
// sample at least MIN_INTERVAL_MS old, so two callers polling at once do not produce noise.
const MIN_INTERVAL_MS = 250;

type Stat = { id: string; type: string; timestamp: number } & Record<string, unknown>;

interface Sample {
  timestamp: number;
  value: number;
  last: { dv: number; dt: number } | null;
}

export class DeltaSampler {
  readonly #samples = new Map<string, Sample>();

  /** How much `value` grew since an earlier sample and over how many ms; null the first time. */
  diff(key: string, timestamp: number, value: number): { dv: number; dt: number } | null {
    const anchor = this.#samples.get(key);
    if (!anchor || value < anchor.value) {
      // First sight, or a counter that restarted (a new stream behind the same key).
      this.#samples.set(key, { timestamp, value, last: null });
      return null;
    }
    const dt = timestamp - anchor.timestamp;
    if (dt < MIN_INTERVAL_MS) return anchor.last;
    const result = { dv: value - anchor.value, dt };
    this.#samples.set(key, { timestamp, value, last: result });
    return result;
  }

  /** Per-second rate of a counter, or null before there are two samples. */
  rate(key: string, timestamp: number, value: number): number | null {
    const d = this.diff(key, timestamp, value);
    return d && d.dt > 0 ? (d.dv * 1000) / d.dt : null;
  }
}

export interface PlayerStats {
  /** Of the main video. */
  framesDecoded: number;
  framesDropped: number;
  frameWidth: number;
  frameHeight: number;
  fps: number;
  audioPacketsReceived: number;
  audioTotalSamplesReceived: number;
  /** 0..1, of the main audio track. */
  audioLevel: number;
  /** All incoming media, bits per second. */
  bitrate: number;
  /** Share of packets lost since the previous sample, 0..1. */
  packetLoss: number;
  rttMs: number | null;
  jitterBufferMs: number | null;
  decodeMs: number | null;
  /** Estimated glass-to-glass delay minus capture and encode: jitter buffer + RTT/2 + decode. */
  delayMs: number | null;
  /** The layer the server forwards to us (it drops on a bad link). */
  spatialLayer: number | null;
  temporalLayer: number | null;
}

export interface PublisherLayerStats {
  rid: string | null;
  width: number;
  height: number;
  fps: number;
  /** Bits per second. */
  bitrate: number;
  active: boolean;
  /** Why the browser sends less than asked: cpu, bandwidth, other; null when it does not. */
  qualityLimitationReason: string | null;
}

export interface PublisherStats {
  /** All outgoing media, bits per second. */
  bitrate: number;
  videoBitrate: number;
  audioBitrate: number;
  /** Of the highest layer being sent of the main video. */
  width: number;
  height: number;
  fps: number;
  /** Simulcast layers of the main video, lowest first. */
  layers: PublisherLayerStats[];
  /** Share of packets the server reports lost, 0..1. */
  packetLoss: number;
  rttMs: number | null;
  /** The browser's bandwidth estimate toward the server, bits per second. */
  availableOutgoingBitrate: number | null;
}

function stats(report: RTCStatsReport): Stat[] {
  const all: Stat[] = [];
  report.forEach((value: Stat) => all.push(value));
  return all;
}

function num(stat: Stat | undefined, field: string): number {
  const value = stat?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function optionalNum(stat: Stat | undefined, field: string): number | null {
  const value = stat?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(stat: Stat | undefined, field: string): string | null {
  const value = stat?.[field];
  return typeof value === 'string' ? value : null;
}

/** The candidate pair in use: the one the transport names, else a nominated, succeeded one. */
export function selectedCandidatePair(all: Stat[]): Stat | undefined {
  const byId = new Map(all.map((s) => [s.id, s]));
  for (const s of all) {
    const pairId = s.type === 'transport' ? str(s, 'selectedCandidatePairId') : null;
    if (pairId && byId.has(pairId)) return byId.get(pairId);
  }
  return all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
}

export function readPlayerStats(
  report: RTCStatsReport,
  tracks: { videoTrackId: string | null; audioTrackId: string | null },
  sampler: DeltaSampler,
): Omit<PlayerStats, 'spatialLayer' | 'temporalLayer'> {
  const all = stats(report);
  const inbound = all.filter((s) => s.type === 'inbound-rtp');
  const video = inbound.find((s) => s.kind === 'video' && s.trackIdentifier === tracks.videoTrackId);
  const audio = inbound.find((s) => s.kind === 'audio' && s.trackIdentifier === tracks.audioTrackId);

  let bitrate = 0;
  let lost = 0;
  let received = 0;
  for (const s of inbound) {
    bitrate += 8 * (sampler.rate(`rx-bytes:${s.id}`, s.timestamp, num(s, 'bytesReceived')) ?? 0);
    lost += Math.max(0, sampler.diff(`rx-lost:${s.id}`, s.timestamp, num(s, 'packetsLost'))?.dv ?? 0);
    received += sampler.diff(`rx-packets:${s.id}`, s.timestamp, num(s, 'packetsReceived'))?.dv ?? 0;
  }

  const pair = selectedCandidatePair(all);
  const rtt = optionalNum(pair, 'currentRoundTripTime');
  const rttMs = rtt === null ? null : rtt * 1000;

  let jitterBufferMs: number | null = null;
  let decodeMs: number | null = null;
  if (video) {
    const buffered = sampler.diff(`jb-delay:${video.id}`, video.timestamp, num(video, 'jitterBufferDelay'));
    const emitted = sampler.diff(`jb-count:${video.id}`, video.timestamp, num(video, 'jitterBufferEmittedCount'));
    // The recent average when frames flowed since the last sample, else the lifetime average.
    if (buffered && emitted && emitted.dv > 0) jitterBufferMs = (buffered.dv / emitted.dv) * 1000;
    else if (num(video, 'jitterBufferEmittedCount') > 0)
      jitterBufferMs = (num(video, 'jitterBufferDelay') / num(video, 'jitterBufferEmittedCount')) * 1000;
    const decodeTime = sampler.diff(`decode-time:${video.id}`, video.timestamp, num(video, 'totalDecodeTime'));
    const decoded = sampler.diff(`decoded:${video.id}`, video.timestamp, num(video, 'framesDecoded'));
    if (decodeTime && decoded && decoded.dv > 0) decodeMs = (decodeTime.dv / decoded.dv) * 1000;
    else if (num(video, 'framesDecoded') > 0)
      decodeMs = (num(video, 'totalDecodeTime') / num(video, 'framesDecoded')) * 1000;
  }
  const delayMs = jitterBufferMs === null ? null : jitterBufferMs + (rttMs ?? 0) / 2 + (decodeMs ?? 0);

  return {
    framesDecoded: num(video, 'framesDecoded'),
    framesDropped: num(video, 'framesDropped'),
    frameWidth: num(video, 'frameWidth'),
    frameHeight: num(video, 'frameHeight'),
    fps: num(video, 'framesPerSecond'),
    audioPacketsReceived: num(audio, 'packetsReceived'),
    audioTotalSamplesReceived: num(audio, 'totalSamplesReceived'),
    audioLevel: num(audio, 'audioLevel'),
    bitrate: Math.round(bitrate),
    packetLoss: lost + received > 0 ? lost / (lost + received) : 0,
    rttMs,
    jitterBufferMs,
    decodeMs,
    delayMs,
  };
}

export function readPublisherStats(
  report: RTCStatsReport,
  mainVideoTrackId: string | null,
  sampler: DeltaSampler,
): PublisherStats {
  const all = stats(report);
  const byId = new Map(all.map((s) => [s.id, s]));
  const outbound = all.filter((s) => s.type === 'outbound-rtp');

  let videoBitrate = 0;
  let audioBitrate = 0;
  const layers: PublisherLayerStats[] = [];
  for (const s of outbound) {
    const bitrate = 8 * (sampler.rate(`tx-bytes:${s.id}`, s.timestamp, num(s, 'bytesSent')) ?? 0);
    if (s.kind === 'audio') {
      audioBitrate += bitrate;
      continue;
    }
    videoBitrate += bitrate;
    const source = byId.get(str(s, 'mediaSourceId') ?? '');
    if (mainVideoTrackId === null || str(source, 'trackIdentifier') !== mainVideoTrackId) continue;
    const reason = str(s, 'qualityLimitationReason');
    layers.push({
      rid: str(s, 'rid'),
      width: num(s, 'frameWidth'),
      height: num(s, 'frameHeight'),
      fps: num(s, 'framesPerSecond'),
      bitrate: Math.round(bitrate),
      active: s.active !== false && num(s, 'framesPerSecond') > 0,
      qualityLimitationReason: reason && reason !== 'none' ? reason : null,
    });
  }
  layers.sort((a, b) => a.height - b.height || (a.rid ?? '').localeCompare(b.rid ?? ''));
  const top = [...layers].reverse().find((l) => l.active) ?? layers[layers.length - 1];

  // Receiver reports from the server: loss per stream, weighted by what each stream sent.
  let lossWeighted = 0;
  let weight = 0;
  let reportRtt: number | null = null;
  for (const s of all) {
    if (s.type !== 'remote-inbound-rtp') continue;
    const local = byId.get(str(s, 'localId') ?? '');
    const sent = local
      ? (sampler.diff(`tx-packets:${local.id}`, local.timestamp, num(local, 'packetsSent'))?.dv ?? 0)
      : 0;
    lossWeighted += num(s, 'fractionLost') * sent;
    weight += sent;
    reportRtt ??= optionalNum(s, 'roundTripTime');
  }

  const pair = selectedCandidatePair(all);
  const pairRtt = optionalNum(pair, 'currentRoundTripTime');
  const rtt = pairRtt ?? reportRtt;
  return {
    bitrate: Math.round(videoBitrate + audioBitrate),
    videoBitrate: Math.round(videoBitrate),
    audioBitrate: Math.round(audioBitrate),
    width: top?.width ?? 0,
    height: top?.height ?? 0,
    fps: top?.fps ?? 0,
    layers,
    packetLoss: weight > 0 ? lossWeighted / weight : 0,
    rttMs: rtt === null ? null : rtt * 1000,
    availableOutgoingBitrate: optionalNum(pair, 'availableOutgoingBitrate'),
  };
}
