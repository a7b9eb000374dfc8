// A Peer is one participant of a room: a publisher or a viewer. It owns its WebRTC transports and
// the producers and consumers on them, and closes them all when it closes. It reports upward by
// events and never holds its room.
import { EventEmitter } from 'node:events';
import { types as mediasoupTypes, type types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../common/errors.ts';

export type PeerRole = 'publisher' | 'viewer';

/** A person behind a peer, as the signaling layer names them; the SFU only carries it. */
export interface PeerLabel {
  name: string;
  userId?: string | undefined;
}
export type ProducerSource = 'camera' | 'microphone' | 'screen' | 'screen-audio';

/** A producer as its room sees it: what it carries and which peer sends it. */
export interface RoomProducer {
  producer: ms.Producer;
  source: ProducerSource;
  peerId: string;
}

export interface PeerOptions {
  id: string;
  role: PeerRole;
  /** Who the peer is, for the room's other members to show (a webinar stage member). */
  label?: PeerLabel | undefined;
  router: ms.Router;
  webRtcServer: ms.WebRtcServer;
  keyFrameRequestDelayMs: number;
  initialOutgoingBitrate: number;
  logger: Logger;
}

export interface PeerEvents {
  'producer-created': [producer: ms.Producer, source: ProducerSource];
  /** +1 when a consumer is created, -1 when one closes: the room balances routers with it. */
  'consumer-count': [delta: 1 | -1];
  'consumer-closed': [consumer: ms.Consumer];
  'consumer-layers-changed': [consumer: ms.Consumer, layers: ms.ConsumerLayers | undefined];
  /** A transport's ICE or DTLS failed: the client should restart ICE. */
  'transport-failed': [transportId: string];
  closed: [];
}

/** A viewer sees each source once; a publisher sends at most one producer per source. */
const MAX_TRANSPORTS = 2;

export class Peer extends EventEmitter<PeerEvents> {
  readonly id: string;
  readonly role: PeerRole;
  readonly label: PeerLabel | undefined;
  readonly #options: PeerOptions;
  readonly #logger: Logger;
  readonly #transports = new Map<string, ms.WebRtcTransport>();
  readonly #producers = new Map<string, { producer: ms.Producer; source: ProducerSource }>();
  /** `ready`: its client resumed it (it has the track); until then it stays paused. */
  readonly #consumers = new Map<string, { consumer: ms.Consumer; source: ProducerSource; ready: boolean }>();
  /** Producers whose consumers the server holds paused, whatever the client asks (setHeld). */
  #held: ReadonlySet<string> = new Set();
  #closed = false;

  constructor(options: PeerOptions) {
    super();
    this.id = options.id;
    this.role = options.role;
    this.label = options.label;
    this.#options = options;
    this.#logger = options.logger.child({ peer: options.id, role: options.role });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#options.router.rtpCapabilities;
  }

  async createTransport(direction: 'send' | 'recv'): Promise<ms.WebRtcTransport> {
    this.#assertOpen();
    if (direction === 'send' && this.role !== 'publisher')
      throw new ForbiddenError('Only the publisher may send media.');
    if (this.#transports.size >= MAX_TRANSPORTS)
      throw new ConflictError('too_many_transports', 'This peer already has its transports.');
    const transport = await this.#options.router.createWebRtcTransport({
      webRtcServer: this.#options.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.#options.initialOutgoingBitrate,
      appData: { direction },
    });
    if (this.#closed) {
      transport.close();
      throw new ConflictError('peer_closed', 'The session closed.');
    }
    this.#transports.set(transport.id, transport);
    transport.observer.once('close', () => this.#transports.delete(transport.id));
    const onFailure = (state: string) => {
      if (state === 'failed' || state === 'closed') this.emit('transport-failed', transport.id);
    };
    transport.on('icestatechange', (state) => state === 'disconnected' || onFailure(state));
    transport.on('dtlsstatechange', onFailure);
    return transport;
  }

  async connectTransport(transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.#transport(transportId);
    await clientInput(() => transport.connect({ dtlsParameters }));
  }

  async restartIce(transportId: string): Promise<ms.IceParameters> {
    return this.#transport(transportId).restartIce();
  }

  async produce(
    transportId: string,
    kind: ms.MediaKind,
    rtpParameters: ms.RtpParameters,
    source: ProducerSource,
  ): Promise<ms.Producer> {
    if (this.role !== 'publisher') throw new ForbiddenError('Only the publisher may send media.');
    const transport = this.#transport(transportId);
    if ((transport.appData as { direction?: string }).direction !== 'send')
      throw new BadRequestError('That transport does not send.');
    const expectedKind = source === 'microphone' || source === 'screen-audio' ? 'audio' : 'video';
    if (kind !== expectedKind) throw new BadRequestError(`A ${source} producer must be ${expectedKind}.`);
    for (const existing of this.#producers.values()) {
      if (existing.source === source)
        throw new ConflictError('source_taken', `A ${source} is already being sent; close it first.`);
    }
    const producer = await clientInput(() =>
      transport.produce({
        kind,
        rtpParameters,
        keyFrameRequestDelay: this.#options.keyFrameRequestDelayMs,
        appData: { source },
      }),
    );
    this.#producers.set(producer.id, { producer, source });
    producer.observer.once('close', () => this.#producers.delete(producer.id));
    this.#logger.debug({ producerId: producer.id, kind, source }, 'producing');
    this.emit('producer-created', producer, source);
    return producer;
  }

  /** Closes everything this peer sends (its transports stay): a stage member moved off the stage. */
  closeProducers(): void {
    for (const { producer } of [...this.#producers.values()]) producer.close();
  }

  producer(producerId: string): ms.Producer {
    const entry = this.#producers.get(producerId);
    if (!entry) throw new NotFoundError('Producer', producerId);
    return entry.producer;
  }

  /** Whether this peer's router has the producer and can send it as `rtpCapabilities` want. */
  canConsume(producerId: string, rtpCapabilities: ms.RtpCapabilities): boolean {
    return this.#options.router.canConsume({ producerId, rtpCapabilities });
  }

  /**
   * Consumes a producer of the room, paused: the client resumes it once its track is attached.
   * `mid` is the m-section it fills when the client, not mediasoup, numbered them (WHEP).
   */
  async consume(
    transportId: string,
    producerId: string,
    source: ProducerSource,
    rtpCapabilities: ms.RtpCapabilities,
    mid?: string,
  ): Promise<ms.Consumer> {
    const transport = this.#transport(transportId);
    if ((transport.appData as { direction?: string }).direction !== 'recv')
      throw new BadRequestError('That transport does not receive.');
    if (!(await clientInput(async () => this.#options.router.canConsume({ producerId, rtpCapabilities })))) {
      throw new BadRequestError('This device cannot decode that media (no common codec).');
    }
    const consumer = await clientInput(() =>
      transport.consume({
        producerId,
        rtpCapabilities,
        paused: true,
        ...(mid === undefined ? {} : { mid }),
        appData: { source },
      }),
    );
    this.#consumers.set(consumer.id, { consumer, source, ready: false });
    this.emit('consumer-count', 1);
    consumer.observer.once('close', () => {
      this.#consumers.delete(consumer.id);
      this.emit('consumer-count', -1);
      this.emit('consumer-closed', consumer);
    });
    consumer.on('producerclose', () => consumer.close());
    consumer.on('transportclose', () => consumer.close());
    consumer.on('layerschange', (layers) => this.emit('consumer-layers-changed', consumer, layers));
    return consumer;
  }

  #consumer(consumerId: string): ms.Consumer {
    const entry = this.#consumers.get(consumerId);
    if (!entry) throw new NotFoundError('Consumer', consumerId);
    return entry.consumer;
  }

  /** Closes this peer's consumers of `producerId` (its client is told by 'consumer-closed'). */
  closeConsumersOf(producerId: string): void {
    for (const { consumer } of [...this.#consumers.values()]) if (consumer.producerId === producerId) consumer.close();
  }

  /** The client is ready for the consumer's media (held back still while its producer is held). */
  resumeConsumer(consumerId: string): Promise<void> {
    const entry = this.#consumers.get(consumerId);
    if (entry) entry.ready = true;
    return this.#onConsumer(consumerId, (consumer) =>
      this.#held.has(consumer.producerId) ? Promise.resolve() : consumer.resume(),
    );
  }

  /** The client no longer shows the consumer's media: nothing is sent until it resumes it. */
  pauseConsumer(consumerId: string): Promise<void> {
    const entry = this.#consumers.get(consumerId);
    if (entry) entry.ready = false;
    return this.#onConsumer(consumerId, (consumer) => consumer.pause());
  }

  /**
   * Holds this peer's consumers of the producers in `producerIds` paused on the server, and lets
   * go of the others (those the client made ready resume): a webinar attendee hears only the
   * loudest voices on a crowded stage. A hold costs no renegotiation: the client keeps its track,
   * which just gets no packets, so a voice comes back within one audio-level interval.
   */
  async setHeld(producerIds: ReadonlySet<string>): Promise<void> {
    const before = this.#held;
    this.#held = new Set(producerIds);
    const changes: Promise<void>[] = [];
    for (const { consumer, ready } of this.#consumers.values()) {
      const held = producerIds.has(consumer.producerId);
      if (held === before.has(consumer.producerId) || consumer.closed) continue;
      if (held) changes.push(consumer.pause());
      else if (ready) changes.push(consumer.resume());
    }
    // A consumer closing meanwhile (its producer gone) has nothing left to pause.
    await Promise.allSettled(changes);
  }

  setConsumerPreferredLayers(consumerId: string, layers: ms.ConsumerLayers): Promise<void> {
    return this.#onConsumer(consumerId, (consumer) => consumer.setPreferredLayers(layers));
  }

  /**
   * A consumer closes with its producer (the publisher left or stopped a source), which can happen
   * while a client's request for it is on its way to the worker: the worker then no longer knows
   * it, and says so before this process hears of the close (a viewer on an edge router hears it
   * only through the pipe). Such a consumer is gone (404), as if the request had come a moment
   * later, not a failure; whether the worker still has it tells the two apart.
   */
  async #onConsumer(consumerId: string, call: (consumer: ms.Consumer) => Promise<void>): Promise<void> {
    const consumer = this.#consumer(consumerId);
    try {
      await call(consumer);
    } catch (error) {
      const gone =
        consumer.closed ||
        (await consumer.dump().then(
          () => false,
          () => true,
        ));
      if (gone) throw new NotFoundError('Consumer', consumerId);
      throw error;
    }
  }

  consumerCount(): number {
    return this.#consumers.size;
  }

  /**
   * Bytes its transports have received from the client so far (RTCP reports and ICE consent checks
   * come every few seconds while its media flows): growth says the client's media is alive.
   */
  async bytesReceived(): Promise<number> {
    const stats = await Promise.all(
      [...this.#transports.values()].map((transport) => transport.getStats().catch(() => [])),
    );
    return stats.flat().reduce((sum, stat) => sum + (stat.bytesReceived ?? 0), 0);
  }

  /** Closes transports (and with them producers and consumers); safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of [...this.#transports.values()]) transport.close();
    this.#transports.clear();
    this.emit('closed');
    this.removeAllListeners();
  }

  #transport(transportId: string): ms.WebRtcTransport {
    this.#assertOpen();
    const transport = this.#transports.get(transportId);
    if (!transport) throw new NotFoundError('Transport', transportId);
    return transport;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ConflictError('peer_closed', 'The session closed.');
  }
}

/**
 * Runs a mediasoup call that takes parameters from the client. mediasoup rejects malformed ones
 * with TypeError and unsupported ones (a codec the router lacks) with UnsupportedError: both are
 * the client's mistake, so they become a 400 with mediasoup's explanation. Anything else is ours.
 */
const CLASHING_PARAMETERS = /already exists in RTP listener/;

async function clientInput<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TypeError || error instanceof mediasoupTypes.UnsupportedError) {
      throw new BadRequestError(`Invalid media parameters: ${error.message}`);
    }
    // The worker refuses a MID, RID or SSRC the transport already receives: the client's mistake
    // (a second producer announced with the first one's parameters), not the server's.
    if (error instanceof Error && CLASHING_PARAMETERS.test(error.message)) {
      throw new ConflictError('media_parameters_in_use', `Media parameters already in use: ${error.message}`);
    }
    throw error;
  }
}
