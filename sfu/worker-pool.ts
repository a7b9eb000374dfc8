// The pool of mediasoup workers: one per core by default, each a separate C++ process with its own
// WebRtcServer on a fixed port (worker i listens on rtcPort + i), so the firewall needs only a few
// ports however many transports there are. A worker that dies is replaced on the same port and
// the pool says so; whoever placed rooms on it (the room registry) rebuilds them. The server
// process itself never dies with a worker.
import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { UnavailableError } from '../common/errors.ts';

export interface WorkerPoolOptions {
  workers: number;
  listenIp: string;
  announcedAddress: string | undefined;
  rtcPort: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logLevel: ms.WorkerLogLevel;
}

/** One live worker process and the WebRtcServer every WebRTC transport on it shares. */
export interface MediaWorker {
  readonly index: number;
  readonly worker: ms.Worker;
  readonly webRtcServer: ms.WebRtcServer;
}

export interface WorkerHealth {
  index: number;
  pid: number;
  alive: boolean;
  port: number;
  /** CPU used since the previous health sample (or since start), as a share of one core, 0-100. */
  cpuPercent: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

export interface WorkerPoolEvents {
  /** A worker died; its routers, transports and producers are gone. */
  'worker-died': [index: number, error: Error];
  /** A new worker took the dead one's place (same index and port). */
  'worker-replaced': [worker: MediaWorker];
}

interface CpuSample {
  at: number;
  cpuMs: number;
}

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #logger: Logger;
  readonly #slots: (MediaWorker | undefined)[];
  readonly #cpuSamples = new Map<number, CpuSample>();
  #closed = false;
  #nextIndex = 0;

  static async create(options: WorkerPoolOptions, logger: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(options, logger);
    try {
      await Promise.all(Array.from({ length: options.workers }, (_, index) => pool.#start(index)));
    } catch (error) {
      pool.close();
      throw error;
    }
    logger.info({ workers: options.workers, ports: pool.ports() }, 'media workers ready');
    return pool;
  }

  private constructor(options: WorkerPoolOptions, logger: Logger) {
    super();
    this.#options = options;
    this.#logger = logger.child({ component: 'worker-pool' });
    this.#slots = new Array(options.workers).fill(undefined);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Workers alive right now, by index. A dead worker's slot is empty until its replacement is up. */
  workers(): MediaWorker[] {
    return this.#slots.filter((slot): slot is MediaWorker => slot !== undefined);
  }

  worker(index: number): MediaWorker | undefined {
    return this.#slots[index];
  }

  /** Round-robin over live workers: where to put the next room. */
  nextWorker(): MediaWorker {
    const live = this.workers();
    // Between a worker's death and its replacement: the client retries after a short wait.
    if (live.length === 0)
      throw new UnavailableError('No media server is running right now; try again in a moment.', 1);
    const chosen = live[this.#nextIndex % live.length]!;
    this.#nextIndex = (this.#nextIndex + 1) % Number.MAX_SAFE_INTEGER;
    return chosen;
  }

  /** The configured port of each worker's WebRtcServer (0 where the system picks one). */
  ports(): number[] {
    return this.#slots.map((_, index) => this.#port(index) ?? 0);
  }

  #port(index: number): number | undefined {
    return this.#options.rtcPort === 0 ? undefined : this.#options.rtcPort + index;
  }

  async health(): Promise<WorkerHealth[]> {
    return Promise.all(
      this.#slots.map(async (slot, index): Promise<WorkerHealth> => {
        const port = this.#port(index) ?? 0;
        if (!slot || slot.worker.closed) {
          return { index, pid: 0, alive: false, port, cpuPercent: 0, cpuUserMs: 0, cpuSystemMs: 0 };
        }
        const usage = await slot.worker.getResourceUsage();
        const now = performance.now();
        const cpuMs = usage.ru_utime + usage.ru_stime;
        const previous = this.#cpuSamples.get(slot.worker.pid);
        this.#cpuSamples.set(slot.worker.pid, { at: now, cpuMs });
        const cpuPercent = previous && now > previous.at ? ((cpuMs - previous.cpuMs) / (now - previous.at)) * 100 : 0;
        return {
          index,
          pid: slot.worker.pid,
          alive: true,
          port,
          cpuPercent: Math.round(cpuPercent * 10) / 10,
          cpuUserMs: usage.ru_utime,
          cpuSystemMs: usage.ru_stime,
        };
      }),
    );
  }

  /** Closes every worker; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) slot?.worker.close();
    this.#slots.fill(undefined);
    this.#cpuSamples.clear();
  }

  async #start(index: number): Promise<MediaWorker> {
    const options = this.#options;
    const worker = await mediasoup.createWorker({
      logLevel: options.logLevel,
      rtcMinPort: options.rtcMinPort,
      rtcMaxPort: options.rtcMaxPort,
      appData: { index },
    });
    if (this.#closed) {
      worker.close();
      throw new Error('Worker pool closed while starting a worker.');
    }
    let webRtcServer: ms.WebRtcServer;
    try {
      const listen = { ip: options.listenIp, announcedIp: options.announcedAddress, port: this.#port(index) };
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ...listen },
          { protocol: 'tcp', ...listen },
        ],
      });
    } catch (error) {
      worker.close();
      throw new Error(
        `Could not listen on port ${this.#port(index) ?? '(any)'} (UDP/TCP) for media: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const mediaWorker: MediaWorker = { index, worker, webRtcServer };
    this.#slots[index] = mediaWorker;
    worker.on('died', (error) => this.#onDied(mediaWorker, error));
    this.#logger.debug({ index, pid: worker.pid }, 'media worker started');
    return mediaWorker;
  }

  #onDied(dead: MediaWorker, error: Error): void {
    if (this.#slots[dead.index] === dead) this.#slots[dead.index] = undefined;
    this.#cpuSamples.delete(dead.worker.pid);
    if (this.#closed) return;
    this.#logger.error({ index: dead.index, pid: dead.worker.pid, err: error }, 'media worker died; replacing it');
    this.emit('worker-died', dead.index, error);
    void this.#replace(dead.index, 0);
  }

  /** Restarts a worker in the dead one's slot, retrying with backoff (its port may linger briefly). */
  async #replace(index: number, attempt: number): Promise<void> {
    if (this.#closed) return;
    try {
      const replacement = await this.#start(index);
      this.#logger.info({ index, pid: replacement.worker.pid }, 'media worker replaced');
      this.emit('worker-replaced', replacement);
    } catch (error) {
      if (this.#closed) return;
      const delayMs = Math.min(5000, 100 * 2 ** attempt);
      this.#logger.error({ index, attempt, err: error, retryInMs: delayMs }, 'could not replace media worker');
      setTimeout(() => void this.#replace(index, attempt + 1), delayMs).unref();
    }
  }
}
