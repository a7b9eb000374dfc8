// A publisher in Node that sends recorded media (recorded-media.ts): a camera in three simulcast
// layers (VP8) and a microphone (Opus), over a real WebRTC send transport (werift: ICE, DTLS, SRTP)
// into the SFU, through the media signaling protocol as the web app's clients use it. It joins a
// channel with a stream key, or a webinar's stage as a signed-in panelist (the session cookie and
// the site's Origin on its socket.io handshake, as a page of the site sends them).
//
// It costs no encoder: frames are packetized as they were recorded and sent on a fixed clock
// (30 fps, 20 ms of sound), each layer at its recorded bitrate whatever the load. It does not
// answer keyframe requests (a viewer joining or switching layers waits for the next recorded
// keyframe, every recorded-media.ts KEYFRAME_INTERVAL frames) nor retransmit (loopback loses nothing in a healthy run).
import { RTCPeerConnection, RtpHeader, useOPUS, useVP8, type RTCDtlsTransport } from 'werift';
import { CAMERA_FPS, VOICE_FRAME_MS, type RecordedMedia } from './recorded-media.ts';
import { answerDtls, remoteAnswer } from './remote-sdp.ts';
import { BenchSignaling } from './signaling.ts';

const AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const AUDIO_LEVEL_ID = 10;
const VP8_PT = 96;
const OPUS_PT = 111;
/** RTP payload per packet: the VP8 payload descriptor plus at most this much of a frame. */
const MAX_FRAME_BYTES_PER_PACKET = 1150;

export type PublisherJoin =
  { role: 'publisher'; streamKey: string } | { role: 'stage'; webinar: string; cookie: string; origin: string };

export interface NodePublisherOptions {
  serverUrl: string;
  join: PublisherJoin;
  media: RecordedMedia;
  /** A STUN server on loopback (loopback-stun.ts): werift would otherwise ask one on the internet. */
  stunUrl: string;
  /** Whether the voice is heard at `elapsedMs` (its audio level says speech, else silence): who speaks when. */
  speaking: (elapsedMs: number) => boolean;
  timeoutMs: number;
}

/** What the publisher sent so far, per camera layer (lowest first) and for the voice. */
export interface PublisherSent {
  layers: { width: number; height: number; packets: number; bytes: number; frames: number }[];
  voice: { packets: number; bytes: number };
}

interface Stream {
  ssrc: number;
  sequence: number;
  packets: number;
  bytes: number;
}

export class NodePublisher {
  readonly #signaling: BenchSignaling;
  readonly #pc: RTCPeerConnection;
  readonly #dtls: RTCDtlsTransport;
  readonly #media: RecordedMedia;
  readonly #camera: Stream[];
  readonly #voice: Stream;
  readonly #timers: NodeJS.Timeout[] = [];
  #frame = 0;
  #voiceFrame = 0;
  #pictureId = Math.floor(Math.random() * 0x7fff);
  readonly #timestampBase = Math.floor(Math.random() * 0x7fffffff);
  #closed = false;

  private constructor(signaling: BenchSignaling, pc: RTCPeerConnection, dtls: RTCDtlsTransport, media: RecordedMedia) {
    this.#signaling = signaling;
    this.#pc = pc;
    this.#dtls = dtls;
    this.#media = media;
    const stream = (): Stream => ({
      ssrc: Math.floor(Math.random() * 0xfffffff0) + 1,
      sequence: Math.floor(Math.random() * 0xffff),
      packets: 0,
      bytes: 0,
    });
    this.#camera = media.camera.map(stream);
    this.#voice = stream();
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
      pc = new RTCPeerConnection({
        iceServers: [{ urls: options.stunUrl }],
        iceUseIpv4: false,
        iceUseIpv6: false,
        iceAdditionalHostAddresses: ['127.0.0.1'],
        bundlePolicy: 'max-bundle',
        codecs: { video: [useVP8()], audio: [useOPUS()] },
        headerExtensions: { video: [], audio: [] },
      });
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
      publisher = new NodePublisher(signaling, pc, dtls, options.media);
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
      layers: this.#camera.map((stream, i) => ({
        width: this.#media.camera[i]!.width,
        height: this.#media.camera[i]!.height,
        packets: stream.packets,
        bytes: stream.bytes,
        frames: this.#frame,
      })),
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
    await this.#signaling.request('produce', {
      transportId,
      kind: 'video',
      source: 'camera',
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
        encodings: this.#camera.map((stream, i) => ({
          ssrc: stream.ssrc,
          maxBitrate: this.#media.camera[i]!.kbps * 1000,
          scalabilityMode: 'L1T1',
        })),
        rtcp: { cname, reducedSize: true },
      },
    });
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
    this.#timers.push(setInterval(() => this.#sendFrame(), 1000 / CAMERA_FPS));
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

  /** The next recorded frame of every layer, each split into RTP packets behind a VP8 payload descriptor. */
  #sendFrame(): void {
    const timestamp = this.#frame * (90000 / CAMERA_FPS);
    const pictureId = this.#pictureId;
    this.#pictureId = (this.#pictureId + 1) & 0x7fff;
    this.#media.camera.forEach((layer, i) => {
      const frame = layer.frames[this.#frame % layer.frames.length]!;
      for (let offset = 0; offset < frame.length; offset += MAX_FRAME_BYTES_PER_PACKET) {
        const chunk = frame.subarray(offset, offset + MAX_FRAME_BYTES_PER_PACKET);
        const last = offset + MAX_FRAME_BYTES_PER_PACKET >= frame.length;
        this.#send(
          this.#camera[i]!,
          VP8_PT,
          timestamp,
          last,
          Buffer.concat([vp8Descriptor(offset === 0, pictureId, this.#frame), chunk]),
        );
      }
    });
    this.#frame++;
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
