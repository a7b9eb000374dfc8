// A Room is one live stream's media: an origin router that receives the publisher's media and,
// when viewers outgrow it, edge routers on other workers fed by pipeToRouter. A router on each
// worker lets one stream use every core. WHEP players, which must receive their own payload
// types, get routers numbered their way (codecs-router.ts). The room owns its routers and peers;
// peers own their transports, producers and consumers. Closing the room closes all of them.
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { CodecsRouter } from './codecs-router.ts';
import { MEDIA_CODECS } from './media-codecs.ts';
import { Peer, type PeerLabel, type PeerRole, type ProducerSource, type RoomProducer } from './peer.ts';
import type { MediaWorker, WorkerPool } from './worker-pool.ts';

export interface RoomOptions {
  id: string;
  /** Past this many consumers on a router, new viewers go to a router on another worker. */
  consumersPerRouter: number;
  /** Minimum gap between keyframe requests forwarded to a publisher. */
  keyFrameRequestDelayMs: number;
  /** Bitrate the server assumes towards a new viewer before its estimate converges. */
  initialOutgoingBitrate: number;
}

export interface RoomEvents {
  /** A producer is ready to be consumed on every router of the room. */
  'producer-added': [RoomProducer];
  'producer-closed': [producerId: string];
  'producer-paused': [producerId: string];
  'producer-resumed': [producerId: string];
  'peer-closed': [Peer];
  /** The room is gone; `reason` says why (e.g. its worker died). */
  closed: [reason: string];
}

interface RoomRouter {
  router: ms.Router;
  worker: MediaWorker;
  consumers: number;
}

/** A viewer on a router of its own payload types (joinWithCodecs). */
export interface CodecsViewer {
  peer: Peer;
  /** The room's producers as the peer's router has them: consume these ids. */
  producers: RoomProducer[];
}

export class Room extends EventEmitter<RoomEvents> {
  readonly id: string;
  readonly #options: RoomOptions;
  readonly #pool: WorkerPool;
  readonly #logger: Logger;
  readonly #origin: RoomRouter;
  readonly #edges: RoomRouter[] = [];
  readonly #peers = new Map<string, Peer>();
  readonly #producers = new Map<string, RoomProducer>();
  /** Keyed by codecSignature(mediaCodecs), so viewers numbering codecs alike share one. */
  readonly #codecsRouters = new Map<string, CodecsRouter>();
  /** Serializes edge creation and piping so a burst of joins can't create two edges at once. */
  #placement: Promise<unknown> = Promise.resolve();
  #closed = false;

  static async create(pool: WorkerPool, options: RoomOptions, logger: Logger): Promise<Room> {
    const worker = pool.nextWorker();
    const router = await worker.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { room: options.id } });
    return new Room(pool, options, { router, worker, consumers: 0 }, logger);
  }

  private constructor(pool: WorkerPool, options: RoomOptions, origin: RoomRouter, logger: Logger) {
    super();
    this.id = options.id;
    this.#options = options;
    this.#pool = pool;
    this.#origin = origin;
    this.#logger = logger.child({ room: options.id });
    this.#watchRouter(origin);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#origin.router.rtpCapabilities;
  }

  peers(): Peer[] {
    return [...this.#peers.values()];
  }

  peer(id: string): Peer | undefined {
    return this.#peers.get(id);
  }

  producers(): RoomProducer[] {
    return [...this.#producers.values()];
  }

  viewerCount(): number {
    let count = 0;
    for (const peer of this.#peers.values()) if (peer.role === 'viewer') count++;
    return count;
  }

  /** Routers in use and their consumer counts: for health, benchmarks and tests. */
  routerLoad(): { routerId: string; workerIndex: number; consumers: number; origin: boolean }[] {
    return [this.#origin, ...this.#edges, ...this.#codecsRouters.values()].map((r) => ({
      routerId: r.router.id,
      workerIndex: r.worker.index,
      consumers: r.consumers,
      origin: r === this.#origin,
    }));
  }

  /**
   * Adds a peer. Publishers live on the origin router; viewers on the router with room to spare.
   * `label` names who it is, for other members to show (several publish on a webinar's stage).
   */
  async join(peerId: string, role: PeerRole, label?: PeerLabel): Promise<Peer> {
    this.#assertCanJoin(peerId);
    const placed = role === 'publisher' ? this.#origin : await this.#routerForViewer();
    return this.#addPeer(peerId, role, placed, label);
  }

  /**
   * Adds a viewer whose transports live on a router built with `mediaCodecs`, on the origin's
   * worker and fed every current producer whose codec it has. For players that must receive the
   * payload types they chose themselves (WHEP offerers): a mediasoup 3.12 consumer sends with its
   * router's numbers. Viewers with the same codecs share the router; it closes with the last one.
   */
  async joinWithCodecs(peerId: string, mediaCodecs: ms.RtpCodecCapability[]): Promise<CodecsViewer> {
    this.#assertCanJoin(peerId);
    const key = codecSignature(mediaCodecs);
    // Counted inside the queue, so a leaving viewer can't close the router before we are on it.
    const placed = await this.#serialize(async () => {
      if (this.#closed) throw new Error('Room is closed.');
      let entry = this.#codecsRouters.get(key);
      if (!entry) {
        entry = await CodecsRouter.create(
          this.#origin.router,
          this.#origin.worker,
          mediaCodecs,
          this.#logger.child({ codecs: key }),
        );
        this.#codecsRouters.set(key, entry);
        this.#watchRouter(entry);
      }
      await entry.feed([...this.#producers.values()]);
      entry.viewers++;
      return entry;
    });
    let peer: Peer;
    try {
      peer = this.#addPeer(peerId, 'viewer', placed);
    } catch (error) {
      this.#releaseCodecsRouter(key, placed);
      throw error;
    }
    peer.once('closed', () => this.#releaseCodecsRouter(key, placed));
    return { peer, producers: placed.producers() };
  }

  #assertCanJoin(peerId: string): void {
    if (this.#closed) throw new Error('Room is closed.');
    if (this.#peers.has(peerId)) throw new Error(`Peer ${peerId} is already in room ${this.id}.`);
  }

  #addPeer(peerId: string, role: PeerRole, placed: RoomRouter, label?: PeerLabel): Peer {
    this.#assertCanJoin(peerId);
    const peer = new Peer({
      id: peerId,
      role,
      label,
      router: placed.router,
      webRtcServer: placed.worker.webRtcServer,
      keyFrameRequestDelayMs: this.#options.keyFrameRequestDelayMs,
      initialOutgoingBitrate: this.#options.initialOutgoingBitrate,
      logger: this.#logger,
    });
    this.#peers.set(peerId, peer);
    peer.on('consumer-count', (delta) => (placed.consumers += delta));
    peer.on('producer-created', (producer, source) => void this.#onProducer(peer, producer, source));
    peer.once('closed', () => {
      this.#peers.delete(peerId);
      this.emit('peer-closed', peer);
    });
    return peer;
  }

  #releaseCodecsRouter(key: string, entry: CodecsRouter): void {
    entry.viewers--;
    if (entry.viewers > 0 || this.#codecsRouters.get(key) !== entry) return;
    this.#codecsRouters.delete(key);
    entry.close();
  }

  /**
   * An active-speaker observer on the origin router, where every publisher's producers are
   * (active-speaker.ts uses it). It closes with the room.
   */
  createActiveSpeakerObserver(intervalMs: number): Promise<ms.ActiveSpeakerObserver> {
    if (this.#closed) throw new Error('Room is closed.');
    return this.#origin.router.createActiveSpeakerObserver({ interval: intervalMs });
  }

  /**
   * An audio-level observer on the origin router reporting the `maxEntries` loudest producers
   * above `threshold` dBov every `intervalMs` (loudest-voices.ts uses it). It closes with the room.
   */
  createAudioLevelObserver(options: {
    maxEntries: number;
    threshold: number;
    intervalMs: number;
  }): Promise<ms.AudioLevelObserver> {
    if (this.#closed) throw new Error('Room is closed.');
    const { maxEntries, threshold, intervalMs } = options;
    return this.#origin.router.createAudioLevelObserver({ maxEntries, threshold, interval: intervalMs });
  }

  /**
   * Sends a producer as plain RTP to `remote` (the recorder's FFmpeg), from the origin router. The
   * consumer starts paused and without RTX (FFmpeg can't use retransmissions); the caller owns
   * both and closes the transport when done. It closes by itself with the room or the producer.
   */
  async consumeAsPlainRtp(
    producerId: string,
    remote: { ip: string; port: number; rtcpPort: number },
  ): Promise<{ transport: ms.PlainTransport; consumer: ms.Consumer }> {
    if (this.#closed) throw new Error('Room is closed.');
    const router = this.#origin.router;
    const transport = await router.createPlainTransport({
      listenIp: { ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    try {
      await transport.connect(remote);
      const rtpCapabilities = {
        ...router.rtpCapabilities,
        codecs: (router.rtpCapabilities.codecs ?? []).filter((codec) => !codec.mimeType.toLowerCase().endsWith('/rtx')),
      };
      const consumer = await transport.consume({ producerId, rtpCapabilities, paused: true });
      return { transport, consumer };
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  /** Closes every peer and router; safe to call twice. */
  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values()]) peer.close();
    for (const entry of this.#codecsRouters.values()) entry.close();
    this.#codecsRouters.clear();
    for (const { router } of [...this.#edges, this.#origin]) router.close();
    this.#producers.clear();
    this.#logger.debug({ reason }, 'room closed');
    this.emit('closed', reason);
  }

  async #onProducer(peer: Peer, producer: ms.Producer, source: ProducerSource): Promise<void> {
    const entry: RoomProducer = { producer, source, peerId: peer.id };
    producer.observer.once('close', () => {
      if (this.#producers.delete(producer.id)) this.emit('producer-closed', producer.id);
    });
    producer.observer.on('pause', () => this.emit('producer-paused', producer.id));
    producer.observer.on('resume', () => this.emit('producer-resumed', producer.id));
    try {
      // Every edge must carry the producer before viewers there hear of it.
      await this.#serialize(() => Promise.all(this.#edges.map((edge) => this.#pipe(producer, edge))));
    } catch (error) {
      this.#logger.error({ err: error, producerId: producer.id }, 'could not pipe a producer to the edge routers');
    }
    if (producer.closed || this.#closed) return;
    this.#producers.set(producer.id, entry);
    this.emit('producer-added', entry);
  }

  #routerForViewer(): Promise<RoomRouter> {
    return this.#serialize(async () => {
      const perViewer = Math.max(1, this.#producers.size);
      const limit = this.#options.consumersPerRouter;
      const candidates = [this.#origin, ...this.#edges];
      const withRoom = candidates.find((r) => r.consumers + perViewer <= limit);
      if (withRoom) return withRoom;
      const freeWorker = this.#pool.workers().find((w) => !candidates.some((r) => r.worker === w));
      if (!freeWorker) {
        // Every worker already serves this room: spread the overflow over the least loaded router.
        return candidates.reduce((a, b) => (b.consumers < a.consumers ? b : a));
      }
      return this.#addEdge(freeWorker);
    });
  }

  async #addEdge(worker: MediaWorker): Promise<RoomRouter> {
    const router = await worker.worker.createRouter({
      mediaCodecs: MEDIA_CODECS,
      appData: { room: this.id, edge: true },
    });
    const edge: RoomRouter = { router, worker, consumers: 0 };
    await Promise.all([...this.#producers.values()].map(({ producer }) => this.#pipe(producer, edge)));
    this.#edges.push(edge);
    this.#watchRouter(edge);
    this.#logger.info({ worker: worker.index, edges: this.#edges.length }, 'room spread to another worker');
    return edge;
  }

  async #pipe(producer: ms.Producer, edge: RoomRouter): Promise<void> {
    if (producer.closed) return;
    await this.#origin.router.pipeToRouter({ producerId: producer.id, router: edge.router });
  }

  /** A router whose worker died takes its transports with it: the room can't go on as it was. */
  #watchRouter(entry: RoomRouter): void {
    entry.router.on('workerclose', () => this.close(`media worker ${entry.worker.index} stopped`));
  }

  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#placement.then(task, task);
    this.#placement = run.catch(() => undefined);
    return run;
  }
}

/** Same codecs, same payload types: the same router will do. */
function codecSignature(mediaCodecs: readonly ms.RtpCodecCapability[]): string {
  return mediaCodecs
    .map(
      (c) =>
        `${c.kind}:${c.mimeType.toLowerCase()}/${c.clockRate}/${c.channels ?? ''}:${c.preferredPayloadType}:${JSON.stringify(c.parameters ?? {})}`,
    )
    .join('|');
}
