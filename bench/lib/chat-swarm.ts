// The clients of the chat benchmark, all in the benchmark's process: readers (anonymous sockets
// joined to one channel's room) that time every message they receive, and signed-in senders.
// Each message carries its send time in its body; both ends read the same clock (this process's
// performance.now()), so a delay needs no clock synchronisation.
import { io, type Socket } from 'socket.io-client';
import { BenchError } from './types.ts';

const BODY = /^bench #(\d+) sent ([\d.]+)$/;

/** The clock messages are stamped with and timed against: milliseconds, sub-millisecond resolution. */
export function benchClock(): number {
  return performance.timeOrigin + performance.now();
}

export function benchBody(seq: number, sentAt: number): string {
  return `bench #${seq} sent ${sentAt.toFixed(3)}`;
}

interface Ack {
  ok: boolean;
  error?: { code?: string; detail?: string };
}

export interface Deliveries {
  /** Delivery delay of every (reader, message) pair received, in ms. */
  delays: number[];
  /** Per message: when the first and the last reader got it, and how many did. */
  perMessage: Map<number, { first: number; last: number; readers: number }>;
  duplicates: number;
}

function connect(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Socket> {
  const socket = io(`${url}/chat`, {
    forceNew: true,
    transports: ['websocket'],
    reconnection: false,
    timeout: timeoutMs,
    extraHeaders: headers,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

async function join(socket: Socket, channel: string, timeoutMs: number): Promise<void> {
  const reply = (await socket.timeout(timeoutMs).emitWithAck('join', { channel })) as Ack;
  if (!reply.ok) throw new Error(`join refused: ${reply.error?.code} ${reply.error?.detail}`);
}

export class ChatReaders {
  readonly #sockets: Socket[] = [];
  readonly deliveries: Deliveries = { delays: [], perMessage: new Map(), duplicates: 0 };
  /** Join failures, as messages (the run goes on with the readers that joined). */
  readonly failures: string[] = [];
  #disconnects = 0;
  #joined = 0;

  /** Connects `count` readers, `concurrency` at a time, each joined to the channel before it counts. */
  static async connect(
    url: string,
    channel: string,
    options: { count: number; concurrency: number; timeoutMs: number; deadlineMs: number },
  ): Promise<ChatReaders> {
    const readers = new ChatReaders();
    const deadline = Date.now() + options.deadlineMs;
    let next = 0;
    const worker = async () => {
      while (next < options.count) {
        const index = next++;
        if (Date.now() > deadline) {
          readers.failures.push(`reader ${index}: not started before the join deadline`);
          continue;
        }
        try {
          const socket = await connect(url, { origin: url }, options.timeoutMs);
          readers.#track(socket);
          await join(socket, channel, options.timeoutMs);
          readers.#joined++;
        } catch (error) {
          readers.failures.push(`reader ${index}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
    return readers;
  }

  #track(socket: Socket): void {
    this.#sockets.push(socket);
    const seen = new Set<number>();
    socket.on('message', (message: { body?: unknown }) => {
      const at = benchClock();
      const match = typeof message.body === 'string' ? BODY.exec(message.body) : null;
      if (!match) return;
      const seq = Number(match[1]);
      if (seen.has(seq)) {
        this.deliveries.duplicates++;
        return;
      }
      seen.add(seq);
      this.deliveries.delays.push(at - Number(match[2]));
      const entry = this.deliveries.perMessage.get(seq);
      if (entry) {
        entry.last = Math.max(entry.last, at);
        entry.first = Math.min(entry.first, at);
        entry.readers++;
      } else {
        this.deliveries.perMessage.set(seq, { first: at, last: at, readers: 1 });
      }
    });
    socket.on('disconnect', () => this.#disconnects++);
  }

  /** Readers connected and joined. */
  get joined(): number {
    return this.#joined;
  }

  get disconnects(): number {
    return this.#disconnects;
  }

  close(): void {
    for (const socket of this.#sockets.splice(0)) socket.disconnect();
  }
}

export interface SendOutcome {
  seq: number;
  sentAt: number;
  /** From emit to ack, ms. */
  ackMs: number;
  ok: boolean;
  code?: string | undefined;
}

export class ChatSenders {
  readonly #sockets: Socket[];

  private constructor(sockets: Socket[]) {
    this.#sockets = sockets;
  }

  /** One signed-in socket per cookie; the Origin is the server's own, as a browser page sends. */
  static async connect(url: string, cookies: string[], timeoutMs: number): Promise<ChatSenders> {
    const sockets: Socket[] = [];
    try {
      for (const cookie of cookies) sockets.push(await connect(url, { origin: url, cookie }, timeoutMs));
    } catch (error) {
      for (const socket of sockets) socket.disconnect();
      throw new BenchError(`a sender could not connect: ${(error as Error).message}`);
    }
    return new ChatSenders(sockets);
  }

  /** Sends message `seq` from sender `seq % senders`, stamped with the send time; resolves on the ack. */
  async send(channel: string, seq: number, timeoutMs: number): Promise<SendOutcome> {
    const socket = this.#sockets[seq % this.#sockets.length]!;
    const sentAt = benchClock();
    try {
      const reply = (await socket
        .timeout(timeoutMs)
        .emitWithAck('send', { channel, body: benchBody(seq, sentAt) })) as Ack;
      return { seq, sentAt, ackMs: benchClock() - sentAt, ok: reply.ok, code: reply.error?.code };
    } catch (error) {
      return { seq, sentAt, ackMs: benchClock() - sentAt, ok: false, code: (error as Error).message };
    }
  }

  close(): void {
    for (const socket of this.#sockets.splice(0)) socket.disconnect();
  }
}
