// The readers of the chat benchmark, either on the benchmark's main thread or spread over worker
// threads of its process (chat-reader-thread.ts). Either way the caller sees one group: how many
// joined, how many deliveries so far, and at the end every delivery. close() is safe to call twice.
import { Worker } from 'node:worker_threads';
import { ChatReaders, type Deliveries } from './chat-swarm.ts';
import { BenchError } from './types.ts';

export interface ReaderOptions {
  count: number;
  /** Joins in flight per thread. */
  concurrency: number;
  timeoutMs: number;
  deadlineMs: number;
}

export interface ReaderThreadData {
  url: string;
  channel: string;
  options: ReaderOptions;
}

export type ReaderThreadRequest = { type: 'count' } | { type: 'collect' } | { type: 'close' };

export type ReaderThreadAnswer =
  | { type: 'joined'; joined: number; failures: string[] }
  | { type: 'count'; received: number }
  | {
      type: 'collected';
      delays: number[];
      perMessage: [number, { first: number; last: number; readers: number }][];
      duplicates: number;
      disconnects: number;
    };

export interface CollectedDeliveries extends Deliveries {
  disconnects: number;
}

export interface ReaderGroup {
  readonly joined: number;
  readonly failures: string[];
  /** Deliveries received so far. */
  received(): Promise<number>;
  collect(): Promise<CollectedDeliveries>;
  close(): Promise<void>;
}

/** Readers on the main thread (threads = 0) or split evenly over `threads` worker threads. */
export async function startReaders(
  url: string,
  channel: string,
  options: ReaderOptions,
  threads: number,
): Promise<ReaderGroup> {
  if (threads === 0) return mainThreadGroup(await ChatReaders.connect(url, channel, options));
  const threadsUsed = Math.min(threads, options.count);
  const shares = Array.from(
    { length: threadsUsed },
    (_, i) => Math.floor(options.count / threadsUsed) + (i < options.count % threadsUsed ? 1 : 0),
  );
  const started = shares.map((count) => ReaderThread.start({ url, channel, options: { ...options, count } }));
  const settled = await Promise.allSettled(started);
  const ready = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(ready.map((thread) => thread.close()));
    throw new BenchError(`a reader thread failed: ${(failed.reason as Error).message}`);
  }
  let closing: Promise<void> | undefined;
  return {
    joined: ready.reduce((sum, t) => sum + t.joined, 0),
    failures: ready.flatMap((t) => t.failures),
    received: async () => (await Promise.all(ready.map((t) => t.received()))).reduce((a, b) => a + b, 0),
    async collect() {
      const parts = await Promise.all(ready.map((t) => t.collect()));
      const merged: CollectedDeliveries = { delays: [], perMessage: new Map(), duplicates: 0, disconnects: 0 };
      for (const part of parts) {
        for (const delay of part.delays) merged.delays.push(delay);
        merged.duplicates += part.duplicates;
        merged.disconnects += part.disconnects;
        for (const [seq, arrival] of part.perMessage) {
          const entry = merged.perMessage.get(seq);
          if (!entry) merged.perMessage.set(seq, { ...arrival });
          else {
            entry.first = Math.min(entry.first, arrival.first);
            entry.last = Math.max(entry.last, arrival.last);
            entry.readers += arrival.readers;
          }
        }
      }
      return merged;
    },
    close: () => (closing ??= Promise.all(ready.map((t) => t.close())).then(() => undefined)),
  };
}

function mainThreadGroup(readers: ChatReaders): ReaderGroup {
  return {
    joined: readers.joined,
    failures: readers.failures,
    received: async () => readers.deliveries.delays.length,
    collect: async () => ({ ...readers.deliveries, disconnects: readers.disconnects }),
    close: async () => readers.close(),
  };
}

/**
 * A worker thread does not inherit tsx's loader on Node 20, so it starts as plain JavaScript that
 * registers tsx and then loads the TypeScript entry.
 */
const BOOTSTRAP = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./chat-reader-thread.ts', import.meta.url).href)}); })`;

class ReaderThread {
  readonly #worker: Worker;
  readonly #waiting = new Map<
    ReaderThreadAnswer['type'],
    { resolve: (answer: ReaderThreadAnswer) => void; reject: (error: Error) => void }
  >();
  #exited: Error | undefined;
  joined = 0;
  failures: string[] = [];

  static async start(data: ReaderThreadData): Promise<ReaderThread> {
    const thread = new ReaderThread(new Worker(BOOTSTRAP, { eval: true, workerData: data }));
    const answer = await thread.#next('joined');
    if (answer.type === 'joined') {
      thread.joined = answer.joined;
      thread.failures = answer.failures;
    }
    return thread;
  }

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (answer: ReaderThreadAnswer) => {
      const waiter = this.#waiting.get(answer.type);
      this.#waiting.delete(answer.type);
      waiter?.resolve(answer);
    });
    const fail = (error: Error) => {
      this.#exited ??= error;
      for (const waiter of this.#waiting.values()) waiter.reject(this.#exited);
      this.#waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`reader thread exited with code ${code}`)));
  }

  /** The next answer of this type; requests of one type are made one at a time. */
  #next(type: ReaderThreadAnswer['type']): Promise<ReaderThreadAnswer> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => this.#waiting.set(type, { resolve, reject }));
  }

  async received(): Promise<number> {
    const answer = this.#next('count');
    this.#worker.postMessage({ type: 'count' } satisfies ReaderThreadRequest);
    const reply = await answer;
    return reply.type === 'count' ? reply.received : 0;
  }

  async collect(): Promise<Extract<ReaderThreadAnswer, { type: 'collected' }>> {
    const answer = this.#next('collected');
    this.#worker.postMessage({ type: 'collect' } satisfies ReaderThreadRequest);
    const reply = await answer;
    if (reply.type !== 'collected') throw new Error('unexpected answer');
    return reply;
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage({ type: 'close' } satisfies ReaderThreadRequest);
    // Sockets closed, the thread ends by itself; a stuck one is terminated.
    const timer = setTimeout(() => void this.#worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
