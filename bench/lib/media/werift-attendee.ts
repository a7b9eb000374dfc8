// A webinar attendee as a real WebRTC peer in Node (werift: ICE, DTLS, SRTP; it never decodes), so a
// load generator can host many. It speaks the stage protocol as the web app's attendee does
// (web/src/media/stage-client.ts): joins the webinar as an attendee (signed out), consumes every
// producer on stage (the share first, then cameras, then sound), and asks for what the web app's
// own layout code (web/src/media/stage-layout.ts) says the page would show: the top layer of the
// main share and of the speaker's camera, the lowest for the strip, nothing of a share off screen.
// It follows the stage's activeSpeaker, mainShare and producerPaused/Resumed notifications as the
// page does. It does not follow producers added or closed after it joined (that would take a new
// SDP exchange); it counts them, so a benchmark can tell its stage changed.
//
// Like werift-viewer.ts in 'headers' mode, once the first video frame came through werift's whole
// stack (proof that ICE, DTLS and the SRTP keys work) it reads the RTP headers, which SRTP leaves in
// clear, straight off the ICE socket, and werift sees no more media (no receiver reports or NACKs).
import { RTCPeerConnection, type MediaStreamTrack as WeriftTrack } from 'werift';
import type { ConsumerInfo, MediaNotification, MediaSource } from '../../../common/protocol/media-signaling.ts';
import { hiddenFeeds, preferredLayers, stageLayout } from '../../../web/src/media/stage-layout.ts';
import type { StageMember } from '../../../web/src/media/stage-roster.ts';
import { answerDtls, remoteOffer } from './remote-sdp.ts';
import { loopbackPeer, receiverMedia } from './werift-peer.ts';
import { BenchSignaling } from './signaling.ts';
import { SequenceTracker, receiveCapabilities } from './werift-viewer.ts';

export interface AttendeeOptions {
  serverUrl: string;
  webinar: string;
  timeoutMs: number;
  /** A STUN server on loopback (loopback-stun.ts): werift would otherwise ask one on the internet. */
  stunUrl: string;
}

/** What one consumed producer brought this attendee during a window. */
export interface FeedWindow {
  producerId: string;
  owner: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  /** The layout shows it (its media is asked for); false: a share off screen. */
  shown: boolean;
  /** The spatial layer asked for at the end of the window; null without layers. */
  layer: number | null;
  /** From the RTP sequence numbers: packets sent to this attendee in the window. */
  expectedPackets: number;
  packets: number;
  /** UDP payload bytes as they arrived (SRTP packets: RTP headers, payload, auth tag). */
  bytes: number;
  /** Distinct RTP timestamps of packets with the marker bit (video). */
  frames: number;
}

export interface AttendeeWindow {
  feeds: FeedWindow[];
  /** The server's WebRTC port this attendee's transport uses: one per mediasoup worker. */
  serverPort: number;
  /** Layer or pause requests the layout made during the window (the speaker changed...). */
  layoutRequests: number;
  /** Producers added or closed on stage since the join: not followed by this attendee. */
  stageChanges: number;
  /** The server let it go or reset its media (kicked, mediaReset) at some point. */
  lost: string | null;
}

interface Feed {
  info: ConsumerInfo;
  owner: { peerId: string; name: string };
  ssrc: number | undefined;
  spatialLayers: number;
  paused: boolean;
  sequence: SequenceTracker;
  windowStart: number | undefined;
  packets: number;
  bytes: number;
  frames: number;
  lastFrameTimestamp: number;
}

/** The order the web app consumes in: the share first (what an attendee waits for), then cameras, then sound. */
const CONSUME_ORDER: Record<MediaSource, number> = { screen: 0, camera: 1, microphone: 2, 'screen-audio': 3 };

export class WeriftAttendee {
  readonly #signaling: BenchSignaling;
  readonly #pc: RTCPeerConnection;
  readonly #feeds: Feed[];
  readonly #bySsrc = new Map<number, Feed>();
  readonly serverPort: number;
  #activeSpeaker: string | null = null;
  #mainShare: string | null = null;
  /** The layer last asked for and whether the media flows, by consumer id (as StageClient keeps them). */
  readonly #layers = new Map<string, number>();
  readonly #flowing = new Map<string, boolean>();
  #layoutRequests = 0;
  #stageChanges = 0;
  #lost: string | null = null;
  #videoFramesSinceJoin = 0;
  #inWindow = false;
  #closed = false;

  private constructor(signaling: BenchSignaling, pc: RTCPeerConnection, feeds: Feed[], serverPort: number) {
    this.#signaling = signaling;
    this.#pc = pc;
    this.#feeds = feeds;
    this.serverPort = serverPort;
    for (const feed of feeds) if (feed.ssrc !== undefined) this.#bySsrc.set(feed.ssrc, feed);
  }

  static async join(options: AttendeeOptions): Promise<WeriftAttendee> {
    if (!/^stun:127\.\d+\.\d+\.\d+:\d+$/.test(options.stunUrl))
      throw new Error(`the STUN server must be on loopback, got ${options.stunUrl}`);
    const signaling = await BenchSignaling.connect(options.serverUrl, options.timeoutMs);
    let pc: RTCPeerConnection | undefined;
    try {
      // Notifications that come while joining (who speaks, the main share) are kept for the layout.
      const early: MediaNotification[] = [];
      let deliver = (n: MediaNotification): void => void early.push(n);
      signaling.onNotification((n) => deliver(n));
      const joined = await signaling.request('join', { role: 'attendee', webinar: options.webinar });
      const rtpCapabilities = receiveCapabilities(joined.routerRtpCapabilities, false);
      const transport = await signaling.request('createTransport', { direction: 'recv' });
      const producers = joined.producers
        .filter((p) => p.owner !== undefined)
        .sort((a, b) => CONSUME_ORDER[a.source] - CONSUME_ORDER[b.source]);
      if (!producers.some((p) => p.kind === 'video')) throw new Error(`webinar ${options.webinar} shows no video`);
      const feeds: Feed[] = [];
      for (const producer of producers) {
        const info = await signaling.request('consume', {
          transportId: transport.id,
          producerId: producer.producerId,
          rtpCapabilities,
        });
        const encoding = info.rtpParameters.encodings?.[0];
        feeds.push({
          info,
          owner: producer.owner!,
          ssrc: encoding?.ssrc,
          spatialLayers:
            info.type === 'simulcast' || info.type === 'svc'
              ? Number(/^[LS](\d+)/.exec(encoding?.scalabilityMode ?? '')?.[1] ?? 1)
              : 1,
          paused: info.producerPaused,
          sequence: new SequenceTracker(),
          windowStart: undefined,
          packets: 0,
          bytes: 0,
          frames: 0,
          lastFrameTimestamp: -1,
        });
      }
      const serverPort = transport.iceCandidates.find((c) => c.protocol === 'udp')?.port ?? 0;

      pc = loopbackPeer(options.stunUrl, receiverMedia(false));
      const attendee = new WeriftAttendee(signaling, pc, feeds, serverPort);
      pc.onTrack.subscribe((track: WeriftTrack) => {
        if (track.kind === 'video')
          track.onReceiveRtp.subscribe((rtp) => rtp.header.marker && attendee.#videoFramesSinceJoin++);
      });
      await pc.setRemoteDescription({
        type: 'offer',
        sdp: remoteOffer(
          transport,
          feeds.map((f) => f.info),
        ),
      });
      await pc.setLocalDescription(await pc.createAnswer());
      const localSdp = pc.localDescription?.sdp;
      if (!localSdp) throw new Error('werift produced no local description');
      await signaling.request('connectTransport', { transportId: transport.id, dtlsParameters: answerDtls(localSdp) });
      deliver = (n) => attendee.#onNotification(n);
      for (const notification of early.splice(0)) attendee.#onNotification(notification);
      await attendee.#applyLayout();
      await attendee.#firstFrame(options.timeoutMs);
      attendee.#readHeadersOffTheSocket();
      return attendee;
    } catch (error) {
      await pc?.close().catch(() => undefined);
      signaling.close();
      throw error;
    }
  }

  startWindow(): void {
    this.#inWindow = true;
    this.#layoutRequests = 0;
    for (const feed of this.#feeds) {
      feed.windowStart = feed.sequence.highest;
      feed.packets = 0;
      feed.bytes = 0;
      feed.frames = 0;
    }
  }

  endWindow(): AttendeeWindow {
    this.#inWindow = false;
    const hidden = this.#hidden();
    return {
      feeds: this.#feeds.map((feed) => ({
        producerId: feed.info.producerId,
        owner: feed.owner.name,
        source: feed.info.source,
        kind: feed.info.kind,
        shown: !hidden.has(feed.info.id),
        layer: feed.spatialLayers > 1 ? (this.#layers.get(feed.info.id) ?? null) : null,
        expectedPackets: Math.max(0, feed.sequence.highest - (feed.windowStart ?? feed.sequence.highest)),
        packets: feed.packets,
        bytes: feed.bytes,
        frames: feed.frames,
      })),
      serverPort: this.serverPort,
      layoutRequests: this.#layoutRequests,
      stageChanges: this.#stageChanges,
      lost: this.#lost,
    };
  }

  /** Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#signaling.close();
    await this.#pc.close().catch(() => undefined);
  }

  #onNotification(notification: MediaNotification): void {
    switch (notification.method) {
      case 'activeSpeaker':
        this.#activeSpeaker = notification.data.peerId;
        void this.#applyLayout();
        break;
      case 'mainShare':
        this.#mainShare = notification.data.peerId;
        void this.#applyLayout();
        break;
      case 'producerPaused':
      case 'producerResumed': {
        const feed = this.#feeds.find((f) => f.info.producerId === notification.data.producerId);
        if (!feed) break;
        feed.paused = notification.method === 'producerPaused';
        void this.#applyLayout();
        break;
      }
      case 'producerAdded':
      case 'producerClosed':
      case 'consumerClosed':
        this.#stageChanges++;
        break;
      case 'kicked':
      case 'mediaReset':
        this.#lost = `${notification.method}: ${JSON.stringify(notification.data)}`;
        break;
      default:
        break;
    }
  }

  /** The web app's stage as StageMember objects, for its layout code (which reads no track). */
  #members(): StageMember[] {
    const members = new Map<string, StageMember>();
    for (const feed of this.#feeds) {
      const member = members.get(feed.owner.peerId) ?? {
        peerId: feed.owner.peerId,
        name: feed.owner.name,
        userId: undefined,
        feeds: {},
        quality: null,
        backstage: false,
      };
      member.feeds[feed.info.source] = {
        // The layout never reads the track; this attendee has none to give.
        track: null as unknown as MediaStreamTrack,
        producerId: feed.info.producerId,
        consumerId: feed.info.id,
        paused: feed.paused,
        spatialLayers: feed.spatialLayers,
      };
      members.set(feed.owner.peerId, member);
    }
    return [...members.values()];
  }

  #hidden(): Set<string> {
    const members = this.#members();
    return hiddenFeeds(members, stageLayout(members, this.#activeSpeaker, this.#mainShare));
  }

  /** StageClient's #applyLayers: the layer each picture needs first, then the media of what is shown. */
  async #applyLayout(): Promise<void> {
    const members = this.#members();
    const layout = stageLayout(members, this.#activeSpeaker, this.#mainShare);
    const requests: Promise<unknown>[] = [];
    for (const [consumerId, spatialLayer] of preferredLayers(members, layout)) {
      const feed = this.#feeds.find((f) => f.info.id === consumerId);
      if (!feed || feed.spatialLayers <= 1 || this.#layers.get(consumerId) === spatialLayer) continue;
      this.#layers.set(consumerId, spatialLayer);
      this.#layoutRequests++;
      requests.push(this.#signaling.request('setPreferredLayers', { consumerId, spatialLayer }));
    }
    const hidden = hiddenFeeds(members, layout);
    for (const feed of this.#feeds) {
      const consumerId = feed.info.id;
      const flowing = !hidden.has(consumerId);
      if (this.#flowing.get(consumerId) === flowing) continue;
      // A consumer starts paused on the server: one never shown is never asked for.
      if (!flowing && !this.#flowing.has(consumerId)) {
        this.#flowing.set(consumerId, false);
        continue;
      }
      this.#flowing.set(consumerId, flowing);
      this.#layoutRequests++;
      requests.push(this.#signaling.request(flowing ? 'resumeConsumer' : 'pauseConsumer', { consumerId }));
    }
    // A refused request is the stage changing under us (a consumer gone): counted, not fatal.
    const refused = (await Promise.allSettled(requests)).filter((r) => r.status === 'rejected').length;
    if (refused > 0) this.#stageChanges += refused;
  }

  /** Resolves once a whole video frame arrived through werift: the attendee is really watching. */
  async #firstFrame(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#videoFramesSinceJoin === 0) {
      if (Date.now() > deadline)
        throw new Error(`no video frame within ${timeoutMs} ms (connection ${this.#pc.connectionState})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Takes SRTP packets off the ICE connection before werift sees them and counts them by SSRC from
   * their clear RTP header; DTLS and anything else still goes to werift. RTCP and retransmissions
   * (none are asked for: no NACK is sent) are dropped uncounted.
   */
  #readHeadersOffTheSocket(): void {
    const transport = this.#pc.dtlsTransports[0];
    if (!transport) throw new Error('no DTLS transport to read from');
    const onData = transport.iceTransport.connection.onData;
    const werift = onData.execute;
    onData.execute = (...args: Parameters<typeof werift>) => {
      const data = args[0] as Buffer;
      const first = data[0] ?? 0;
      const second = data[1] ?? 0;
      if (data.length < 12 || first < 128 || first > 191) return werift(...args); // not RTP/RTCP: DTLS
      if (second >= 192 && second <= 223) return; // RTCP from the server
      const feed = this.#bySsrc.get(data.readUInt32BE(8));
      if (!feed) return;
      const extended = feed.sequence.extend(data.readUInt16BE(2));
      if (!this.#inWindow || feed.windowStart === undefined) return;
      // A feed's first packet ever, in the window: the range starts with it.
      if (feed.windowStart < 0) feed.windowStart = extended - 1;
      if (extended <= feed.windowStart) return;
      feed.packets++;
      feed.bytes += data.length;
      const timestamp = data.readUInt32BE(4);
      if (second & 0x80 && timestamp !== feed.lastFrameTimestamp) {
        feed.lastFrameTimestamp = timestamp;
        feed.frames++;
      }
    };
  }
}
