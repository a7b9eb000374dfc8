// Injected into the web app's own pages (webinar and channel pages) before their scripts run, to
// look at what the page does without changing it: every RTCPeerConnection the page makes is
// remembered, so a benchmark can read its statistics (what the page receives and sends); the
// host's getDisplayMedia can be replaced by a canvas carrying the clock pattern; and the clock can
// be read back out of the main share's <video> on an attendee's page (viewer.ts's readClock).
import { PATTERN_HEIGHT, PATTERN_WIDTH, drawPattern, epochMs } from './clock-pattern.ts';
import { clockOffsetMs, readClock, stopWatching, watch } from './viewer.ts';

/** Set by the init script before this bundle runs. */
export interface StageProbeConfig {
  /** Replace getDisplayMedia with the clock pattern drawn at this size and rate. */
  clockScreen?: { width: number; height: number; fps: number };
}

/** One inbound RTP stream of the page, as getStats counts it so far. */
export interface InboundStream {
  kind: 'audio' | 'video';
  trackId: string;
  /** The m-section; mediasoup-client's bandwidth probation stream is 'probator'. */
  mid: string | null;
  /** Who and what it is on a webinar page (the stage client's roster); null elsewhere. */
  name: string | null;
  source: string | null;
  /** The spatial layer the page asked for; null when it asked none (audio, one layer). */
  layerAsked: number | null;
  bytes: number;
  headerBytes: number;
  packets: number;
  packetsLost: number;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
}

/** One outbound RTP stream (one simulcast layer) of the page. */
export interface OutboundStream {
  /** camera, screen (the app marks a share contentHint 'detail') or microphone. */
  source: string;
  rid: string | null;
  bytes: number;
  headerBytes: number;
  packets: number;
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
  framesEncoded: number;
  totalEncodeTimeS: number;
  totalPacketSendDelayS: number;
  qualityLimitationReason: string;
}

export interface PageTraffic {
  /** RTCPeerConnections the page made and has not closed. */
  connections: number;
  /** Every byte the page's transports received (RTP with headers, RTCP, SRTP overhead; not ICE/DTLS). */
  transportBytesReceived: number;
  transportBytesSent: number;
  inbound: InboundStream[];
  outbound: OutboundStream[];
}

interface StageFeedLike {
  track: MediaStreamTrack;
  consumerId: string;
}
interface StageLike {
  members: { peerId: string; name: string; feeds: Record<string, StageFeedLike | undefined> }[];
  feeds: { consumerId: string; layer: number | null }[];
  status: { activeSpeaker: string | null };
}

const connections: RTCPeerConnection[] = [];

/** Remembers every RTCPeerConnection made from now on; the class stays what the page's code expects. */
function trackPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = new Proxy(Native, {
    construct(target, args: ConstructorParameters<typeof RTCPeerConnection>, newTarget) {
      const pc = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
      connections.push(pc);
      return pc;
    },
  });
}

/** getDisplayMedia answers with a canvas showing the time it was drawn at (captured right after each draw). */
function useClockScreen(options: { width: number; height: number; fps: number }): void {
  navigator.mediaDevices.getDisplayMedia = async () => {
    const canvas = document.createElement('canvas');
    canvas.width = options.width;
    canvas.height = options.height;
    const context = canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('no 2D canvas');
    // The pattern is laid out for 1280x720; a bigger screen draws it scaled, so it reads the same.
    context.setTransform(options.width / PATTERN_WIDTH, 0, 0, options.height / PATTERN_HEIGHT, 0, 0);
    const stream = canvas.captureStream(0);
    const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
    let frame = 0;
    const draw = () => {
      drawPattern(context, epochMs(), frame++);
      track.requestFrame();
    };
    draw();
    setInterval(draw, 1000 / options.fps);
    return stream;
  };
}

function stage(): StageLike | undefined {
  return (window as unknown as { __aethex?: { stage?: StageLike } }).__aethex?.stage;
}

/** Hands the main share's <video> on this webinar page to readClock, once it shows a picture. */
async function watchMainShare(timeoutMs: number): Promise<{ width: number; height: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const video = document.querySelector<HTMLVideoElement>('[data-role="main"] video');
    const track = video?.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks()[0] : undefined;
    if (video && track && video.videoWidth > 0) {
      const receiver = connections
        .flatMap((pc) => (pc.connectionState === 'closed' ? [] : pc.getReceivers()))
        .find((r) => r.track.id === track.id);
      if (!receiver) throw new Error("the main share's track belongs to no RTCPeerConnection the page made");
      watch({ video, stats: () => receiver.getStats(), close: async () => undefined });
      return { width: video.videoWidth, height: video.videoHeight };
    }
    if (performance.now() > deadline) throw new Error(`no picture of the main share within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the page's RTCPeerConnections received and sent so far. */
async function traffic(): Promise<PageTraffic> {
  const open = connections.filter((pc) => pc.connectionState !== 'closed');
  const byTrack = new Map<string, { name: string; source: string; layer: number | null }>();
  const current = stage();
  if (current) {
    const layers = new Map(current.feeds.map((f) => [f.consumerId, f.layer]));
    for (const member of current.members) {
      for (const [source, feed] of Object.entries(member.feeds)) {
        if (feed) byTrack.set(feed.track.id, { name: member.name, source, layer: layers.get(feed.consumerId) ?? null });
      }
    }
  }
  const result: PageTraffic = {
    connections: open.length,
    transportBytesReceived: 0,
    transportBytesSent: 0,
    inbound: [],
    outbound: [],
  };
  for (const pc of open) {
    const report = await pc.getStats();
    report.forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'transport') {
        result.transportBytesReceived += num(stat.bytesReceived);
        result.transportBytesSent += num(stat.bytesSent);
      } else if (stat.type === 'inbound-rtp') {
        const trackId = String(stat.trackIdentifier ?? '');
        const feed = byTrack.get(trackId);
        result.inbound.push({
          kind: stat.kind === 'audio' ? 'audio' : 'video',
          trackId,
          mid: typeof stat.mid === 'string' ? stat.mid : null,
          name: feed?.name ?? null,
          source: feed?.source ?? null,
          layerAsked: feed?.layer ?? null,
          bytes: num(stat.bytesReceived),
          headerBytes: num(stat.headerBytesReceived),
          packets: num(stat.packetsReceived),
          packetsLost: num(stat.packetsLost),
          framesDecoded: num(stat.framesDecoded),
          frameWidth: num(stat.frameWidth),
          frameHeight: num(stat.frameHeight),
        });
      }
    });
    for (const sender of pc.getSenders()) {
      const track = sender.track;
      if (!track) continue;
      const source = track.kind === 'audio' ? 'microphone' : track.contentHint === 'detail' ? 'screen' : 'camera';
      (await sender.getStats()).forEach((stat: Record<string, unknown>) => {
        if (stat.type !== 'outbound-rtp') return;
        result.outbound.push({
          source,
          rid: (stat.rid as string | undefined) ?? null,
          bytes: num(stat.bytesSent),
          headerBytes: num(stat.headerBytesSent),
          packets: num(stat.packetsSent),
          frameWidth: num(stat.frameWidth),
          frameHeight: num(stat.frameHeight),
          framesPerSecond: num(stat.framesPerSecond),
          framesEncoded: num(stat.framesEncoded),
          totalEncodeTimeS: num(stat.totalEncodeTime),
          totalPacketSendDelayS: num(stat.totalPacketSendDelay),
          qualityLimitationReason: String(stat.qualityLimitationReason ?? ''),
        });
      });
    }
  }
  return result;
}

/** Who the page's stage client says speaks now, by name; null when nobody (or no stage). */
function speaker(): string | null {
  const current = stage();
  const peerId = current?.status.activeSpeaker;
  if (!current || !peerId) return null;
  return current.members.find((m) => m.peerId === peerId)?.name ?? 'someone not shown';
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

export const benchStage = { watchMainShare, readClock, stopWatching, clockOffsetMs, traffic, speaker };
export type BenchStageApi = typeof benchStage;

declare global {
  interface Window {
    benchStage?: BenchStageApi;
    __benchStageConfig?: StageProbeConfig;
  }
}

trackPeerConnections();
const config = window.__benchStageConfig ?? {};
if (config.clockScreen) useClockScreen(config.clockScreen);
window.benchStage = benchStage;
