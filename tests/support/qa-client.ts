// A real socket.io client of the webinar Q&A (/qa) for the integration tests: it keeps every server
// event in arrival order and answers each emit with its ack.
import { io, type Socket } from 'socket.io-client';
import {
  QA_NAMESPACE,
  type QaAck,
  type QaClientEvents,
  type QaJoinResult,
  type QaQuestion,
  type QaServerEvents,
} from '../../common/protocol/webinar-qa.ts';
import { waitFor } from './wait.ts';

export interface QaEvent {
  event: keyof QaServerEvents;
  data: any;
}

export class QaTestClient {
  /** Every server event, oldest first. */
  readonly events: QaEvent[] = [];
  readonly #socket: Socket<QaServerEvents, QaClientEvents>;

  /** Connects as a page of `origin` would, sending `cookie` (a session) with the handshake. */
  static async connect(
    baseUrl: string,
    { cookie, origin = baseUrl }: { cookie?: string | undefined; origin?: string } = {},
  ): Promise<QaTestClient> {
    const socket: Socket<QaServerEvents, QaClientEvents> = io(`${baseUrl}${QA_NAMESPACE}`, {
      forceNew: true,
      transports: ['websocket'],
      reconnection: false,
      timeout: 10_000,
      extraHeaders: { origin, ...(cookie ? { cookie } : {}) },
    });
    const client = new QaTestClient(socket);
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

  private constructor(socket: Socket<QaServerEvents, QaClientEvents>) {
    this.#socket = socket;
    socket.onAny((event: keyof QaServerEvents, data: unknown) => this.events.push({ event, data }));
  }

  /** Joins and fails the test unless the server accepted. */
  async joined(webinarId: string): Promise<QaJoinResult> {
    const reply = (await this.emit('join', { webinarId })) as QaAck<QaJoinResult>;
    if (!reply.ok) throw new Error(`join ${webinarId} refused: ${JSON.stringify(reply.error)}`);
    return reply;
  }

  ask(body: string, anonymous?: boolean): Promise<QaAck<{ question: QaQuestion }>> {
    return this.emit('ask', { body, ...(anonymous === undefined ? {} : { anonymous }) });
  }

  /** Asks and fails the test unless the server accepted. */
  async asked(body: string, anonymous?: boolean): Promise<QaQuestion> {
    const reply = await this.ask(body, anonymous);
    if (!reply.ok) throw new Error(`ask refused: ${JSON.stringify(reply.error)}`);
    return reply.question;
  }

  /** A host's action; the ack as the server gave it (`question` on success, `error` otherwise). */
  moderate(questionId: string, action: string, answer?: string): Promise<any> {
    return this.emit('moderate', { questionId, action, ...(answer === undefined ? {} : { answer }) });
  }

  /** Any event with any arguments (malformed payloads included), answered through the ack. */
  emit(event: string, ...args: unknown[]): Promise<any> {
    return (this.#socket as unknown as Socket).timeout(10_000).emitWithAck(event, ...args);
  }

  /** Waits for a server event matching `match`, already received or to come. */
  waitForEvent<E extends keyof QaServerEvents>(
    event: E,
    match: (data: Parameters<QaServerEvents[E]>[0]) => boolean = () => true,
    timeoutMs = 10_000,
  ) {
    return waitFor(
      () =>
        this.events.find((e) => e.event === event && match(e.data))?.data as
          Parameters<QaServerEvents[E]>[0] | undefined,
      { timeoutMs, intervalMs: 20, what: `Q&A event '${event}'` },
    );
  }

  /** Every event this client got about question `id`. */
  eventsAbout(id: string): QaEvent[] {
    return this.events.filter((e) => e.data?.id === id);
  }

  close(): void {
    this.#socket.disconnect();
  }
}
