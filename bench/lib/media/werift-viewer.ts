// A viewer as a real WebRTC peer in Node, built on werift: ICE, DTLS and SRTP like a browser, but it
// never decodes, so a load generator can host hundreds. It counts what arrives: unique RTP packets
// against the sequence number range (loss), and frames as distinct RTP timestamps of packets with
// the marker bit.
//
// Two ways to receive, once the first frame came through werift's whole stack (proof that ICE,
// DTLS and the SRTP keys work):
// - 'full': werift goes on handling every packet: SRTP authentication and decryption, RTP parsing,
//   RTCP receiver reports and NACKs, as a browser does. Costs the generator about 1% of a core per
//   viewer at 1 Mbit/s.
// - 'headers': the viewer reads the RTP header, which SRTP leaves in clear, straight off the ICE
//   socket, and werift sees no more media (hence sends no receiver reports or NACKs; ICE consent
//   checks go on). The server's work per viewer is the same (it encrypts and sends every packet);
//   the generator's is a fraction, which lets one small machine host the viewers of a large test.
import { RTCPeerConnection, type MediaStreamTrack, type RtpPacket } from 'werift';
import type { ConsumerInfo, RtpCapabilities } from '../../../common/protocol/media-signaling.ts';
import { answerDtls, remoteOffer } from './remote-sdp.ts';
import { loopbackPeer, receiverMedia } from './werift-peer.ts';
import { BenchSignaling } from './signaling.ts';

export interface ViewerOptions {
  serverUrl: string;
  channel: string;
  audio: boolean;
  timeoutMs: number;
  /** A STUN server on loopback (loopback-stun.ts): werift would otherwise ask one on the internet. */
  stunUrl: string;
  /**
   * Negotiate transport-wide congestion control as Chrome does, so the server estimates bandwidth
   * and picks layers from this peer's feedback. Without it the server forwards the top layer.
   */
  bwe: boolean;
  receive: 'full' | 'headers';
}

/** What one viewer received during a measurement window. */
export interface ViewerWindow {
  expectedPackets: number;
  uniquePackets: number;
  duplicatePackets: number;
  frames: number;
  videoBytes: number;
  audioPackets: number;
  spatialLayer: number | null;
  /** The server's WebRTC port this viewer's transport uses: one per mediasoup worker. */
  serverPort: number;
}

const MID = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** Tracks the extended (32-bit) sequence number of one SSRC's 16-bit sequence numbers. */
export class SequenceTracker {
  #highest = -1;

  extend(sequenceNumber: number): number {
    if (this.#highest < 0) {
      this.#highest = sequenceNumber;
      return sequenceNumber;
    }
    const forward = (sequenceNumber - (this.#highest & 0xffff) + 0x10000) & 0xffff;
    if (forward < 0x8000) {
      this.#highest += forward;
      return this.#highest;
    }
    return this.#highest - (0x10000 - forward); // late or retransmitted
  }

  get highest(): number {
    return this.#highest;
  }
}

export class WeriftViewer {
  readonly #signaling: BenchSignaling;
  readonly #pc: RTCPeerConnection;
  readonly serverPort: number;
  #spatialLayer: number | null = null;
  readonly #sequence = new SequenceTracker();
  /** One flag per 16-bit sequence number seen in the window (a window holds far fewer than 65536). */
  readonly #seen = new Uint8Array(0x10000);
  #windowStart: number | undefined;
  #unique = 0;
  #duplicates = 0;
  #frames = 0;
  #lastFrameTimestamp = -1;
  #videoBytes = 0;
  #audioPackets = 0;
  #framesSinceJoin = 0;
  #closed = false;
  /** Share of media packets (0-100) this viewer throws away unseen: a starved viewer, on purpose. */
  #starvePercent = 0;
  #starveCount = 0;

  private constructor(signaling: BenchSignaling, pc: RTCPeerConnection, serverPort: number) {
    this.#signaling = signaling;
    this.#pc = pc;
    this.serverPort = serverPort;
  }

  static async join(options: ViewerOptions): Promise<WeriftViewer> {
    if (!/^stun:127\.\d+\.\d+\.\d+:\d+$/.test(options.stunUrl))
      throw new Error(`the STUN server must be on loopback, got ${options.stunUrl}`);
    const signaling = await BenchSignaling.connect(options.serverUrl, options.timeoutMs);
    let pc: RTCPeerConnection | undefined;
    try {
      const joined = await signaling.request('join', { role: 'viewer', channel: options.channel });
      const rtpCapabilities = receiveCapabilities(joined.routerRtpCapabilities, options.bwe);
      const transport = await signaling.request('createTransport', { direction: 'recv' });
      const wanted = joined.producers.filter((p) => p.kind === 'video' || (options.audio && p.kind === 'audio'));
      if (!wanted.some((p) => p.kind === 'video')) throw new Error(`channel ${options.channel} has no video producer`);
      const consumers: ConsumerInfo[] = [];
      for (const producer of wanted) {
        consumers.push(
          await signaling.request('consume', {
            transportId: transport.id,
            producerId: producer.producerId,
            rtpCapabilities,
          }),
        );
      }
      const video = consumers.find((c) => c.kind === 'video')!;
      const serverPort = transport.iceCandidates.find((c) => c.protocol === 'udp')?.port ?? 0;

      pc = loopbackPeer(options.stunUrl, receiverMedia(options.bwe));
      const viewer = new WeriftViewer(signaling, pc, serverPort);
      pc.onTrack.subscribe((track: MediaStreamTrack) => viewer.#attach(track));
      signaling.onNotification((n) => {
        if (n.method === 'consumerLayersChanged' && n.data.consumerId === video.id)
          viewer.#spatialLayer = n.data.spatialLayer;
      });

      await pc.setRemoteDescription({ type: 'offer', sdp: remoteOffer(transport, consumers) });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      const localSdp = pc.localDescription?.sdp;
      if (!localSdp) throw new Error('werift produced no local description');
      await signaling.request('connectTransport', { transportId: transport.id, dtlsParameters: answerDtls(localSdp) });
      for (const consumer of consumers) await signaling.request('resumeConsumer', { consumerId: consumer.id });
      await viewer.#firstFrame(options.timeoutMs);
      if (options.receive === 'headers') {
        const audio = consumers.find((c) => c.kind === 'audio');
        viewer.#readHeadersOffTheSocket(
          video.rtpParameters.encodings?.[0]?.ssrc,
          audio?.rtpParameters.encodings?.[0]?.ssrc,
        );
      }
      return viewer;
    } catch (error) {
      await pc?.close().catch(() => undefined);
      signaling.close();
      throw error;
    }
  }

  startWindow(): void {
    this.#windowStart = this.#sequence.highest;
    this.#seen.fill(0);
    this.#unique = 0;
    this.#duplicates = 0;
    this.#frames = 0;
    this.#videoBytes = 0;
    this.#audioPackets = 0;
  }

  endWindow(): ViewerWindow {
    const start = this.#windowStart ?? this.#sequence.highest;
    this.#windowStart = undefined;
    return {
      expectedPackets: Math.max(0, this.#sequence.highest - start),
      uniquePackets: this.#unique,
      duplicatePackets: this.#duplicates,
      frames: this.#frames,
      videoBytes: this.#videoBytes,
      audioPackets: this.#audioPackets,
      spatialLayer: this.#spatialLayer,
      serverPort: this.serverPort,
    };
  }

  /**
   * From now on, drops `percent` of the media packets that reach this viewer before they are
   * counted (evenly: `percent` of every 100), as if the network lost them on the way: the
   * benchmark's --starve-one-viewer, which must make its goals fail.
   */
  starve(percent: number): void {
    this.#starvePercent = Math.min(100, Math.max(0, percent));
  }

  #dropped(): boolean {
    if (this.#starvePercent === 0) return false;
    return this.#starveCount++ % 100 < this.#starvePercent;
  }

  /** Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#signaling.close();
    await this.#pc.close().catch(() => undefined);
  }

  #attach(track: MediaStreamTrack): void {
    if (track.kind === 'audio') {
      track.onReceiveRtp.subscribe(() => {
        if (this.#windowStart !== undefined && !this.#dropped()) this.#audioPackets++;
      });
      return;
    }
    track.onReceiveRtp.subscribe((rtp: RtpPacket) => this.#onVideo(rtp));
  }

  #onVideo(rtp: RtpPacket): void {
    const { header } = rtp;
    this.#countVideo(header.sequenceNumber, header.timestamp, header.marker, rtp.payload.length);
  }

  #countVideo(sequenceNumber: number, timestamp: number, marker: boolean, payloadBytes: number): void {
    if (this.#dropped()) return;
    const extended = this.#sequence.extend(sequenceNumber);
    if (marker && timestamp !== this.#lastFrameTimestamp) {
      this.#lastFrameTimestamp = timestamp;
      this.#framesSinceJoin++;
      if (this.#windowStart !== undefined) this.#frames++;
    }
    if (this.#windowStart === undefined || extended <= this.#windowStart) return;
    const slot = extended & 0xffff;
    if (this.#seen[slot]) {
      this.#duplicates++;
    } else {
      this.#seen[slot] = 1;
      this.#unique++;
    }
    this.#videoBytes += payloadBytes;
  }

  /**
   * Takes SRTP packets off the ICE connection before werift sees them and counts them from their
   * clear RTP header; DTLS and anything else still goes to werift. RTX (repairs) and the server's
   * RTCP are dropped uncounted: with no NACK sent, repairs come only for the server's own reasons.
   */
  #readHeadersOffTheSocket(videoSsrc: number | undefined, audioSsrc: number | undefined): void {
    const transport = this.#pc.dtlsTransports[0];
    if (!transport || videoSsrc === undefined) throw new Error('no DTLS transport or video SSRC to read from');
    const onData = transport.iceTransport.connection.onData;
    const werift = onData.execute;
    // SRTP's authentication tag ends the packet: 16 bytes with AES-GCM (werift's first choice), 10 with AES-CM/HMAC-SHA1-80.
    const tagBytes = transport.srtp?.config?.profile === 1 ? 10 : 16;
    onData.execute = (...args: Parameters<typeof werift>) => {
      const data = args[0] as Buffer;
      const first = data[0] ?? 0;
      const second = data[1] ?? 0;
      if (data.length < 12 || first < 128 || first > 191) return werift(...args); // not RTP/RTCP: DTLS
      if (second >= 192 && second <= 223) return; // RTCP from the server
      const ssrc = data.readUInt32BE(8);
      if (ssrc === videoSsrc) {
        let header = 12 + (first & 0x0f) * 4;
        if (first & 0x10 && data.length >= header + 4) header += 4 + data.readUInt16BE(header + 2) * 4;
        this.#countVideo(
          data.readUInt16BE(2),
          data.readUInt32BE(4),
          (second & 0x80) !== 0,
          Math.max(0, data.length - header - tagBytes),
        );
      } else if (ssrc === audioSsrc && this.#windowStart !== undefined && !this.#dropped()) {
        this.#audioPackets++;
      }
    };
  }

  /** Resolves once a whole video frame arrived: the viewer is really watching. */
  async #firstFrame(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#framesSinceJoin === 0) {
      if (Date.now() > deadline)
        throw new Error(`no video frame within ${timeoutMs} ms (connection ${this.#pc.connectionState})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * The router's capabilities cut down to what this peer takes: VP8 (what the browser publisher
 * sends) with its RTX, Opus, and the feedback and header extensions werift implements.
 */
export function receiveCapabilities(router: RtpCapabilities, bwe: boolean): RtpCapabilities {
  const FEEDBACK = new Set(bwe ? ['nack', 'nack pli', 'transport-cc'] : ['nack', 'nack pli']);
  const HEADER_EXTENSIONS = bwe ? [MID, ABS_SEND_TIME, TRANSPORT_CC] : [MID, ABS_SEND_TIME];
  return {
    codecs: (router.codecs ?? [])
      .filter((c) => ['audio/opus', 'video/vp8', 'video/rtx'].includes(c.mimeType.toLowerCase()))
      .map((c) => ({
        ...c,
        rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) =>
          FEEDBACK.has(`${f.type}${f.parameter ? ` ${f.parameter}` : ''}`),
        ),
      })),
    headerExtensions: (router.headerExtensions ?? []).filter((h) => HEADER_EXTENSIONS.includes(h.uri)),
  };
}
