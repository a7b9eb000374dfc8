// A real socket.io client of the /polls namespace for the polls tests: keeps every server event in
// arrival order, as a browser page of `origin` would connect (sending the session cookie).
import { io, type Socket } from 'socket.io-client';
import {
  POLLS_NAMESPACE,
  type PollAck,
  type PollClientEvents,
  type PollJoinResult,
  type PollScope,
  type PollServerEvents,
  type Poll,
} from '../../common/protocol/polls.ts';
import { waitFor } from './wait.ts';

export interface PollEvent {
  event: keyof PollServerEvents;
  data: any;
}

export class PollTestClient {
  /** Every server event, oldest first. */
  readonly events: PollEvent[] = [];
  readonly #socket: Socket<PollServerEvents, PollClientEvents>;

  static async connect(
    baseUrl: string,
    { cookie, origin = baseUrl }: { cookie?: string | undefined; origin?: string } = {},
  ): Promise<PollTestClient> {
    const socket: Socket<PollServerEvents, PollClientEvents> = io(`${baseUrl}${POLLS_NAMESPACE}`, {
      forceNew: true,
      transports: ['websocket'],
      reconnection: false,
      timeout: 10_000,
      extraHeaders: { origin, ...(cookie ? { cookie } : {}) },
    });
    const client = new PollTestClient(socket);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    } catch (error) {
      socket.disconnect();
      throw error;
    }
    return client;
  }

  private constructor(socket: Socket<PollServerEvents, PollClientEvents>) {
    this.#socket = socket;
    socket.onAny((event: keyof PollServerEvents, data: unknown) => this.events.push({ event, data }));
  }

  join(scope: PollScope): Promise<PollAck<PollJoinResult>> {
    return this.emit('join', { scope });
  }

  /** Joins and fails the test unless the server accepted. */
  async joined(scope: PollScope): Promise<PollJoinResult> {
    const reply = await this.join(scope);
    if (!reply.ok) throw new Error(`join refused: ${JSON.stringify(reply.error)}`);
    return reply;
  }

  vote(pollId: string, choices: unknown[]): Promise<PollAck<{ poll: Poll }>> {
    return this.emit('vote', { pollId, choices });
  }

  /** Any event with any arguments (malformed payloads included), answered through the ack. */
  emit(event: string, ...args: unknown[]): Promise<any> {
    return (this.#socket as unknown as Socket).timeout(10_000).emitWithAck(event, ...args);
  }

  /** Waits for a server event matching `match`, already received or to come. */
  waitForEvent<E extends keyof PollServerEvents>(
    event: E,
    match: (data: Parameters<PollServerEvents[E]>[0]) => boolean = () => true,
    timeoutMs = 10_000,
  ) {
    return waitFor(
      () =>
        this.events.find((e) => e.event === event && match(e.data))?.data as
          Parameters<PollServerEvents[E]>[0] | undefined,
      { timeoutMs, intervalMs: 20, what: `poll event '${event}'` },
    );
  }

  close(): void {
    this.#socket.disconnect();
  }
}
