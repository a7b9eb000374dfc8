// A real socket.io client of the /polls namespace for the polls tests: keeps every server event in
// arrival order, as a browser page of `origin` would connect (sending the session cookie).
import type { Socket } from 'socket.io-client';
import { openSocket, SocketTestClient, type ConnectOptions, type ReceivedEvent } from './socket-test-client.ts';
import {
  POLLS_NAMESPACE,
  type PollAck,
  type PollJoinResult,
  type PollScope,
  type PollServerEvents,
  type Poll,
} from '../../common/protocol/polls.ts';

export type PollEvent = ReceivedEvent<PollServerEvents>;

export class PollTestClient extends SocketTestClient<PollServerEvents> {
  /** Connects as a page of `origin` would, sending `cookie` (a session) with the handshake. */
  static connect(baseUrl: string, options: ConnectOptions = {}): Promise<PollTestClient> {
    return new PollTestClient(openSocket(baseUrl, POLLS_NAMESPACE, options)).ready();
  }

  private constructor(socket: Socket) {
    super(socket, 'poll');
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
}
