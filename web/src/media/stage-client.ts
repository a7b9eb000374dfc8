// A webinar's stage from one browser. A stage member (host, co-host, panelist on stage) joins the
// webinar's room with role 'stage': it publishes what the caller asks for (camera, microphone,
// screen, screen audio) over a send transport and receives the other members over a receive
// transport, in backstage and live. An attendee joins with role 'attendee' once the webinar is
// live and receives everyone on stage. Either way the client keeps who is on stage with their
// tracks (StageRoster), who speaks, and asks for the simulcast layer each video needs where the
// stage layout shows it (stage-layout.ts). Like Player and Publisher it stays joined by itself
// through reconnects, ICE failures and media server restarts (SessionKeeper).
import { Device, parseScalabilityMode } from 'mediasoup-client';
import type { Consumer, Producer, ProducerCodecOptions, Transport } from 'mediasoup-client/types';
import type {
  MediaNotification,
  MediaRequest,
  MediaSource,
  ProducerInfo,
  StagePlace,
  TransportInfo,
} from '../../../common/protocol/media-signaling.ts';
import type { BackstageMessage } from '../../../common/protocol/rest/webinars.ts';
import { Emitter, type Unsubscribe } from './emitter.ts';
import { IceGuard } from './ice-guard.ts';
import { createLog, type Log } from './log.ts';
import { announce, withdraw } from './page-media.ts';
import { SessionKeeper, isFatal, type JoinReason } from './session-keeper.ts';
import { SignalingClient, SignalingError } from './signaling-client.ts';
import { cameraLayers, screenLayers, type SimulcastLayer } from './simulcast.ts';
import { hiddenFeeds, preferredLayers, stageLayout } from './stage-layout.ts';
import { StageRoster, type StageMember } from './stage-roster.ts';

export type { StageMember, StageFeed } from './stage-roster.ts';

declare module './page-media.ts' {
  interface PageMedia {
    /** A webinar page's stage client (a stage member's or an attendee's). */
    stage: StageClient;
  }
}

export type StageJoinRole = 'stage' | 'attendee';

/**
 * connecting: joining for the first time. joined: in the room (see place). reconnecting: the
 * connection dropped or the media server restarted; joining again. ended: the server let us go
 * (the webinar ended, access ended). error: joining cannot succeed (error.code: not_on_stage,
 * webinar_not_live, stage_full...). closed: close() was called.
 */
export type StagePhase = 'connecting' | 'joined' | 'reconnecting' | 'ended' | 'error' | 'closed';

export interface StageStatus {
  phase: StagePhase;
  /** Our place on the stage once joined: role, and whether we may publish now. */
  place: StagePlace | null;
  /** What the server said when our place last changed ("You were moved off the stage."). */
  placeReason: string | null;
  error: { code: string; message: string } | null;
  /** Our own peer id in the room (the active speaker may be us). */
  peerId: string | null;
  /** The stage member who speaks now, by peer id. */
  activeSpeaker: string | null;
  /** Whose screen share the host made the main one (null: the first share is). */
  mainShare: string | null;
  /** What we publish now (a producer on the server). */
  publishing: MediaSource[];
  /** How well what we publish reaches the server, 0-10 (the worst of our producers); null before it says. */
  quality: number | null;
  /** We stepped backstage while it is live: attendees don't see or hear us. */
  backstage: boolean;
}

export interface StageEvents {
  status: [status: StageStatus];
  /** Who is on stage with their tracks (ourselves left out), in the order they came. */
  members: [members: StageMember[]];
  /** To stage members: a message in the backstage chat, as it is posted. */
  backstageMessage: [message: BackstageMessage];
}

export interface StageClientOptions {
  webinar: string;
  role: StageJoinRole;
  /** A private channel's viewer token, for an attendee without the access cookie. */
  viewerToken?: string;
  signaling?: SignalingClient;
}

interface Session {
  epoch: number;
  device: Device;
  recv: Transport;
  send: Transport | null;
  guards: IceGuard[];
  /** By producer id. */
  consumers: Map<string, Consumer>;
  /** Producers being consumed or consumed, so none is consumed twice. */
  claimed: Set<string>;
  producers: Map<MediaSource, Producer>;
}

/** Refusals of a webinar's room that joining again cannot change (the page acts on them). */
const CONSUME_ORDER: Record<MediaSource, number> = { screen: 0, camera: 1, microphone: 2, 'screen-audio': 3 };

/** Why an attendee can't watch over WebRTC: every seat is taken, or the browser has no WebRTC. */
export const HLS_INSTEAD: ReadonlySet<string> = new Set(['unavailable', 'unsupported']);

const STAGE_FATAL: ReadonlySet<string> = new Set([
  'not_on_stage',
  'webinar_not_live',
  'registration_required',
  'stage_full',
]);

const VIDEO_CODEC_OPTIONS: ProducerCodecOptions = { videoGoogleStartBitrate: 1000 };
// Speech: in-band FEC for lossy links; DTX off, as on a channel (it clips room tone).
const MICROPHONE_CODEC_OPTIONS: ProducerCodecOptions = { opusStereo: true, opusDtx: false, opusFec: true };

function produceOptions(source: MediaSource): { encodings?: SimulcastLayer[]; codecOptions: ProducerCodecOptions } {
  switch (source) {
    case 'camera':
      return { encodings: cameraLayers(), codecOptions: VIDEO_CODEC_OPTIONS };
    case 'screen':
      return { encodings: screenLayers(), codecOptions: VIDEO_CODEC_OPTIONS };
    case 'microphone':
      return { codecOptions: MICROPHONE_CODEC_OPTIONS };
    case 'screen-audio':
      return { codecOptions: { ...MICROPHONE_CODEC_OPTIONS, opusMaxAverageBitrate: 128_000 } };
  }
}

/** Tracks of one group share a stream id, which makes the browser keep audio and video in sync. */
function syncGroup(source: MediaSource): string {
  return source === 'screen' || source === 'screen-audio' ? 'screen' : 'main';
}

export class StageClient extends Emitter<StageEvents> {
  readonly role: StageJoinRole;
  readonly #join: Extract<MediaRequest, { method: 'join' }>['data'];
  readonly #signaling: SignalingClient;
  readonly #ownsSignaling: boolean;
  readonly #log: Log;
  readonly #keeper: SessionKeeper;
  readonly #roster = new StageRoster();
  /** Producers announced while no transport is up; consumed once one is. */
  readonly #announced = new Map<string, ProducerInfo>();
  /** What the caller wants published; producers follow it while we are on stage. */
  readonly #tracks = new Map<MediaSource, MediaStreamTrack>();
  readonly #paused = new Set<MediaSource>();
  /** The layer last asked for, by consumer id. */
  readonly #layers = new Map<string, number>();
  /** Whether the server was last asked to send (true) or hold (false) each consumer, by id. */
  readonly #flowing = new Map<string, boolean>();
  #session: Session | null = null;
  #status: StageStatus = {
    phase: 'connecting',
    place: null,
    placeReason: null,
    error: null,
    peerId: null,
    activeSpeaker: null,
    mainShare: null,
    publishing: [],
    quality: null,
    backstage: false,
  };
  /** Our own producers' last scores, by producer id. */
  readonly #ownScores = new Map<string, number>();
  #joinedOnce = false;
  /**
   * The member stepped backstage: a rejoin (a dropped network, a rebuilt room) is a new peer the
   * server puts on stage, so we step back again before publishing, or attendees would see us.
   */
  #backstageWanted = false;
  #unsubscribe: Unsubscribe | undefined;

  constructor(options: StageClientOptions) {
    super();
    this.role = options.role;
    this.#join =
      options.role === 'stage'
        ? { role: 'stage', webinar: options.webinar }
        : {
            role: 'attendee',
            webinar: options.webinar,
            ...(options.viewerToken !== undefined && { viewerToken: options.viewerToken }),
          };
    this.#ownsSignaling = !options.signaling;
    this.#signaling = options.signaling ?? new SignalingClient();
    this.#log = createLog('stage', options.role, options.webinar);
    this.#keeper = new SessionKeeper(
      this.#signaling,
      {
        connect: (epoch, reason) => this.#connect(epoch, reason),
        teardown: () => this.#teardown(),
        onFailure: (error, willRetry) => this.#onFailure(error, willRetry),
        onDisconnected: () => this.#setStatus({ phase: this.#joinedOnce ? 'reconnecting' : 'connecting' }),
      },
      this.#log,
    );
  }

  get status(): StageStatus {
    return this.#status;
  }

  get members(): StageMember[] {
    return this.#roster.snapshot();
  }

  /** What is consumed now, and the layer asked for (tests and benchmarks look at it). */
  get feeds(): { name: string; source: MediaSource; consumerId: string; layer: number | null }[] {
    return this.#roster.snapshot().flatMap((member) =>
      Object.entries(member.feeds).map(([source, feed]) => ({
        name: member.name,
        source: source as MediaSource,
        consumerId: feed.consumerId,
        layer: this.#layers.get(feed.consumerId) ?? null,
      })),
    );
  }

  /** start() was called (see stage-prestart.ts: the page may get a client already joining). */
  get started(): boolean {
    return this.#keeper.running || this.#status.phase !== 'connecting';
  }

  /**
   * Joins. Resolves once in the room; rejects when the server refuses for good (not on stage, not
   * live yet...). Until close(), the client stays joined by itself.
   */
  start(): Promise<void> {
    if (this.started) return Promise.reject(new Error('A stage client starts once; make a new one.'));
    announce('stage', this);
    const outcome = new Promise<void>((resolve, reject) => {
      const stop = this.on('status', (status) => {
        if (status.phase === 'joined') resolve();
        else if (status.phase === 'error' || status.phase === 'ended' || status.phase === 'closed')
          reject(
            new SignalingError(status.error?.code ?? 'closed', status.error?.message ?? 'Stopped before joining.'),
          );
        else return;
        stop();
      });
    });
    this.#unsubscribe = this.#signaling.onNotification((n) => this.#onNotification(n));
    this.#keeper.start();
    return outcome;
  }

  /** Publishes `track` as `source`, swaps the track of its producer, or (null) unpublishes it. */
  setTrack(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    if (track) this.#tracks.set(source, track);
    else this.#tracks.delete(source);
    return this.#keeper.enqueue(() => this.#reconcile(source));
  }

  /** Pauses a source (mute, camera off): the others get `producerPaused`, the track stops sending. */
  setPaused(source: MediaSource, paused: boolean): Promise<void> {
    if (paused) this.#paused.add(source);
    else this.#paused.delete(source);
    return this.#keeper.enqueue(() => this.#reconcile(source));
  }

  /** A host's or co-host's choice of the main share (null: the first one). */
  setMainShare(peerId: string | null): Promise<void> {
    return this.#signaling.request('setMainShare', { peerId }).then(() => undefined);
  }

  /**
   * Steps backstage while the webinar is live (attendees stop seeing and hearing us; the stage
   * still does) or back on stage. The server's notification sets status.backstage.
   */
  setBackstage(backstage: boolean): Promise<void> {
    return this.#signaling.request('setBackstage', { backstage }).then(() => {
      this.#backstageWanted = backstage;
    });
  }

  /** Leaves the room and releases everything but the caller's tracks; safe to call twice. */
  close(): void {
    if (this.#status.phase === 'closed') return;
    const wasJoined = this.#session !== null;
    this.#keeper.stop();
    this.#unsubscribe?.();
    if (wasJoined && this.#signaling.state === 'connected')
      void this.#signaling.request('leave').catch((error: unknown) => this.#log.debug('leave failed', error));
    this.#teardown();
    // Give the leave a moment on the wire before the socket goes.
    if (this.#ownsSignaling) setTimeout(() => this.#signaling.close(), wasJoined ? 200 : 0);
    this.#setStatus({ phase: 'closed', publishing: [] });
    withdraw('stage', this);
    this.removeAllListeners();
  }

  async #connect(epoch: number, reason: JoinReason): Promise<void> {
    const signaling = this.#signaling;
    // The server still holds our peer after a lost ICE connection or a join that failed past the
    // join request itself: a new join must leave first.
    if (reason === 'ice-failed' || reason === 'retry') await signaling.request('leave').catch(() => undefined);
    this.#announced.clear();
    const joined = await signaling.request('join', this.#join);
    if (!this.#keeper.isCurrent(epoch)) return;
    // The transports are asked for while the device probes the browser's codecs: neither needs
    // the other, and an attendee waits for both before the first consume.
    const recvInfo = signaling.request('createTransport', { direction: 'recv' });
    const sendInfo = this.role === 'stage' ? signaling.request('createTransport', { direction: 'send' }) : null;
    // Whatever fails first is thrown below; the other must not surface as an unhandled rejection.
    for (const pending of [recvInfo, sendInfo]) pending?.catch(() => undefined);
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    const recv = await this.#openTransport(device, 'recv', await recvInfo, epoch);
    const send = sendInfo ? await this.#openTransport(device, 'send', await sendInfo, epoch) : null;
    if (!recv || (this.role === 'stage' && !send) || !this.#keeper.isCurrent(epoch)) {
      for (const opened of [recv, send]) {
        opened?.guard.close();
        opened?.transport.close();
      }
      return;
    }
    const session: Session = {
      epoch,
      device,
      recv: recv.transport,
      send: send?.transport ?? null,
      guards: [recv.guard, ...(send ? [send.guard] : [])],
      consumers: new Map(),
      claimed: new Set(),
      producers: new Map(),
    };
    this.#session = session;
    this.#joinedOnce = true;
    this.#setStatus({
      phase: 'joined',
      place: joined.stage ?? null,
      error: null,
      peerId: joined.peerId,
      publishing: [],
      // A new peer: whatever we were before, a rejoin is on stage (until we step back, below).
      backstage: false,
    });
    if (this.#backstageWanted && joined.stage?.onStage)
      await signaling
        .request('setBackstage', { backstage: true })
        .catch((error: unknown) => this.#log.warn('could not step backstage again after rejoining', error));
    // Members who publish while we set up: take those too.
    const producers = new Map(joined.producers.map((p) => [p.producerId, p]));
    for (const [id, producer] of this.#announced) producers.set(id, producer);
    this.#announced.clear();
    // mediasoup-client sets consumers up one at a time, in the order asked: the share first, which
    // is what an attendee waits for, then cameras, then sound.
    const order = [...producers.values()].sort((a, b) => CONSUME_ORDER[a.source] - CONSUME_ORDER[b.source]);
    await Promise.all(order.map((producer) => this.#consume(session, producer)));
    for (const source of [...this.#tracks.keys()]) await this.#reconcile(source);
  }

  async #openTransport(
    device: Device,
    direction: 'send' | 'recv',
    info: TransportInfo,
    epoch: number,
  ): Promise<{ transport: Transport; guard: IceGuard } | null> {
    const signaling = this.#signaling;
    if (!this.#keeper.isCurrent(epoch)) return null;
    const transport = direction === 'send' ? device.createSendTransport(info) : device.createRecvTransport(info);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        const source = appData.source as MediaSource;
        signaling
          .request('produce', { transportId: transport.id, kind, rtpParameters, source })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    const guard = new IceGuard({
      transport,
      requestRestart: async () => (await signaling.request('restartIce', { transportId: transport.id })).iceParameters,
      onGiveUp: (why) => {
        this.#log.warn(why);
        this.#keeper.rejoin('ice-failed');
      },
      log: this.#log,
    });
    return { transport, guard };
  }

  async #consume(session: Session, producer: ProducerInfo): Promise<void> {
    const owner = producer.owner;
    // Every producer of a webinar's room has an owner; one without is none of ours to show.
    if (!owner || session.claimed.has(producer.producerId)) return;
    session.claimed.add(producer.producerId);
    const current = () =>
      this.#session === session && this.#keeper.isCurrent(session.epoch) && session.claimed.has(producer.producerId);
    try {
      const info = await this.#signaling.request('consume', {
        transportId: session.recv.id,
        producerId: producer.producerId,
        rtpCapabilities: session.device.recvRtpCapabilities,
      });
      if (!current()) return;
      const consumer = await session.recv.consume({
        id: info.id,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters,
        streamId: `${owner.peerId}-${syncGroup(info.source)}`,
        appData: { source: info.source },
      });
      if (!current()) {
        consumer.close();
        return;
      }
      session.consumers.set(info.producerId, consumer);
      this.#roster.add(owner, info.source, {
        track: consumer.track,
        producerId: info.producerId,
        consumerId: consumer.id,
        paused: info.producerPaused,
        spatialLayers:
          info.type === 'simulcast' || info.type === 'svc'
            ? parseScalabilityMode(info.rtpParameters.encodings?.[0]?.scalabilityMode).spatialLayers
            : 1,
      });
      // The layer first, then the resume if the layout shows it (both go out in that order on the
      // same socket): the first keyframe then comes at the size the layout shows.
      this.#membersChanged();
    } catch (error) {
      session.claimed.delete(producer.producerId);
      if (this.#session === session) this.#log.warn(`could not consume ${producer.source} of ${owner.name}`, error);
    }
  }

  #dropFeed(producerId: string): void {
    const session = this.#session;
    if (!session) return;
    session.claimed.delete(producerId);
    session.consumers.get(producerId)?.close();
    session.consumers.delete(producerId);
    const feed = this.#roster.remove(producerId);
    if (!feed) return;
    this.#layers.delete(feed.consumerId);
    this.#flowing.delete(feed.consumerId);
    this.#membersChanged();
  }

  /** Makes the producer of `source` match what the caller asked for, while we may publish. */
  async #reconcile(source: MediaSource): Promise<void> {
    const session = this.#session;
    if (!session?.send || !this.#keeper.isCurrent(session.epoch)) return;
    const track = this.#status.place?.onStage ? (this.#tracks.get(source) ?? null) : null;
    let producer = session.producers.get(source);
    if (producer && !track) {
      session.producers.delete(source);
      producer.close();
      this.#publishingChanged();
      await this.#signaling
        .request('closeProducer', { producerId: producer.id })
        .catch((error: unknown) => this.#log.debug('closeProducer', error));
      return;
    }
    if (!track) return;
    // Text and slides: keep the resolution, let the frame rate drop when nothing moves.
    if (source === 'screen' && track.kind === 'video') track.contentHint = 'detail';
    if (producer && producer.track !== track) await producer.replaceTrack({ track });
    if (!producer) {
      const created = await session.send.produce({
        track,
        stopTracks: false,
        appData: { source },
        ...produceOptions(source),
      });
      if (this.#session !== session) {
        created.close();
        return;
      }
      session.producers.set(source, created);
      producer = created;
      this.#publishingChanged();
    }
    const paused = this.#paused.has(source);
    if (paused && !producer.paused) {
      producer.pause();
      await this.#signaling.request('pauseProducer', { producerId: producer.id });
    } else if (!paused && producer.paused) {
      producer.resume();
      await this.#signaling.request('resumeProducer', { producerId: producer.id });
    }
  }

  /** The server closed one of ours (moved off the stage, a worker going away): forget it here. */
  #forgetOwnProducer(producerId: string): boolean {
    const producers = this.#session?.producers;
    for (const [source, producer] of producers ?? []) {
      if (producer.id !== producerId) continue;
      producers?.delete(source);
      producer.close();
      this.#publishingChanged();
      return true;
    }
    return false;
  }

  #onNotification(notification: MediaNotification): void {
    const session = this.#session;
    switch (notification.method) {
      case 'producerAdded':
        if (session) void this.#consume(session, notification.data);
        else this.#announced.set(notification.data.producerId, notification.data);
        break;
      case 'producerClosed':
        this.#announced.delete(notification.data.producerId);
        if (!this.#forgetOwnProducer(notification.data.producerId)) this.#dropFeed(notification.data.producerId);
        break;
      case 'consumerClosed':
        this.#dropFeed(notification.data.producerId);
        break;
      case 'producerPaused':
      case 'producerResumed':
        if (this.#roster.setPaused(notification.data.producerId, notification.method === 'producerPaused'))
          this.#membersChanged();
        break;
      case 'backstage': {
        const { peerId, backstage } = notification.data;
        if (peerId === this.#status.peerId) this.#setStatus({ backstage });
        else if (this.#roster.setBackstage(peerId, backstage)) this.#membersChanged();
        break;
      }
      case 'producerScore':
        if (this.#ownProducer(notification.data.producerId)) {
          this.#ownScores.set(notification.data.producerId, notification.data.score);
          this.#ownQualityChanged();
        } else if (this.#roster.setScore(notification.data.producerId, notification.data.score)) this.#membersChanged();
        break;
      case 'activeSpeaker':
        this.#setStatus({ activeSpeaker: notification.data.peerId });
        this.#applyLayers();
        break;
      case 'mainShare':
        this.#setStatus({ mainShare: notification.data.peerId });
        this.#applyLayers();
        break;
      case 'stagePlace': {
        const { reason, ...place } = notification.data;
        // Moved off: the server closed our producers already; what we were asked to publish is
        // dropped too, so coming back on stage publishes only what the caller sets again.
        if (!place.onStage) {
          this.#tracks.clear();
          for (const producer of session?.producers.values() ?? []) producer.close();
          session?.producers.clear();
        }
        this.#setStatus({ place, placeReason: reason, publishing: this.#publishingNow() });
        break;
      }
      case 'mediaReset':
        this.#log.warn(`media server reset (${notification.data.reason}): joining again`);
        this.#keeper.rejoin('media-reset');
        this.#setStatus({ phase: 'reconnecting' });
        break;
      case 'kicked':
        // Let go on purpose (the webinar ended, access ended): joining again would defeat it.
        this.#log.warn(`let go by the server: ${notification.data.reason}`);
        this.#keeper.stop();
        this.#teardown();
        this.#setStatus({
          phase: 'ended',
          error: { code: notification.data.code ?? 'kicked', message: notification.data.reason },
          publishing: [],
        });
        break;
      case 'backstageMessage':
        this.emit('backstageMessage', notification.data);
        break;
      case 'streamStatus':
      case 'consumerLayersChanged':
        break;
      default:
        notification satisfies never;
    }
  }

  #onFailure(error: unknown, willRetry: boolean): void {
    const code =
      error instanceof SignalingError
        ? error.code
        : (error as Error | undefined)?.name === 'UnsupportedError'
          ? 'unsupported'
          : 'internal';
    const failure = { code, message: (error as Error | undefined)?.message ?? String(error) };
    // An attendee past the WebRTC seats (or without WebRTC) watches the composed HLS instead.
    const fatal = !willRetry || STAGE_FATAL.has(code) || (this.role === 'attendee' && HLS_INSTEAD.has(code));
    if (!fatal) {
      this.#setStatus({ phase: this.#joinedOnce ? 'reconnecting' : 'connecting', error: failure });
      return;
    }
    this.#keeper.stop();
    if (this.#ownsSignaling && (isFatal(error) || STAGE_FATAL.has(code) || HLS_INSTEAD.has(code)))
      this.#signaling.close();
    this.#setStatus({ phase: 'error', error: failure });
  }

  #membersChanged(): void {
    this.#applyLayers();
    this.emit('members', this.#roster.snapshot());
  }

  /**
   * Asks for the layer each video needs where the layout shows it, when that changed; then for
   * the media of what it shows, and for none of what it doesn't (a share that isn't the main one).
   */
  #applyLayers(): void {
    const members = this.#roster.snapshot();
    const { activeSpeaker, mainShare } = this.#status;
    const layout = stageLayout(members, activeSpeaker, mainShare);
    const wanted = preferredLayers(members, layout);
    const layered = new Set(
      members.flatMap((m) => Object.values(m.feeds).filter((f) => f.spatialLayers > 1)).map((f) => f.consumerId),
    );
    for (const [consumerId, spatialLayer] of wanted) {
      if (!layered.has(consumerId) || this.#layers.get(consumerId) === spatialLayer) continue;
      this.#layers.set(consumerId, spatialLayer);
      void this.#signaling
        .request('setPreferredLayers', { consumerId, spatialLayer })
        .catch((error: unknown) => this.#log.debug('setPreferredLayers failed', error));
    }
    const hidden = hiddenFeeds(members, layout);
    for (const feed of members.flatMap((m) => Object.values(m.feeds))) {
      const flowing = !hidden.has(feed.consumerId);
      if (this.#flowing.get(feed.consumerId) === flowing) continue;
      // A consumer starts paused on the server: one never shown is never asked for.
      if (!flowing && !this.#flowing.has(feed.consumerId)) {
        this.#flowing.set(feed.consumerId, false);
        continue;
      }
      this.#flowing.set(feed.consumerId, flowing);
      void this.#signaling
        .request(flowing ? 'resumeConsumer' : 'pauseConsumer', { consumerId: feed.consumerId })
        .catch((error: unknown) => this.#log.debug(`${flowing ? 'resume' : 'pause'} of a consumer failed`, error));
    }
  }

  #publishingNow(): MediaSource[] {
    return [...(this.#session?.producers.keys() ?? [])];
  }

  #publishingChanged(): void {
    this.#setStatus({ publishing: this.#publishingNow() });
    this.#ownQualityChanged();
  }

  #ownProducer(producerId: string): boolean {
    return [...(this.#session?.producers.values() ?? [])].some((producer) => producer.id === producerId);
  }

  /** Our quality: the worst score of what we publish and the server has scored. */
  #ownQualityChanged(): void {
    const live = new Set([...(this.#session?.producers.values() ?? [])].map((producer) => producer.id));
    for (const id of this.#ownScores.keys()) if (!live.has(id)) this.#ownScores.delete(id);
    const scores = [...this.#ownScores.values()];
    this.#setStatus({ quality: scores.length === 0 ? null : Math.min(...scores) });
  }

  #teardown(): void {
    const session = this.#session;
    if (!session) return;
    this.#session = null;
    for (const guard of session.guards) guard.close();
    // Closing the transports closes their producers and consumers; the caller's tracks stay open.
    session.recv.close();
    session.send?.close();
    this.#roster.clear();
    this.#layers.clear();
    this.#flowing.clear();
    this.emit('members', []);
    this.#setStatus({ publishing: [] });
  }

  #setStatus(change: Partial<StageStatus>): void {
    if (this.#status.phase === 'closed') return;
    const next = { ...this.#status, ...change };
    const same = (Object.keys(next) as (keyof StageStatus)[]).every((key) => next[key] === this.#status[key]);
    if (same) return;
    this.#status = next;
    this.emit('status', next);
  }
}
