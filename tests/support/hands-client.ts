// A real socket.io client of the /hands namespace for integration tests: connects as one of our
// pages would (origin and session cookie), answers `watch` with the raw ack, and keeps every
// server event in arrival order.
import { io, type Socket } from 'socket.io-client';
import {
  HANDS_NAMESPACE,
  type HandsClientEvents,
  type HandsServerEvents,
} from '../../common/protocol/webinar-hands.ts';
import { waitFor } from './wait.ts';

type EventName = keyof HandsServerEvents;
type EventData<E extends EventName> = Parameters<HandsServerEvents[E]>[0];

export class HandsTestClient {
  readonly events: { event: EventName; data: unknown }[] = [];
  readonly #socket: Socket<HandsServerEvents, HandsClientEvents>;

  static async connect(baseUrl: string, cookie?: string): Promise<HandsTestClient> {
    const socket: Socket<HandsServerEvents, HandsClientEvents> = io(`${baseUrl}${HANDS_NAMESPACE}`, {
      forceNew: true,
      transports: ['websocket'],
      reconnection: false,
      timeout: 10_000,
      extraHeaders: { origin: baseUrl, ...(cookie ? { cookie } : {}) },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new HandsTestClient(socket);
  }

  private constructor(socket: Socket<HandsServerEvents, HandsClientEvents>) {
    this.#socket = socket;
    socket.onAny((event: EventName, data: unknown) => this.events.push({ event, data }));
  }

  /** The raw ack of `watch`: `{ ok: true, role, ... }` or `{ ok: false, error }`. */
  watch(webinar: unknown): Promise<any> {
    return (this.#socket as unknown as Socket).timeout(10_000).emitWithAck('watch', { webinar });
  }

  /** The latest event of `event` that satisfies `matches`, waiting for it if none came yet. */
  async waitFor<E extends EventName>(event: E, matches: (data: EventData<E>) => boolean): Promise<EventData<E>> {
    return waitFor(
      () => {
        const found = this.events.filter((e) => e.event === event && matches(e.data as EventData<E>)).at(-1);
        return found ? { data: found.data as EventData<E> } : undefined;
      },
      { what: `a '${event}' event` },
    ).then((box) => box.data);
  }

  close(): void {
    this.#socket.disconnect();
  }
}
