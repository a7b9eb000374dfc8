// The creator's side: publishes camera, microphone and screen to the SFU over one send transport.
// The caller says which tracks it wants published (setTrack); the publisher makes the producers
// match, and makes them match again by itself after a reconnect or a media server restart.
import { Device } from 'mediasoup-client';
import type { Producer, ProducerCodecOptions, Transport } from 'mediasoup-client/types';
import type { MediaNotification, MediaSource, StreamStatus } from '../../../common/protocol/media-signaling.ts';
import { Emitter, type Unsubscribe } from './emitter.ts';
import { IceGuard } from './ice-guard.ts';
import { createLog, type Log } from './log.ts';
import { announce, withdraw } from './page-media.ts';
import { SessionKeeper, isFatal, type JoinReason } from './session-keeper.ts';
import { SignalingClient, SignalingError } from './signaling-client.ts';
import { DeltaSampler, readPublisherStats, type PublisherStats } from './stats.ts';
import { cameraLayers, screenLayers, type SimulcastLayer } from './simulcast.ts';

declare module './page-media.ts' {
  interface PageMedia {
    /** The studio's WebRTC publisher. */
    publisher: Publisher;
  }
}

export type PublisherPhase = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stopped' | 'error';

export interface PublisherStatus {
  phase: PublisherPhase;
  /** Slug of the channel the stream key belongs to, once joined. */
  channel: string | null;
  stream: StreamStatus | null;
  /** Why phase is 'error'; while reconnecting, the last failure. */
  error: { code: string; message: string } | null;
}

export interface PublisherEvents {
  status: [status: PublisherStatus];
  /** A track ended by itself: the user stopped sharing from the browser's bar, a device went away. */
  trackEnded: [source: MediaSource];
}

/**
 * Who publishes: a stream key (any tool, any browser), or a channel the signed-in user owns (the
 * session cookie on the signaling connection authorizes it; no key needed).
 */
export type PublisherOptions = ({ streamKey: string } | { channel: string }) & {
  /** A connection to reuse; by default the publisher opens its own and closes it when stopped. */
  signaling?: SignalingClient;
};

interface Session {
  epoch: number;
  transport: Transport;
  iceGuard: IceGuard;
  producers: Map<MediaSource, Producer>;
}

const VIDEO_CODEC_OPTIONS: ProducerCodecOptions = { videoGoogleStartBitrate: 1000 };
// Stereo where the source has it; DTX off (it clips music and room tone); in-band FEC on.
const MICROPHONE_CODEC_OPTIONS: ProducerCodecOptions = { opusStereo: true, opusDtx: false, opusFec: true };
const SCREEN_AUDIO_CODEC_OPTIONS: ProducerCodecOptions = {
  ...MICROPHONE_CODEC_OPTIONS,
  opusMaxAverageBitrate: 128_000,
};

function produceOptions(source: MediaSource): { encodings?: SimulcastLayer[]; codecOptions: ProducerCodecOptions } {
  switch (source) {
    case 'camera':
      return { encodings: cameraLayers(), codecOptions: VIDEO_CODEC_OPTIONS };
    case 'screen':
      return { encodings: screenLayers(), codecOptions: VIDEO_CODEC_OPTIONS };
    case 'microphone':
      return { codecOptions: MICROPHONE_CODEC_OPTIONS };
    case 'screen-audio':
      return { codecOptions: SCREEN_AUDIO_CODEC_OPTIONS };
  }
}

export class Publisher extends Emitter<PublisherEvents> {
  readonly #join: { role: 'publisher'; streamKey: string } | { role: 'publisher'; channel: string };
  readonly #signaling: SignalingClient;
  readonly #ownsSignaling: boolean;
  readonly #log: Log;
  readonly #keeper: SessionKeeper;
  readonly #sampler = new DeltaSampler();
  /** What the caller wants published; producers follow it. */
  readonly #tracks = new Map<MediaSource, MediaStreamTrack>();
  readonly #paused = new Set<MediaSource>();
  #session: Session | null = null;
  #status: PublisherStatus = { phase: 'idle', channel: null, stream: null, error: null };
  #everLive = false;
  #unsubscribe: Unsubscribe | undefined;

  constructor(options: PublisherOptions) {
    super();
    this.#join =
      'channel' in options
        ? { role: 'publisher', channel: options.channel }
        : { role: 'publisher', streamKey: options.streamKey };
    this.#ownsSignaling = !options.signaling;
    this.#signaling = options.signaling ?? new SignalingClient();
    this.#log = createLog('publisher');
    this.#keeper = new SessionKeeper(
      this.#signaling,
      {
        connect: (epoch, reason) => this.#connect(epoch, reason),
        teardown: () => this.#teardown(),
        onFailure: (error, willRetry) => this.#onFailure(error, willRetry),
        onDisconnected: () => this.#setStatus({ phase: this.#everLive ? 'reconnecting' : 'connecting' }),
      },
      this.#log,
    );
  }

  get status(): PublisherStatus {
    return this.#status;
  }

  /** Which sources have a producer on the server now, with its id. */
  get producers(): { source: MediaSource; producerId: string; paused: boolean }[] {
    return [...(this.#session?.producers ?? [])].map(([source, p]) => ({ source, producerId: p.id, paused: p.paused }));
  }

  /**
   * Goes live with the given tracks. Resolves once media flows to the server; rejects when the
   * server refuses for good (a bad stream key...). Until stop(), it keeps the stream up by itself.
   */
  start(tracks: Partial<Record<MediaSource, MediaStreamTrack | null>>): Promise<void> {
    if (this.#status.phase !== 'idle') return Promise.reject(new Error('A publisher starts once; make a new one.'));
    for (const [source, track] of Object.entries(tracks) as [MediaSource, MediaStreamTrack | null][]) {
      if (track) this.#tracks.set(source, track);
    }
    announce('publisher', this);
    const outcome = new Promise<void>((resolve, reject) => {
      const stopListening = this.on('status', (status) => {
        if (status.phase === 'live') resolve();
        else if (status.phase === 'error')
          reject(new SignalingError(status.error?.code ?? 'internal', status.error?.message ?? 'Failed.'));
        else if (status.phase === 'stopped') reject(new SignalingError('closed', 'Stopped before going live.'));
        else return;
        stopListening();
      });
    });
    this.#unsubscribe = this.#signaling.onNotification((n) => this.#onNotification(n));
    this.#setStatus({ phase: 'connecting' });
    this.#keeper.start();
    return outcome;
  }

  /** Publishes `track` as `source`, swaps the track of its producer, or (null) unpublishes it. */
  setTrack(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    if (track) this.#tracks.set(source, track);
    else this.#tracks.delete(source);
    return this.#keeper.enqueue(() => this.#reconcile(source));
  }

  /** Pauses a source (mute, camera off): viewers get `producerPaused`, the track stops sending. */
  setPaused(source: MediaSource, paused: boolean): Promise<void> {
    if (paused) this.#paused.add(source);
    else this.#paused.delete(source);
    return this.#keeper.enqueue(() => this.#reconcile(source));
  }

  /** Outgoing media now; null while no transport is up. */
  async stats(): Promise<PublisherStats | null> {
    const session = this.#session;
    if (!session) return null;
    const main = session.producers.get('screen') ?? session.producers.get('camera');
    const report = await session.transport.getStats();
    return readPublisherStats(report, main?.track?.id ?? null, this.#sampler);
  }

  /** Ends the stream: tells the server, closes everything. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#status.phase === 'stopped') return;
    const wasJoined = this.#session !== null;
    this.#keeper.stop();
    this.#unsubscribe?.();
    if (wasJoined && this.#signaling.state === 'connected') {
      // Leaving ends the stream for viewers at once instead of when the transport times out.
      const leave = this.#signaling.request('leave').catch((error: unknown) => this.#log.warn('leave failed', error));
      await Promise.race([leave, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    }
    this.#teardown();
    if (this.#ownsSignaling) this.#signaling.close();
    this.#setStatus({ phase: 'stopped', stream: null });
    withdraw('publisher', this);
    this.removeAllListeners();
  }

  async #connect(epoch: number, reason: JoinReason): Promise<void> {
    const signaling = this.#signaling;
    this.#setStatus({ phase: this.#everLive ? 'reconnecting' : 'connecting' });
    // After ICE gave up the server still has our peer; leave it so the join starts clean.
    if (reason === 'ice-failed') await signaling.request('leave').catch(() => undefined);
    const joined = await signaling.request('join', this.#join);
    if (!this.#keeper.isCurrent(epoch)) return;
    this.#setStatus({ channel: joined.channel, stream: joined.stream });

    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    if (!device.canProduce('video') && !device.canProduce('audio')) {
      throw new SignalingError('unsupported', 'This browser cannot send media in a format the server accepts.');
    }
    const info = await signaling.request('createTransport', { direction: 'send' });
    if (!this.#keeper.isCurrent(epoch)) return;
    const transport = device.createSendTransport(info);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const source = appData.source as MediaSource;
      signaling
        .request('produce', { transportId: transport.id, kind, rtpParameters, source })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    transport.on('connectionstatechange', () => {
      if (this.#session?.transport === transport) this.#updatePhase();
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
    this.#session = { epoch, transport, iceGuard, producers: new Map() };
    for (const source of this.#tracks.keys()) await this.#reconcile(source);
    this.#updatePhase();
  }

  /** Makes the producer of `source` match what the caller asked for. */
  async #reconcile(source: MediaSource): Promise<void> {
    const session = this.#session;
    if (!session || !this.#keeper.isCurrent(session.epoch)) return;
    const track = this.#tracks.get(source) ?? null;
    let producer = session.producers.get(source);
    if (producer && !track) {
      session.producers.delete(source);
      producer.close();
      await this.#signaling
        .request('closeProducer', { producerId: producer.id })
        .catch((e: unknown) => this.#log.warn('closeProducer', e));
      this.#updatePhase();
      return;
    }
    if (!track) return;
    if (producer && producer.track !== track) await producer.replaceTrack({ track });
    if (!producer) {
      const created = await session.transport.produce({
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
      created.on('trackended', () => this.#onTrackEnded(source));
      producer = created;
      this.#updatePhase();
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

  #onTrackEnded(source: MediaSource): void {
    this.#log.info(`${source} track ended`);
    // Stopping a share from the browser's own bar ends the share for viewers too.
    if (source === 'screen') {
      void this.setTrack('screen', null);
      void this.setTrack('screen-audio', null);
    }
    this.emit('trackEnded', source);
  }

  #onNotification(notification: MediaNotification): void {
    switch (notification.method) {
      case 'streamStatus':
        this.#setStatus({ stream: notification.data });
        break;
      case 'mediaReset':
        this.#log.warn(`media server reset (${notification.data.reason}): joining again`);
        this.#keeper.rejoin('media-reset');
        break;
      case 'kicked':
        this.#keeper.stop();
        this.#teardown();
        if (this.#ownsSignaling) this.#signaling.close();
        this.#setStatus({ phase: 'error', error: { code: 'kicked', message: notification.data.reason } });
        break;
      case 'producerClosed': {
        // The server closed one of ours (moderation, a worker going away): forget it locally.
        const producers = this.#session?.producers;
        for (const [source, producer] of producers ?? []) {
          if (producer.id !== notification.data.producerId) continue;
          producers?.delete(source);
          producer.close();
        }
        this.#updatePhase();
        break;
      }
      case 'producerAdded':
      case 'producerPaused':
      case 'producerResumed':
      case 'consumerClosed':
      case 'consumerLayersChanged':
      case 'stagePlace': // webinar stages only
      case 'activeSpeaker':
      case 'mainShare':
      case 'producerScore':
      case 'backstage':
      case 'backstageMessage':
        break;
      default:
        notification satisfies never;
    }
  }

  #onFailure(error: unknown, willRetry: boolean): void {
    const code = error instanceof SignalingError ? error.code : 'internal';
    const message = (error as Error).message ?? String(error);
    if (willRetry) {
      this.#setStatus({ phase: this.#everLive ? 'reconnecting' : 'connecting', error: { code, message } });
      return;
    }
    if (this.#ownsSignaling && isFatal(error)) this.#signaling.close();
    this.#setStatus({ phase: 'error', error: { code, message } });
  }

  #updatePhase(): void {
    const session = this.#session;
    if (!session || !this.#keeper.running) return;
    const flowing = session.producers.size > 0 && session.transport.connectionState === 'connected';
    if (flowing) {
      this.#everLive = true;
      this.#setStatus({ phase: 'live', error: null });
    } else {
      this.#setStatus({ phase: this.#everLive ? 'reconnecting' : 'connecting' });
    }
  }

  #teardown(): void {
    const session = this.#session;
    if (!session) return;
    this.#session = null;
    session.iceGuard.close();
    // Closing the transport closes its producers; our tracks stay open (stopTracks: false).
    session.transport.close();
  }

  #setStatus(change: Partial<PublisherStatus>): void {
    if (this.#status.phase === 'stopped') return;
    const next = { ...this.#status, ...change };
    const same = (Object.keys(next) as (keyof PublisherStatus)[]).every((key) => next[key] === this.#status[key]);
    if (same) return;
    this.#status = next;
    this.emit('status', next);
  }
}
