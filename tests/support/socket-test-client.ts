// A real socket.io client of one of the platform's namespaces (chat, Q&A, polls) for the
// integration tests: it connects as a page of a given origin would (with a session cookie, or
// anonymous), keeps every server event in arrival order, and answers each emit with its ack. The
// namespace's own client (chat-client.ts, qa-client.ts, poll-client.ts) adds its events by name.
import { io, type Socket } from 'socket.io-client';
import { waitFor } from './wait.ts';

/** A server event as received: its name and its payload. */
export interface ReceivedEvent<Events> {
  event: keyof Events;
  data: any;
}

export interface ConnectOptions {
  /** A signed-in user's session; without one the client is anonymous. */
  cookie?: string | undefined;
  /** The page the handshake says it comes from (the platform's own by default). */
  origin?: string;
}

/** Starts opening `namespace` on the platform at `baseUrl`; the client made of it waits (ready()). */
export function openSocket(
  baseUrl: string,
  namespace: string,
  { cookie, origin = baseUrl }: ConnectOptions = {},
): Socket {
  return io(`${baseUrl}${namespace}`, {
    forceNew: true,
    transports: ['websocket'],
    reconnection: false,
    timeout: 10_000,
    extraHeaders: { origin, ...(cookie ? { cookie } : {}) },
  });
}

export class SocketTestClient<ServerEvents extends object> {
  /** Every server event, oldest first. */
  readonly events: ReceivedEvent<ServerEvents>[] = [];
  readonly #socket: Socket;
  readonly #what: string;

  /** `what` names the namespace in a timed-out wait ("chat", "Q&A", "poll"). */
  protected constructor(socket: Socket, what: string) {
    this.#socket = socket;
    this.#what = what;
    socket.onAny((event: keyof ServerEvents, data: unknown) => this.events.push({ event, data }));
  }

  /** This client once connected (it listens from the start: nothing sent on connection is missed); refused: it throws. */
  async ready(): Promise<this> {
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.#socket.connected) resolve();
        this.#socket.once('connect', () => resolve());
        this.#socket.once('connect_error', reject);
      });
    } catch (error) {
      this.#socket.disconnect();
      throw error;
    }
    return this;
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Any event with any arguments (malformed payloads included), answered through the ack. */
  emit(event: string, ...args: unknown[]): Promise<any> {
    return this.#socket.timeout(10_000).emitWithAck(event, ...args);
  }

  /** Waits for a server event matching `match`, already received or to come. */
  waitForEvent<E extends keyof ServerEvents>(
    event: E,
    match: (data: EventPayload<ServerEvents, E>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<EventPayload<ServerEvents, E>> {
    return waitFor(
      () =>
        this.events.find((e) => e.event === event && match(e.data))?.data as EventPayload<ServerEvents, E> | undefined,
      { timeoutMs, intervalMs: 20, what: `${this.#what} event '${String(event)}'` },
    );
  }

  close(): void {
    this.#socket.disconnect();
  }
}

/** The payload of server event `E` (its listener's first parameter). */
type EventPayload<Events, E extends keyof Events> = Events[E] extends (data: infer D, ...rest: never[]) => unknown
  ? D
  : never;
