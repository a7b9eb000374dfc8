// The benchmark's publisher, run in a Chromium page with mediasoup-client. It publishes the way the
// studio does (web/src/media/publisher.ts: VP8, three simulcast layers at 1/4, 1/2 and full size,
// 150k/500k/1.5M, L1T3), from Chromium's fake camera or from a canvas that carries the clock.
import { Device } from 'mediasoup-client';
import type {
  Producer,
  RtpCapabilities,
  RtpCodecCapability,
  RtpEncodingParameters,
  Transport,
} from 'mediasoup-client/types';
import { BenchSignaling } from '../signaling.ts';
import { PATTERN_HEIGHT, PATTERN_WIDTH, drawPattern, epochMs } from './clock-pattern.ts';

export interface PublishOptions {
  serverUrl: string;
  streamKey: string;
  /** 'camera': Chromium's fake camera (a moving test pattern); 'clock': the clock pattern canvas. */
  video: 'camera' | 'clock';
  audio: boolean;
  simulcast: boolean;
  fps: number;
  /**
   * Keep the source the same whatever the load: every layer at full size and rate even when the
   * encoder runs short of CPU (degradationPreference 'maintain-framerate-and-resolution'), and
   * no delay-based bandwidth estimation (neither transport-cc nor REMB is negotiated, leaving
   * Chrome's loss-based estimate, which loopback never lowers). For a publisher that shares the
   * machine with the server and the load generator, whose scheduling delays a delay-based
   * estimate would read as congestion and answer by dropping layers.
   */
  steadySource?: boolean;
  /** The video codec; VP8 (the studio's) when absent. H.264 is what the recorder copies instead of transcoding. */
  codec?: 'vp8' | 'h264';
  /**
   * 'clock' only: stamp the frames 1/fps apart (a camera's even timing) instead of with the moment
   * each was drawn, whose timer jitter shows in the RTP timestamps. The recorder's FFmpeg guesses
   * the frame rate from those timestamps, and guesses 90k fps from uneven ones.
   */
  evenTimestamps?: boolean;
}

export interface PublishedLayer {
  rid: string | null;
  framesEncoded: number;
  framesSent: number;
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
  totalEncodeTimeS: number;
  totalPacketSendDelayS: number;
  packetsSent: number;
  bytesSent: number;
  qualityLimitationReason: string;
  /** What the server's receiver reports say about this layer: share of packets lost (0-1) lately, lost in total. */
  remoteFractionLost: number;
  remotePacketsLost: number;
  /** The sender's bandwidth estimate for the whole transport, bit/s (same for every layer). */
  availableOutgoingBitrate: number;
  /** Packets Chrome itself failed to send on the transport so far (its socket or send queue was full). */
  packetsDiscardedOnSend: number;
}

const cameraEncodings = (): RtpEncodingParameters[] => [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_500_000, scalabilityMode: 'L1T3' },
];
const singleEncoding = (): RtpEncodingParameters[] => [{ maxBitrate: 1_500_000 }];

interface Publishing {
  signaling: BenchSignaling;
  transport: Transport;
  producers: Producer[];
  stopDrawing: () => void;
}

let current: Publishing | undefined;

export async function publish(options: PublishOptions): Promise<{ producerIds: string[]; channel: string }> {
  if (current) throw new Error('already publishing');
  const signaling = await BenchSignaling.connect(options.serverUrl);
  const joined = await signaling.request('join', { role: 'publisher', streamKey: options.streamKey });
  const device = await Device.factory();
  const routerRtpCapabilities = options.steadySource
    ? withoutDelayBasedBwe(joined.routerRtpCapabilities)
    : joined.routerRtpCapabilities;
  await device.load({ routerRtpCapabilities });
  const info = await signaling.request('createTransport', { direction: 'send' });
  const transport = device.createSendTransport(info);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signaling
      .request('connectTransport', { transportId: transport.id, dtlsParameters })
      .then(() => callback(), errback);
  });
  transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
    const source = appData.source as 'camera' | 'microphone';
    signaling
      .request('produce', { transportId: transport.id, kind, rtpParameters, source })
      .then(({ producerId }) => callback({ id: producerId }), errback);
  });

  const { track: videoTrack, stop: stopDrawing } =
    options.video === 'camera'
      ? await cameraTrack(options.fps)
      : clockTrack(options.fps, options.evenTimestamps ?? false);
  const producers: Producer[] = [];
  producers.push(
    await transport.produce({
      track: videoTrack,
      encodings: options.simulcast ? cameraEncodings() : singleEncoding(),
      codecOptions: { videoGoogleStartBitrate: 1000 },
      ...(options.codec === 'h264' ? { codec: h264Codec(device) } : {}),
      appData: { source: 'camera' },
    }),
  );
  if (options.steadySource) await holdQuality(producers[0]!);
  if (options.audio) {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    producers.push(
      await transport.produce({
        track: stream.getAudioTracks()[0]!,
        codecOptions: { opusDtx: false },
        appData: { source: 'microphone' },
      }),
    );
  }
  current = { signaling, transport, producers, stopDrawing };
  return { producerIds: producers.map((p) => p.id), channel: joined.channel };
}

/** The video sender's outbound layers, lowest first (by rid, which stays put when a layer pauses). */
export async function publisherStats(): Promise<PublishedLayer[]> {
  const video = current?.producers.find((p) => p.kind === 'video');
  if (!video) throw new Error('not publishing video');
  return layersOf(await video.getStats());
}

/** The outbound video layers in a sender's (or a whole connection's) statistics, lowest first. */
export function layersOf(report: RTCStatsReport): PublishedLayer[] {
  const remote = new Map<string, Record<string, unknown>>();
  let availableOutgoingBitrate = 0;
  let packetsDiscardedOnSend = 0;
  report.forEach((stat: Record<string, unknown>) => {
    if (stat.type === 'remote-inbound-rtp') remote.set(String(stat.localId), stat);
    if (stat.type === 'candidate-pair' && stat.nominated) {
      availableOutgoingBitrate = Math.max(availableOutgoingBitrate, num(stat.availableOutgoingBitrate));
      packetsDiscardedOnSend += num(stat.packetsDiscardedOnSend);
    }
  });
  const layers: PublishedLayer[] = [];
  report.forEach((stat: Record<string, unknown>) => {
    if (stat.type !== 'outbound-rtp' || stat.kind !== 'video') return;
    const fromServer = remote.get(String(stat.id));
    layers.push({
      rid: (stat.rid as string | undefined) ?? null,
      framesEncoded: num(stat.framesEncoded),
      framesSent: num(stat.framesSent),
      frameWidth: num(stat.frameWidth),
      frameHeight: num(stat.frameHeight),
      framesPerSecond: num(stat.framesPerSecond),
      totalEncodeTimeS: num(stat.totalEncodeTime),
      totalPacketSendDelayS: num(stat.totalPacketSendDelay),
      packetsSent: num(stat.packetsSent),
      bytesSent: num(stat.bytesSent),
      qualityLimitationReason: String(stat.qualityLimitationReason ?? ''),
      remoteFractionLost: num(fromServer?.fractionLost),
      remotePacketsLost: num(fromServer?.packetsLost),
      availableOutgoingBitrate,
      packetsDiscardedOnSend,
    });
  });
  return layers.sort((a, b) => (a.rid ?? '').localeCompare(b.rid ?? ''));
}

export async function stopPublishing(): Promise<void> {
  const publishing = current;
  current = undefined;
  if (!publishing) return;
  publishing.stopDrawing();
  await publishing.signaling.request('leave', {}).catch(() => undefined);
  publishing.transport.close();
  publishing.signaling.close();
}

async function cameraTrack(fps: number): Promise<{ track: MediaStreamTrack; stop: () => void }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: fps } });
  const track = stream.getVideoTracks()[0]!;
  return { track, stop: () => track.stop() };
}

/**
 * A canvas that shows the time it was drawn at. The frame is captured right after each draw
 * (captureStream(0) + requestFrame), so the time in the frame is its capture time, as a camera's
 * would be. 'detail' keeps the encoder from trading resolution for frame rate. With
 * `evenTimestamps` the frames go through a MediaStreamTrackGenerator instead, stamped n/fps.
 */
export function clockTrack(fps: number, evenTimestamps: boolean): { track: MediaStreamTrack; stop: () => void } {
  const canvas = document.createElement('canvas');
  canvas.width = PATTERN_WIDTH;
  canvas.height = PATTERN_HEIGHT;
  const context = canvas.getContext('2d', { alpha: false });
  if (!context) throw new Error('no 2D canvas');
  const { track, push, close } = evenTimestamps ? generatedTrack(canvas, fps) : capturedTrack(canvas);
  track.contentHint = 'detail';
  let frame = 0;
  const draw = () => {
    drawPattern(context, epochMs(), frame);
    push(frame++);
  };
  draw();
  const timer = setInterval(draw, 1000 / fps);
  return {
    track,
    stop: () => {
      clearInterval(timer);
      close();
      track.stop();
    },
  };
}

interface CanvasTrack {
  track: MediaStreamTrack;
  /** Hands the canvas as it is now to the track as frame number `frame`. */
  push(frame: number): void;
  close(): void;
}

function capturedTrack(canvas: HTMLCanvasElement): CanvasTrack {
  const track = canvas.captureStream(0).getVideoTracks()[0]! as CanvasCaptureMediaStreamTrack;
  return { track, push: () => track.requestFrame(), close: () => undefined };
}

/** Chromium's MediaStreamTrackGenerator (not in TypeScript's DOM types). */
declare class MediaStreamTrackGenerator extends MediaStreamTrack {
  constructor(init: { kind: 'video' });
  readonly writable: WritableStream<VideoFrame>;
}

function generatedTrack(canvas: HTMLCanvasElement, fps: number): CanvasTrack {
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const writer = generator.writable.getWriter();
  return {
    track: generator,
    push: (frame) => {
      const videoFrame = new VideoFrame(canvas, { timestamp: Math.round((frame * 1_000_000) / fps) });
      // The track takes the frame; one it refuses (closed) is ours to release.
      writer.write(videoFrame).catch(() => videoFrame.close());
    },
    close: () => void writer.close().catch(() => undefined),
  };
}

/** Constrained baseline, packetization-mode 1: the H.264 every WebRTC browser encodes. */
function h264Codec(device: Device): RtpCodecCapability {
  const codec = device.rtpCapabilities.codecs?.find(
    (c) =>
      c.mimeType.toLowerCase() === 'video/h264' &&
      c.parameters?.['packetization-mode'] === 1 &&
      c.parameters?.['profile-level-id'] === '42e01f',
  );
  if (!codec) throw new Error('this browser and the router share no constrained-baseline H.264');
  return codec;
}

function withoutDelayBasedBwe(capabilities: RtpCapabilities): RtpCapabilities {
  const delayBased = new Set(['transport-cc', 'goog-remb']);
  return {
    ...capabilities,
    codecs: capabilities.codecs?.map((codec) => ({
      ...codec,
      rtcpFeedback: codec.rtcpFeedback?.filter((f) => !delayBased.has(f.type)),
    })),
    headerExtensions: capabilities.headerExtensions?.filter((h) => !/transport-wide-cc|abs-send-time/.test(h.uri)),
  };
}

async function holdQuality(producer: Producer): Promise<void> {
  const sender = producer.rtpSender;
  if (!sender) throw new Error('the producer has no RTCRtpSender');
  const parameters = sender.getParameters();
  // Newer than TypeScript's DOM types; Chromium has had it since M121.
  (parameters as { degradationPreference?: string }).degradationPreference = 'maintain-framerate-and-resolution';
  await sender.setParameters(parameters);
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
