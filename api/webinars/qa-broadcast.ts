// Everything the server pushes to a webinar's Q&A. It goes through the /qa namespace of the shared
// socket.io server: with REDIS_URL that server uses the Redis adapter, so an emit here reaches the
// webinar's clients in every process. Hosts and attendees get different views of a question
// (anonymous askers, pending and dismissed questions), so each goes to its own room.
import type { Namespace, Server as SocketServer } from 'socket.io';
import { QA_NAMESPACE, type QaClientEvents, type QaServerEvents } from '../../common/protocol/webinar-qa.ts';
import { questionView, type QuestionRow } from './qa-repository.ts';
import { visibleToAttendees } from './qa-rules.ts';

export interface QaSocketData {
  /** The Cookie header of the handshake, kept only when its Origin is ours (see qa-socket.ts). */
  cookieHeader: string | undefined;
  origin: string | undefined;
  host: string | undefined;
  /** The webinar this socket joined, if any. */
  webinarId: string | undefined;
}

export type QaNamespace = Namespace<QaClientEvents, QaServerEvents, Record<never, never>, QaSocketData>;

export function qaNamespace(io: SocketServer): QaNamespace {
  return io.of(QA_NAMESPACE) as QaNamespace;
}

/** Everyone in the webinar's Q&A. */
export function webinarRoom(webinarId: string): string {
  return `webinar:${webinarId}`;
}

/** Its hosts and co-hosts, who see every question and who asked it. */
export function hostsRoom(webinarId: string): string {
  return `webinar:${webinarId}:hosts`;
}

export class QaBroadcaster {
  readonly #namespace: QaNamespace;

  constructor(namespace: QaNamespace) {
    this.#namespace = namespace;
  }

  /** A new question: a pending one reaches only the hosts (its asker has it from their ack). */
  asked(row: QuestionRow): void {
    const hosts = hostsRoom(row.webinarId);
    this.#namespace.to(hosts).emit('question', questionView(row, 'host'));
    if (visibleToAttendees(row.state))
      this.#namespace.to(webinarRoom(row.webinarId)).except(hosts).emit('question', questionView(row, 'attendee'));
  }

  /**
   * A question a host moderated: attendees get it while they may see it, and otherwise forget it
   * (its asker's page may have shown it to them while it was pending).
   */
  changed(row: QuestionRow): void {
    const hosts = hostsRoom(row.webinarId);
    this.#namespace.to(hosts).emit('question', questionView(row, 'host'));
    const attendees = this.#namespace.to(webinarRoom(row.webinarId)).except(hosts);
    if (visibleToAttendees(row.state)) attendees.emit('question', questionView(row, 'attendee'));
    else attendees.emit('question-removed', { webinarId: row.webinarId, id: row.id });
  }

  /** Deleted: gone for everyone. */
  removed(webinarId: string, id: string): void {
    this.#namespace.to(webinarRoom(webinarId)).emit('question-removed', { webinarId, id });
  }

  votes(webinarId: string, id: string, votes: number): void {
    this.#namespace.to(webinarRoom(webinarId)).emit('votes', { webinarId, id, votes });
  }

  settings(webinarId: string, moderated: boolean): void {
    this.#namespace.to(webinarRoom(webinarId)).emit('settings', { webinarId, moderated });
  }
}
