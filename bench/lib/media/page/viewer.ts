// The benchmark's viewer, run in a Chromium page with mediasoup-client: joins a channel, consumes
// its video into a <video> and watches the frames with requestVideoFrameCallback. Two uses: the
// time to the first frame, and reading the clock pattern out of every frame. http-media.ts
// watches over WHEP instead and hands its <video> to the same clock reading.
import { Device } from 'mediasoup-client';
import { BenchSignaling } from '../signaling.ts';
import {
  PATTERN_BAND_HEIGHT,
  PATTERN_HEIGHT,
  PATTERN_WIDTH,
  epochMs,
  latencyMs,
  readPattern,
} from './clock-pattern.ts';

export interface WatchOptions {
  serverUrl: string;
  channel: string;
  timeoutMs: number;
}

/** Milliseconds from the join request to each step, in this page's clock. */
export interface FirstFrameTimings {
  /** Socket.io connection, before the join (not part of the time to first frame). */
  connectMs: number;
  joinedMs: number;
  /** mediasoup-client Device loaded with the router's capabilities (client-side work only). */
  deviceLoadedMs: number;
  transportMs: number;
  consumedMs: number;
  resumedMs: number;
  /** The first frame was handed to the compositor (requestVideoFrameCallback presentationTime). */
  firstFrameMs: number;
  frameWidth: number;
  frameHeight: number;
}

export interface ClockSample {
  /** Epoch ms the frame was expected on screen (viewer clock) minus the time drawn into it (publisher clock). */
  latencyMs: number;
  /** The same, up to the moment the frame was handed to the compositor. */
  presentedLatencyMs: number;
  width: number;
}

export interface ClockResult {
  samples: ClockSample[];
  /** Frames presented in the sampling period whose pattern could not be read. */
  unreadable: number;
  framesPresented: number;
  receiver: ReceiverStats;
}

export interface ReceiverStats {
  framesDecoded: number;
  framesDropped: number;
  packetsLost: number;
  packetsReceived: number;
  nackCount: number;
  jitterBufferDelayS: number;
  jitterBufferEmittedCount: number;
  totalDecodeTimeS: number;
  totalProcessingDelayS: number;
  frameWidth: number;
}

/** What is being watched, however it arrives. */
export interface Watching {
  video: HTMLVideoElement;
  /** Statistics holding the video's inbound-rtp. */
  stats(): Promise<RTCStatsReport>;
  close(): Promise<void>;
}

let current: Watching | undefined;

/** Makes `watching` the video readClock() reads and stopWatching() ends. */
export function watch(watching: Watching): void {
  if (current) throw new Error('already watching');
  current = watching;
}

export async function firstFrame(options: WatchOptions): Promise<FirstFrameTimings> {
  const connectStart = performance.now();
  const signaling = await BenchSignaling.connect(options.serverUrl, options.timeoutMs);
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const joined = await signaling.request('join', { role: 'viewer', channel: options.channel });
  const joinedMs = since();
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const deviceLoadedMs = since();
  const producer = joined.producers.find((p) => p.kind === 'video');
  if (!producer) throw new Error(`channel ${options.channel} has no video producer`);
  const info = await signaling.request('createTransport', { direction: 'recv' });
  const transport = device.createRecvTransport(info);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signaling
      .request('connectTransport', { transportId: transport.id, dtlsParameters })
      .then(() => callback(), errback);
  });
  const transportMs = since();
  const consumed = await signaling.request('consume', {
    transportId: transport.id,
    producerId: producer.producerId,
    rtpCapabilities: device.rtpCapabilities,
  });
  const consumer = await transport.consume({
    id: consumed.id,
    producerId: consumed.producerId,
    kind: consumed.kind,
    rtpParameters: consumed.rtpParameters,
  });
  const consumedMs = since();
  const video = attach(consumer.track);
  const presented = nextFrame(video, options.timeoutMs);
  await signaling.request('resumeConsumer', { consumerId: consumer.id });
  const resumedMs = since();
  const frame = await presented;
  watch({
    video,
    stats: () => consumer.getStats(),
    close: async () => {
      await signaling.request('leave', {}).catch(() => undefined);
      transport.close();
      signaling.close();
    },
  });
  return {
    connectMs: t0 - connectStart,
    joinedMs,
    deviceLoadedMs,
    transportMs,
    consumedMs,
    resumedMs,
    firstFrameMs: frame.metadata.presentationTime - t0,
    frameWidth: frame.metadata.width,
    frameHeight: frame.metadata.height,
  };
}

/**
 * After firstFrame(): reads the clock from every presented frame, skipping `warmupMs`, until
 * `samples` were read or `timeoutMs` passed. `skewMs` is (publisher clock - viewer clock).
 */
export async function readClock(options: {
  warmupMs: number;
  samples: number;
  timeoutMs: number;
  skewMs: number;
}): Promise<ClockResult> {
  const watching = current;
  if (!watching) throw new Error('call firstFrame first');
  const canvas = document.createElement('canvas');
  canvas.width = PATTERN_WIDTH;
  canvas.height = PATTERN_BAND_HEIGHT;
  const context = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
  if (!context) throw new Error('no 2D canvas');
  const samples: ClockSample[] = [];
  let unreadable = 0;
  let framesPresented = 0;
  const startAt = performance.now() + options.warmupMs;
  const deadline = startAt + options.timeoutMs;
  await new Promise<void>((resolve) => {
    const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
      if (metadata.presentationTime >= startAt) {
        framesPresented++;
        context.drawImage(watching.video, 0, 0, PATTERN_WIDTH, PATTERN_HEIGHT);
        const encoded = readPattern(context.getImageData(0, 0, PATTERN_WIDTH, PATTERN_BAND_HEIGHT).data);
        if (encoded === undefined) {
          unreadable++;
        } else {
          // The publisher's clock, read in the viewer: viewer epoch + skew.
          const origin = performance.timeOrigin + options.skewMs;
          samples.push({
            latencyMs: latencyMs(encoded, origin + metadata.expectedDisplayTime),
            presentedLatencyMs: latencyMs(encoded, origin + metadata.presentationTime),
            width: metadata.width,
          });
        }
      }
      if (samples.length >= options.samples || performance.now() > deadline) resolve();
      else watching.video.requestVideoFrameCallback(onFrame);
    };
    watching.video.requestVideoFrameCallback(onFrame);
    // A stalled stream presents no frame, so no callback would ever check the deadline.
    setTimeout(resolve, options.warmupMs + options.timeoutMs + 1000);
  });
  return { samples, unreadable, framesPresented, receiver: receiverStats(await watching.stats()) };
}

export async function stopWatching(): Promise<void> {
  const watching = current;
  current = undefined;
  if (!watching) return;
  await watching.close();
  watching.video.remove();
}

/** Offsets of this page's clocks: high-resolution epoch minus Date.now(), median of many reads. */
export function clockOffsetMs(): number {
  const diffs: number[] = [];
  for (let i = 0; i < 2000; i++) diffs.push(epochMs() - Date.now());
  diffs.sort((a, b) => a - b);
  // Date.now() truncates to the millisecond, so the difference sits in [offset, offset + 1).
  return diffs[Math.floor(diffs.length / 2)]! - 0.5;
}

function receiverStats(report: RTCStatsReport): ReceiverStats {
  let stats: ReceiverStats | undefined;
  report.forEach((stat: Record<string, unknown>) => {
    if (stat.type !== 'inbound-rtp' || stat.kind !== 'video') return;
    stats = {
      framesDecoded: num(stat.framesDecoded),
      framesDropped: num(stat.framesDropped),
      packetsLost: num(stat.packetsLost),
      packetsReceived: num(stat.packetsReceived),
      nackCount: num(stat.nackCount),
      jitterBufferDelayS: num(stat.jitterBufferDelay),
      jitterBufferEmittedCount: num(stat.jitterBufferEmittedCount),
      totalDecodeTimeS: num(stat.totalDecodeTime),
      totalProcessingDelayS: num(stat.totalProcessingDelay),
      frameWidth: num(stat.frameWidth),
    };
  });
  if (!stats) throw new Error('no inbound-rtp video stats');
  return stats;
}

export function attach(track: MediaStreamTrack): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.width = 640;
  video.height = 360;
  video.srcObject = new MediaStream([track]);
  document.body.append(video);
  // Not awaited: play() settles only once data arrives, which is what we are timing.
  video.play().catch(() => undefined);
  return video;
}

export function nextFrame(
  video: HTMLVideoElement,
  timeoutMs: number,
): Promise<{ metadata: VideoFrameCallbackMetadata }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no video frame within ${timeoutMs} ms`)), timeoutMs);
    video.requestVideoFrameCallback((_now, metadata) => {
      clearTimeout(timer);
      resolve({ metadata });
    });
  });
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
