// The viewer's side: joins a channel, consumes whatever it publishes over one receive transport and
// plays it in a <video>. When the streamer shares a screen, the screen is the main picture and the
// camera goes to an optional picture-in-picture element. The simulcast layer of each video follows
// the size it is drawn at. Stays on the channel through offline periods, reconnects, ICE failures
// and media server restarts, and plays again by itself when the stream comes back.
import { Device, parseScalabilityMode } from 'mediasoup-client';
import type { Consumer, Transport } from 'mediasoup-client/types';
import type {
  ConsumerInfo,
  MediaNotification,
  MediaSource,
  ProducerInfo,
  StreamStatus,
} from '../../../common/protocol/media-signaling.ts';
import type { AutoplayResult } from './autoplay.ts';
import { Emitter, type Unsubscribe } from './emitter.ts';
import { IceGuard } from './ice-guard.ts';
import { createLog, type Log } from './log.ts';
import { announce, withdraw } from './page-media.ts';
import { SoundState } from './sound-state.ts';
import { PlayerViews, type ShownVideo } from './player-views.ts';
import { SessionKeeper, type JoinReason } from './session-keeper.ts';
import { SignalingClient, SignalingError } from './signaling-client.ts';
import { DeltaSampler, readPlayerStats, type PlayerStats } from './stats.ts';

declare module './page-media.ts' {
  interface PageMedia {
    /** The WebRTC player (mediasoup) of the channel page. */
    player: Player;
  }
}

/**
 * connecting: joining for the first time. offline: joined, the channel is not live.
 * starting: the channel is live, its media is not here yet. live: media is playing.
 * ended: the stream ended while we watched; we wait for it to come back.
 * reconnecting: the connection dropped or the server restarted; joining again.
 * error: joining cannot succeed (see error.code: not_found...). closed: close() was called.
 */
export type PlayerPhase =
  'connecting' | 'offline' | 'starting' | 'live' | 'ended' | 'reconnecting' | 'error' | 'closed';

export interface PlayerStatus {
  phase: PlayerPhase;
  stream: StreamStatus | null;
  error: { code: string; message: string } | null;
  /** The browser refused autoplay with sound: the video plays muted until unmute() from a click. */
  soundBlocked: boolean;
  /** The streamer turned the camera/screen off (the producer is paused). */
  videoPaused: boolean;
}

export interface PlayerEvents {
  status: [status: PlayerStatus];
  /** Joining failed; `willRetry` says whether the player tries again by itself. The status shows
   * only failures it gives up on, this shows every one (an automatic player reacts to `unavailable`). */
  failure: [error: { code: string; message: string }, willRetry: boolean];
}

export interface PlayerOptions {
  channel: string;
  signaling?: SignalingClient;
}

interface Feed {
  consumer: Consumer;
  source: MediaSource;
  type: ConsumerInfo['type'];
  spatialLayers: number;
  producerPaused: boolean;
  layers: { spatialLayer: number | null; temporalLayer: number | null } | null;
}

interface Session {
  epoch: number;
  transport: Transport;
  device: Device;
  iceGuard: IceGuard;
  /** By producer id. */
  feeds: Map<string, Feed>;
  /** Producers being consumed or consumed, so a producer is never consumed twice. */
  claimed: Set<string>;
}

const EMPTY_STATS: PlayerStats = {
  framesDecoded: 0,
  framesDropped: 0,
  frameWidth: 0,
  frameHeight: 0,
  fps: 0,
  audioPacketsReceived: 0,
  audioTotalSamplesReceived: 0,
  audioLevel: 0,
  bitrate: 0,
  packetLoss: 0,
  rttMs: null,
  jitterBufferMs: null,
  decodeMs: null,
  delayMs: null,
  spatialLayer: null,
  temporalLayer: null,
};

/** Tracks of one group share a stream id, which makes the browser keep audio and video in sync. */
function syncGroup(source: MediaSource): string {
  return source === 'screen' || source === 'screen-audio' ? 'screen' : 'main';
}

export class Player extends Emitter<PlayerEvents> {
  readonly channel: string;
  readonly via = 'webrtc';
  readonly #signaling: SignalingClient;
  readonly #ownsSignaling: boolean;
  readonly #log: Log;
  readonly #sound: SoundState;
  readonly #keeper: SessionKeeper;
  readonly #sampler = new DeltaSampler();
  #session: Session | null = null;
  /** Producers announced between our join and the transport being ready; consumed once it is. */
  readonly #announced = new Map<string, ProducerInfo>();
  readonly #views: PlayerViews;
  #stream: StreamStatus | null = null;
  #everLive = false;
  #joinedOnce = false;
  #closed = false;
  #error: PlayerStatus['error'] = null;
  #status: PlayerStatus = { phase: 'connecting', stream: null, error: null, soundBlocked: false, videoPaused: false };
  #unsubscribe: Unsubscribe | undefined;

  constructor(options: PlayerOptions) {
    super();
    this.channel = options.channel;
    this.#ownsSignaling = !options.signaling;
    this.#signaling = options.signaling ?? new SignalingClient();
    this.#log = createLog('player', options.channel);
    this.#sound = new SoundState(this.#log);
    this.#views = new PlayerViews({
      onLayer: (consumerId, spatialLayer) =>
        void this.#signaling
          .request('setPreferredLayers', { consumerId, spatialLayer })
          .catch((error: unknown) => this.#log.debug('setPreferredLayers failed', error)),
      onAutoplay: (result) => this.#onAutoplay(result),
    });
    this.#keeper = new SessionKeeper(
      this.#signaling,
      {
        connect: (epoch, reason) => this.#connect(epoch, reason),
        teardown: () => this.#teardown(),
        onFailure: (error, willRetry) => this.#onFailure(error, willRetry),
        onDisconnected: () => this.#update(),
      },
      this.#log,
    );
  }

  get status(): PlayerStatus {
    return this.#status;
  }

  /** What is being consumed now. */
  get feeds(): { source: MediaSource; kind: string; consumerId: string; producerId: string }[] {
    return [...(this.#session?.feeds.values() ?? [])].map((f) => ({
      source: f.source,
      kind: f.consumer.kind,
      consumerId: f.consumer.id,
      producerId: f.consumer.producerId,
    }));
  }

  start(): void {
    if (this.#closed || this.#keeper.running) return;
    announce('player', this);
    this.#unsubscribe = this.#signaling.onNotification((n) => this.#onNotification(n));
    this.#keeper.start();
  }

  /** Draws into `video` (picture and sound) and `pip` (the streamer's camera while a screen is shared). */
  attach(video: HTMLVideoElement, pip: HTMLVideoElement | null = null): void {
    this.#views.attach(video, pip);
    this.#render();
  }

  detach(): void {
    this.#views.detach();
  }

  /** Turns the sound on; call it from a click, which is what browsers want before playing sound. */
  async unmute(): Promise<void> {
    const video = this.#views.mainElement;
    if (!video) return;
    await this.#sound.unmute(video);
    this.#update();
  }

  /** The viewer's own mute button. */
  mute(): void {
    this.#sound.mute(this.#views.mainElement);
    this.#update();
  }

  async stats(): Promise<PlayerStats> {
    const session = this.#session;
    if (!session) return { ...EMPTY_STATS };
    const { main, audio } = this.#pick(session);
    const report = await session.transport.getStats();
    return {
      ...readPlayerStats(
        report,
        { videoTrackId: main?.consumer.track.id ?? null, audioTrackId: audio[0]?.consumer.track.id ?? null },
        this.#sampler,
      ),
      spatialLayer: main?.layers?.spatialLayer ?? null,
      temporalLayer: main?.layers?.temporalLayer ?? null,
    };
  }

  /**
   * Whether the stream's media reaches the page: a decoded video frame, or audio when there is no
   * picture to wait for (no video, or the streamer paused it).
   */
  async mediaArrived(): Promise<boolean> {
    const session = this.#session;
    if (!session) return false;
    const { main } = this.#pick(session);
    const stats = await this.stats();
    if (stats.framesDecoded > 0) return true;
    return (!main || main.producerPaused) && stats.audioPacketsReceived > 0;
  }

  /** Leaves the channel and releases everything; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    const wasJoined = this.#session !== null;
    this.#keeper.stop();
    this.#unsubscribe?.();
    if (wasJoined && this.#signaling.state === 'connected') {
      void this.#signaling.request('leave').catch((error: unknown) => this.#log.debug('leave failed', error));
    }
    this.#teardown();
    this.detach();
    // Give the leave a moment on the wire before the socket goes.
    if (this.#ownsSignaling) setTimeout(() => this.#signaling.close(), wasJoined ? 200 : 0);
    this.#closed = true;
    this.#update();
    withdraw('player', this);
    this.removeAllListeners();
  }

  async #connect(epoch: number, reason: JoinReason): Promise<void> {
    const signaling = this.#signaling;
    // The server still holds our peer after a lost ICE connection, and after a join that failed
    // past the join request itself (no WebRTC in this browser...): a new join must leave first.
    if (reason === 'ice-failed' || reason === 'retry') await signaling.request('leave').catch(() => undefined);
    this.#announced.clear();
    const joined = await signaling.request('join', { role: 'viewer', channel: this.channel });
    if (!this.#keeper.isCurrent(epoch)) return;
    this.#joinedOnce = true;
    this.#error = null;
    this.#stream = joined.stream;

    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    const info = await signaling.request('createTransport', { direction: 'recv' });
    if (!this.#keeper.isCurrent(epoch)) return;
    const transport = device.createRecvTransport(info);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    const iceGuard = new IceGuard({
      transport,
      requestRestart: async () => (await signaling.request('restartIce', { transportId: transport.id })).iceParameters,
      onGiveUp: (why) => {
        this.#log.warn(why);
        this.#keeper.rejoin('ice-failed');
      },
      log: this.#log,
    });
    const session: Session = { epoch, transport, device, iceGuard, feeds: new Map(), claimed: new Set() };
    this.#session = session;
    this.#update();
    // A streamer rejoining after a media restart produces while we set up: take those too.
    const producers = new Map(joined.producers.map((p) => [p.producerId, p]));
    for (const [id, producer] of this.#announced) producers.set(id, producer);
    this.#announced.clear();
    await Promise.all([...producers.values()].map((producer) => this.#consume(session, producer)));
  }

  async #consume(session: Session, producer: ProducerInfo): Promise<void> {
    if (session.claimed.has(producer.producerId)) return;
    session.claimed.add(producer.producerId);
    const current = () =>
      this.#session === session && this.#keeper.isCurrent(session.epoch) && session.claimed.has(producer.producerId);
    try {
      const info = await this.#signaling.request('consume', {
        transportId: session.transport.id,
        producerId: producer.producerId,
        rtpCapabilities: session.device.recvRtpCapabilities,
      });
      if (!current()) return;
      const consumer = await session.transport.consume({
        id: info.id,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters,
        streamId: `${this.channel}-${syncGroup(info.source)}`,
        appData: { source: info.source },
      });
      if (!current()) {
        consumer.close();
        return;
      }
      const scalability = parseScalabilityMode(info.rtpParameters.encodings?.[0]?.scalabilityMode);
      const feed: Feed = {
        consumer,
        source: info.source,
        type: info.type,
        spatialLayers: scalability.spatialLayers,
        producerPaused: info.producerPaused,
        layers: null,
      };
      session.feeds.set(info.producerId, feed);
      consumer.on('transportclose', () => session.feeds.delete(info.producerId));
      // Attach first (which also asks for the layer that fits the player), then resume: the
      // first packets then meet a ready <video> and the right layer.
      this.#render();
      await this.#signaling.request('resumeConsumer', { consumerId: consumer.id });
      this.#update();
    } catch (error) {
      session.claimed.delete(producer.producerId);
      if (current() || this.#session === session) this.#log.warn(`could not consume ${producer.source}`, error);
    }
  }

  #dropFeed(producerId: string): void {
    const session = this.#session;
    if (!session) return;
    session.claimed.delete(producerId);
    const feed = session.feeds.get(producerId);
    if (!feed) return;
    session.feeds.delete(producerId);
    feed.consumer.close();
    this.#render();
    this.#update();
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
        this.#dropFeed(notification.data.producerId);
        break;
      case 'consumerClosed':
        this.#dropFeed(notification.data.producerId);
        break;
      case 'producerPaused':
      case 'producerResumed': {
        const feed = session?.feeds.get(notification.data.producerId);
        if (feed) feed.producerPaused = notification.method === 'producerPaused';
        this.#render();
        this.#update();
        break;
      }
      case 'consumerLayersChanged': {
        const { consumerId, spatialLayer, temporalLayer } = notification.data;
        const feed = [...(session?.feeds.values() ?? [])].find((f) => f.consumer.id === consumerId);
        if (feed) feed.layers = { spatialLayer, temporalLayer };
        break;
      }
      case 'streamStatus':
        if (notification.data.channel !== this.channel) break;
        this.#stream = notification.data;
        this.#update();
        break;
      case 'mediaReset':
        this.#log.warn(`media server reset (${notification.data.reason}): joining again`);
        this.#keeper.rejoin('media-reset');
        this.#update();
        break;
      case 'kicked':
        // Removed on purpose (moderation): joining again would defeat it.
        this.#log.warn(`removed by the server: ${notification.data.reason}`);
        this.#keeper.stop();
        this.#teardown();
        this.#error = { code: 'kicked', message: notification.data.reason };
        this.#update();
        break;
      case 'stagePlace':
      case 'activeSpeaker':
      case 'mainShare':
      case 'producerScore':
      case 'backstage':
      case 'backstageMessage':
        break; // webinar stages only; a channel's player never hears them
      default:
        notification satisfies never;
    }
  }

  #onFailure(error: unknown, willRetry: boolean): void {
    const failure = {
      code:
        error instanceof SignalingError
          ? error.code
          : (error as Error | undefined)?.name === 'UnsupportedError'
            ? 'unsupported'
            : 'internal',
      message: (error as Error | undefined)?.message ?? String(error),
    };
    if (!willRetry) this.#error = failure;
    this.#update();
    this.emit('failure', failure, willRetry);
  }

  /** The main picture (screen first, else camera), the camera beside a screen, and the sound. */
  #pick(session: Session): { main: Feed | undefined; pip: Feed | undefined; audio: Feed[] } {
    const feeds = [...session.feeds.values()];
    const video = (source: MediaSource) => feeds.find((f) => f.consumer.kind === 'video' && f.source === source);
    const screen = video('screen');
    const camera = video('camera');
    const main = screen ?? camera ?? feeds.find((f) => f.consumer.kind === 'video');
    const audio = feeds
      .filter((f) => f.consumer.kind === 'audio')
      .sort((a, b) => Number(b.source === 'microphone') - Number(a.source === 'microphone'));
    // A paused camera beside a screen would be a frozen frame: leave it out.
    return { main, pip: screen && camera && !camera.producerPaused ? camera : undefined, audio };
  }

  /** Puts each feed in its <video>. */
  #render(): void {
    const session = this.#session;
    const { main, pip, audio } = session ? this.#pick(session) : { main: undefined, pip: undefined, audio: [] };
    const shown = (feed: Feed | undefined): ShownVideo | null =>
      feed
        ? {
            track: feed.consumer.track,
            consumerId: feed.consumer.id,
            spatialLayers: feed.spatialLayers,
            layered: feed.type === 'simulcast' || feed.type === 'svc',
          }
        : null;
    this.#views.show(
      shown(main),
      shown(pip),
      audio.map((f) => f.consumer.track),
    );
  }

  #onAutoplay(result: AutoplayResult): void {
    if (result === 'interrupted') return;
    this.#sound.afterAutoplay(result);
    this.#update();
  }

  #update(): void {
    const session = this.#session;
    let phase: PlayerPhase;
    if (this.#closed) phase = 'closed';
    else if (this.#error) phase = 'error';
    else if (!session) phase = this.#joinedOnce ? 'reconnecting' : 'connecting';
    else if (session.feeds.size > 0) phase = 'live';
    else if (this.#stream?.live) phase = 'starting';
    else phase = this.#everLive ? 'ended' : 'offline';
    if (phase === 'live') this.#everLive = true;
    const picked = session ? this.#pick(session) : undefined;
    const main = picked?.main;
    const hasAudio = (picked?.audio.length ?? 0) > 0;
    const next: PlayerStatus = {
      phase,
      stream: this.#stream,
      error: this.#error,
      soundBlocked: this.#sound.blocked && hasAudio,
      videoPaused: main?.producerPaused ?? false,
    };
    const prev = this.#status;
    if (
      prev.phase === next.phase &&
      prev.stream === next.stream &&
      prev.error === next.error &&
      prev.soundBlocked === next.soundBlocked &&
      prev.videoPaused === next.videoPaused
    )
      return;
    this.#status = next;
    this.emit('status', next);
  }

  #teardown(): void {
    const session = this.#session;
    if (!session) return;
    this.#session = null;
    session.iceGuard.close();
    session.transport.close();
    session.feeds.clear();
    this.#render();
  }
}
