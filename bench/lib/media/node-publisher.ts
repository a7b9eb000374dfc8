// A publisher in Node that sends recorded media (recorded-media.ts): a camera in three simulcast
// layers (VP8), a microphone (Opus) and, for a host, a screen in two layers, over a real WebRTC send
// transport (werift: ICE, DTLS, SRTP) into the SFU, through the media signaling protocol as the web
// app's clients use it. It joins a channel with a stream key, or a webinar's stage as a signed-in
// member (the session cookie and the site's Origin on its socket.io handshake, as a page of the
// site sends them).
//
// It costs no encoder: frames are packetized as they were recorded and sent on a fixed clock, each
// layer at its recorded bitrate whatever the load, with RTCP sender reports every second. It does not answer keyframe requests (a viewer
// joining or switching layers waits for the next recorded keyframe, KEYFRAME_INTERVAL_S) nor
// retransmit (loopback loses nothing in a healthy run).
import {
  RTCPeerConnection,
  RtcpSenderInfo,
  RtcpSrPacket,
  RtpHeader,
  useOPUS,
  useVP8,
  type RTCDtlsTransport,
} from 'werift';
import type { MediaSource } from '../../../common/protocol/media-signaling.ts';
import { VOICE_FRAME_MS, type RecordedMedia, type RecordedVideo } from './recorded-media.ts';
import { answerDtls, remoteAnswer } from './remote-sdp.ts';
import { loopbackPeer } from './werift-peer.ts';
import { BenchSignaling } from './signaling.ts';

const AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const AUDIO_LEVEL_ID = 10;
const VP8_PT = 96;
const OPUS_PT = 111;
/** RTP payload per packet: the VP8 payload descriptor plus at most this much of a frame. */
const MAX_FRAME_BYTES_PER_PACKET = 1150;
/** RTCP sender reports, as often as a browser sends them. */
const SENDER_REPORT_MS = 1000;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

export type PublisherJoin =
  { role: 'publisher'; streamKey: string } | { role: 'stage'; webinar: string; cookie: string; origin: string };

export interface NodePublisherOptions {
  serverUrl: string;
  join: PublisherJoin;
  media: RecordedMedia;
  /** Also share the recorded screen (a host). */
  share?: boolean;
  /** A STUN server on loopback (loopback-stun.ts): werift would otherwise ask one on the internet. */
  stunUrl: string;
  /** Whether the voice is heard at `elapsedMs` (its audio level says speech, else silence): who speaks when. */
  speaking: (elapsedMs: number) => boolean;
  timeoutMs: number;
}

/** What the publisher sent so far: each layer of its camera (and screen), lowest first, and its voice. */
export interface PublisherSent {
  layers: {
    source: 'camera' | 'screen';
    width: number;
    height: number;
    packets: number;
    bytes: number;
    frames: number;
  }[];
  voice: { packets: number; bytes: number };
}

interface Stream {
  ssrc: number;
  sequence: number;
  packets: number;
  bytes: number;
}

/** One recorded video being sent: its layers' streams and where it is in the recording. */
interface Video {
  source: 'camera' | 'screen';
  recorded: RecordedVideo;
  streams: Stream[];
  frame: number;
  pictureId: number;
}

const newStream = (): Stream => ({
  ssrc: Math.floor(Math.random() * 0xfffffff0) + 1,
  sequence: Math.floor(Math.random() * 0xffff),
  packets: 0,
  bytes: 0,
});

export class NodePublisher {
  readonly #signaling: BenchSignaling;
  readonly #pc: RTCPeerConnection;
  readonly #dtls: RTCDtlsTransport;
  readonly #media: RecordedMedia;
  readonly #videos: Video[];
  readonly #voice = newStream();
  readonly #timers: NodeJS.Timeout[] = [];
  #voiceFrame = 0;
  readonly #timestampBase = Math.floor(Math.random() * 0x7fffffff);
  #closed = false;

  private constructor(
    signaling: BenchSignaling,
    pc: RTCPeerConnection,
    dtls: RTCDtlsTransport,
    media: RecordedMedia,
    share: boolean,
  ) {
    this.#signaling = signaling;
    this.#pc = pc;
    this.#dtls = dtls;
    this.#media = media;
    const video = (source: 'camera' | 'screen', recorded: RecordedVideo): Video => ({
      source,
      recorded,
      streams: recorded.layers.map(newStream),
      frame: 0,
      pictureId: Math.floor(Math.random() * 0x7fff),
    });
    this.#videos = [video('camera', media.camera)];
    if (share) {
      if (!media.screen) throw new Error('no screen was recorded to share');
      this.#videos.push(video('screen', media.screen));
    }
  }

  static async start(options: NodePublisherOptions): Promise<NodePublisher> {
    if (!/^stun:127\.\d+\.\d+\.\d+:\d+$/.test(options.stunUrl))
      throw new Error(`the STUN server must be on loopback, got ${options.stunUrl}`);
    const { join } = options;
    const signaling = await BenchSignaling.connect(
      options.serverUrl,
      options.timeoutMs,
      join.role === 'stage' ? { cookie: join.cookie, origin: join.origin } : undefined,
    );
    let pc: RTCPeerConnection | undefined;
    let publisher: NodePublisher | undefined;
    try {
      await signaling.request(
        'join',
        join.role === 'stage'
          ? { role: 'stage', webinar: join.webinar }
          : { role: 'publisher', streamKey: join.streamKey },
      );
      const transport = await signaling.request('createTransport', { direction: 'send' });
      pc = loopbackPeer(options.stunUrl, {
        codecs: { video: [useVP8()], audio: [useOPUS()] },
        headerExtensions: { video: [], audio: [] },
      });
      // Two sections are enough to open the transport; the producers' SSRCs tell the streams apart.
      pc.addTransceiver('video', { direction: 'sendonly' });
      pc.addTransceiver('audio', { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const offer = pc.localDescription?.sdp;
      if (!offer) throw new Error('werift produced no offer');
      await pc.setRemoteDescription({ type: 'answer', sdp: remoteAnswer(transport, offer) });
      await signaling.request('connectTransport', { transportId: transport.id, dtlsParameters: answerDtls(offer) });
      const dtls = pc.dtlsTransports[0];
      if (!dtls) throw new Error('werift has no DTLS transport');
      await connected(pc, dtls, options.timeoutMs);
      publisher = new NodePublisher(signaling, pc, dtls, options.media, options.share ?? false);
      await publisher.#produce(transport.id);
      publisher.#startSending(options.speaking);
      return publisher;
    } catch (error) {
      await publisher?.close();
      await pc?.close().catch(() => undefined);
      signaling.close();
      throw error;
    }
  }

  sent(): PublisherSent {
    return {
      layers: this.#videos.flatMap((video) =>
        video.streams.map((stream, i) => ({
          source: video.source,
          width: video.recorded.layers[i]!.width,
          height: video.recorded.layers[i]!.height,
          packets: stream.packets,
          bytes: stream.bytes,
          frames: video.frame,
        })),
      ),
      voice: { packets: this.#voice.packets, bytes: this.#voice.bytes },
    };
  }

  /** Stops sending and leaves; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.#signaling.request('leave', {}).catch(() => undefined);
    this.#signaling.close();
    await this.#pc.close().catch(() => undefined);
  }

  async #produce(transportId: string): Promise<void> {
    const cname = `bench-${this.#voice.ssrc}`;
    for (const video of this.#videos) {
      await this.#signaling.request('produce', {
        transportId,
        kind: 'video',
        source: video.source satisfies MediaSource,
        rtpParameters: {
          codecs: [
            {
              mimeType: 'video/VP8',
              payloadType: VP8_PT,
              clockRate: 90000,
              rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
            },
          ],
          headerExtensions: [],
          // Lowest first, as the web app sends them; SSRCs (not rids) tell the layers apart.
          encodings: video.streams.map((stream, i) => ({
            ssrc: stream.ssrc,
            maxBitrate: video.recorded.layers[i]!.kbps * 1000,
            scalabilityMode: 'L1T1',
          })),
          rtcp: { cname, reducedSize: true },
        },
      });
    }
    await this.#signaling.request('produce', {
      transportId,
      kind: 'audio',
      source: 'microphone',
      rtpParameters: {
        codecs: [
          {
            mimeType: 'audio/opus',
            payloadType: OPUS_PT,
            clockRate: 48000,
            channels: 2,
            parameters: { useinbandfec: 1, stereo: 1 },
          },
        ],
        headerExtensions: [{ uri: AUDIO_LEVEL, id: AUDIO_LEVEL_ID }],
        encodings: [{ ssrc: this.#voice.ssrc }],
        rtcp: { cname, reducedSize: true },
      },
    });
  }

  #startSending(speaking: (elapsedMs: number) => boolean): void {
    const startedAt = performance.now();
    // Sender reports tie each stream's RTP clock to the wall clock. The SFU needs them to switch a
    // viewer between simulcast layers (their timestamps line up through them), as a browser sends.
    this.#timers.push(setInterval(() => this.#sendReports(startedAt), SENDER_REPORT_MS));
    for (const video of this.#videos) {
      this.#timers.push(setInterval(() => this.#sendFrame(video), 1000 / video.recorded.fps));
    }
    this.#timers.push(
      setInterval(() => {
        const packet = this.#media.voice[this.#voiceFrame % this.#media.voice.length]!;
        // ssrc-audio-level (RFC 6464): voice activity bit and -dBov. Speech comes in syllables, loud
        // and soft in turn (a constant level reads as noise to a speaker detector); silence is -127.
        const elapsed = performance.now() - startedAt;
        const level = speaking(elapsed) ? 0x80 | (Math.floor(elapsed / 180) % 3 === 2 ? 45 : 15) : 127;
        this.#send(this.#voice, OPUS_PT, this.#voiceFrame * 960, false, packet, [
          { id: AUDIO_LEVEL_ID, payload: Buffer.from([level]) },
        ]);
        this.#voiceFrame++;
      }, VOICE_FRAME_MS),
    );
  }

  #sendReports(startedAt: number): void {
    if (this.#closed) return;
    const now = performance.now();
    const epochS = (performance.timeOrigin + now) / 1000 + NTP_UNIX_OFFSET_S;
    const ntpTimestamp = (BigInt(Math.floor(epochS)) << 32n) | BigInt(Math.floor((epochS % 1) * 2 ** 32));
    const report = (stream: Stream, clockRate: number) =>
      new RtcpSrPacket({
        ssrc: stream.ssrc,
        senderInfo: new RtcpSenderInfo({
          ntpTimestamp,
          rtpTimestamp: (this.#timestampBase + Math.round(((now - startedAt) / 1000) * clockRate)) >>> 0,
          packetCount: stream.packets,
          octetCount: stream.bytes,
        }),
      });
    const reports = [
      ...this.#videos.flatMap((video) => video.streams.map((stream) => report(stream, 90000))),
      report(this.#voice, 48000),
    ];
    void this.#dtls.sendRtcp(reports).catch(() => undefined);
  }

  /** The next recorded frame of every layer of `video`, each split into RTP packets behind a VP8 payload descriptor. */
  #sendFrame(video: Video): void {
    const timestamp = video.frame * (90000 / video.recorded.fps);
    const pictureId = video.pictureId;
    video.pictureId = (video.pictureId + 1) & 0x7fff;
    video.recorded.layers.forEach((layer, i) => {
      const frame = layer.frames[video.frame % layer.frames.length]!;
      for (let offset = 0; offset < frame.length; offset += MAX_FRAME_BYTES_PER_PACKET) {
        const chunk = frame.subarray(offset, offset + MAX_FRAME_BYTES_PER_PACKET);
        const last = offset + MAX_FRAME_BYTES_PER_PACKET >= frame.length;
        const descriptor = vp8Descriptor(offset === 0, pictureId, video.frame);
        this.#send(video.streams[i]!, VP8_PT, timestamp, last, Buffer.concat([descriptor, chunk]));
      }
    });
    video.frame++;
  }

  #send(
    stream: Stream,
    payloadType: number,
    timestamp: number,
    marker: boolean,
    payload: Buffer,
    extensions: { id: number; payload: Buffer }[] = [],
  ): void {
    if (this.#closed) return;
    const header = new RtpHeader({
      payloadType,
      sequenceNumber: stream.sequence,
      timestamp: (this.#timestampBase + timestamp) >>> 0,
      ssrc: stream.ssrc,
      marker,
      extensions,
    });
    stream.sequence = (stream.sequence + 1) & 0xffff;
    stream.packets++;
    stream.bytes += payload.length;
    void this.#dtls.sendRtp(payload, header);
  }
}

/**
 * VP8 payload descriptor (RFC 7741): X, S on a frame's first packet, partition 0; a 15-bit
 * PictureID, TL0PICIDX and TID 0 with the layer-sync bit (one temporal layer), which the SFU reads
 * to switch between simulcast layers.
 */
function vp8Descriptor(start: boolean, pictureId: number, frame: number): Buffer {
  return Buffer.from([
    0x80 | (start ? 0x10 : 0),
    0x80 | 0x40 | 0x20,
    0x80 | (pictureId >> 8),
    pictureId & 0xff,
    frame & 0xff,
    0x20,
  ]);
}

async function connected(pc: RTCPeerConnection, dtls: RTCDtlsTransport, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (dtls.state !== 'connected' || !dtls.srtpStarted) {
    if (Date.now() > deadline)
      throw new Error(
        `the send transport did not connect within ${timeoutMs} ms (${pc.connectionState}, DTLS ${dtls.state})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
