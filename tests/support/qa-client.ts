// A real socket.io client of the webinar Q&A (/qa) for the integration tests: it keeps every server
// event in arrival order and answers each emit with its ack.
import type { Socket } from 'socket.io-client';
import { openSocket, SocketTestClient, type ConnectOptions, type ReceivedEvent } from './socket-test-client.ts';
import {
  QA_NAMESPACE,
  type QaAck,
  type QaJoinResult,
  type QaQuestion,
  type QaServerEvents,
} from '../../common/protocol/webinar-qa.ts';

export type QaEvent = ReceivedEvent<QaServerEvents>;

export class QaTestClient extends SocketTestClient<QaServerEvents> {
  /** Connects as a page of `origin` would, sending `cookie` (a session) with the handshake. */
  static connect(baseUrl: string, options: ConnectOptions = {}): Promise<QaTestClient> {
    return new QaTestClient(openSocket(baseUrl, QA_NAMESPACE, options)).ready();
  }

  private constructor(socket: Socket) {
    super(socket, 'Q&A');
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

  /** Every event this client got about question `id`. */
  eventsAbout(id: string): QaEvent[] {
    return this.events.filter((e) => e.data?.id === id);
  }
}
