// A router on the origin's worker whose payload types are some viewers' own (a WHEP player is the
// offerer and decodes by its own numbers; a mediasoup 3.12 consumer sends with its router's). It
// is fed from the origin over one pipe transport pair of its own rather than by pipeToRouter:
// pipeToRouter keeps the producer's id, and a worker refuses a second producer with the same id,
// so it cannot pipe within one worker. The piped producers therefore carry new ids; producers()
// gives the room's producers as this router has them.
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { RoomProducer } from './peer.ts';
import type { MediaWorker } from './worker-pool.ts';

interface PipePair {
  /** On the origin router: consumes the room's producers. */
  local: ms.PipeTransport;
  /** On this router: produces them again. */
  remote: ms.PipeTransport;
}

export class CodecsRouter {
  readonly router: ms.Router;
  readonly worker: MediaWorker;
  /** Consumers on this router, kept up by the room like those of its other routers. */
  consumers = 0;
  /** Viewers on this router: the room closes it when the last one leaves. */
  viewers = 0;
  readonly #pipe: PipePair;
  readonly #logger: Logger;
  /** Room producer id → the same media produced on this router. */
  readonly #piped = new Map<string, RoomProducer>();

  static async create(
    origin: ms.Router,
    worker: MediaWorker,
    mediaCodecs: ms.RtpCodecCapability[],
    logger: Logger,
  ): Promise<CodecsRouter> {
    const router = await worker.worker.createRouter({
      mediaCodecs,
      appData: { ...origin.appData, viewerCodecs: true },
    });
    try {
      const [local, remote] = await Promise.all([
        origin.createPipeTransport({ listenIp: '127.0.0.1' }),
        router.createPipeTransport({ listenIp: '127.0.0.1' }),
      ]);
      // Each end dies with its router; either way the pair is useless.
      local.observer.once('close', () => remote.close());
      remote.observer.once('close', () => local.close());
      await Promise.all([
        local.connect({ ip: remote.tuple.localIp, port: remote.tuple.localPort }),
        remote.connect({ ip: local.tuple.localIp, port: local.tuple.localPort }),
      ]);
      return new CodecsRouter(router, worker, { local, remote }, logger);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  private constructor(router: ms.Router, worker: MediaWorker, pipe: PipePair, logger: Logger) {
    this.router = router;
    this.worker = worker;
    this.#pipe = pipe;
    this.#logger = logger;
  }

  /** The room's producers that this router carries, with this router's producer ids. */
  producers(): RoomProducer[] {
    return [...this.#piped.values()];
  }

  /** Pipes in each producer not yet here whose codec this router has. */
  async feed(producers: readonly RoomProducer[]): Promise<void> {
    for (const entry of producers) {
      if (this.#piped.has(entry.producer.id) || entry.producer.closed) continue;
      try {
        await this.#pipeIn(entry);
      } catch (error) {
        // Expected when these viewers lack the producer's codec: they won't be offered that track.
        this.#logger.debug(
          { err: error, producerId: entry.producer.id },
          'producer not piped to a viewer-codecs router',
        );
      }
    }
  }

  /** Safe to call twice; the origin's end of the pipe closes with it. */
  close(): void {
    this.router.close();
  }

  async #pipeIn(entry: RoomProducer): Promise<void> {
    const consumer = await this.#pipe.local.consume({ producerId: entry.producer.id });
    let piped: ms.Producer;
    try {
      piped = await this.#pipe.remote.produce({
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        paused: consumer.producerPaused,
        appData: { ...entry.producer.appData, pipedFrom: entry.producer.id },
      });
    } catch (error) {
      consumer.close();
      throw error;
    }
    // The consumer closes with the origin's producer; the copy must follow, and vice versa.
    consumer.observer.once('close', () => piped.close());
    consumer.on(
      'producerpause',
      () => void piped.pause().catch((err: unknown) => this.#logger.warn({ err }, 'could not pause a piped producer')),
    );
    consumer.on(
      'producerresume',
      () =>
        void piped.resume().catch((err: unknown) => this.#logger.warn({ err }, 'could not resume a piped producer')),
    );
    piped.observer.once('close', () => {
      consumer.close();
      this.#piped.delete(entry.producer.id);
    });
    this.#piped.set(entry.producer.id, { ...entry, producer: piped });
  }
}
