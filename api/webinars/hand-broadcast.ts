// Everything the server pushes about raised hands, from the REST routes: the queue to a webinar's
// hosts, an attendee's own state to them. It goes through the /hands namespace of the shared
// socket.io server: with REDIS_URL that server uses the Redis adapter, so an emit here reaches the
// clients in every process. A lapsing invitation is pushed too, by the process that sent it.
import type { Namespace, Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import {
  HANDS_NAMESPACE,
  type HandsClientEvents,
  type HandsServerEvents,
} from '../../common/protocol/webinar-hands.ts';
import { HandRepository } from './hand-repository.ts';
import { toMine, toQueue } from './hand-rules.ts';

export interface HandsSocketData {
  /** The Cookie header of the handshake, kept only when its Origin is ours (see hand-socket.ts). */
  cookieHeader: string | undefined;
}

export type HandsNamespace = Namespace<HandsClientEvents, HandsServerEvents, Record<never, never>, HandsSocketData>;

export function handsNamespace(io: SocketServer): HandsNamespace {
  return io.of(HANDS_NAMESPACE) as HandsNamespace;
}

/** Everyone watching a webinar's hands (hosts and attendees). */
export function watchersRoom(webinarId: string): string {
  return `hands:${webinarId}`;
}

export function hostsRoom(webinarId: string): string {
  return `hands:${webinarId}:hosts`;
}

/** One attendee's sockets (their windows) at one webinar. */
export function attendeeRoom(webinarId: string, userId: string): string {
  return `hands:${webinarId}:user:${userId}`;
}

export class HandBroadcaster {
  readonly #namespace: HandsNamespace;
  readonly #prisma: PrismaClient;
  readonly #hands: HandRepository;
  readonly #logger: Logger;
  readonly #lapses = new Set<NodeJS.Timeout>();

  constructor(namespace: HandsNamespace, prisma: PrismaClient, logger: Logger) {
    this.#namespace = namespace;
    this.#prisma = prisma;
    this.#hands = new HandRepository(prisma);
    this.#logger = logger;
  }

  /** `userId`'s hand at `webinarId` changed: the hosts get the queue, they get their state. Never throws. */
  changed(webinarId: string, userId: string): void {
    this.#push(webinarId, userId).catch((error: unknown) =>
      this.#logger.warn({ err: error, webinar: webinarId }, 'could not push a raised-hand change'),
    );
  }

  /** Hand raising turned on or off: everyone watching is told, the hosts get the queue. */
  handRaising(webinarId: string, handRaising: boolean): void {
    this.#namespace.to(watchersRoom(webinarId)).emit('handRaising', { webinarId, handRaising });
    this.#push(webinarId, undefined).catch((error: unknown) =>
      this.#logger.warn({ err: error, webinar: webinarId }, 'could not push the hand queue'),
    );
  }

  /** Pushes the change again once an invitation lapses, so nobody waits on a stale "Invited". */
  lapseAt(webinarId: string, userId: string, at: Date): void {
    const timer = setTimeout(
      () => {
        this.#lapses.delete(timer);
        this.changed(webinarId, userId);
      },
      Math.max(0, at.getTime() - Date.now()) + 50,
    );
    timer.unref();
    this.#lapses.add(timer);
  }

  close(): void {
    for (const timer of this.#lapses) clearTimeout(timer);
    this.#lapses.clear();
  }

  async #push(webinarId: string, userId: string | undefined): Promise<void> {
    const webinar = await this.#prisma.webinar.findUnique({
      where: { id: webinarId },
      select: { id: true, handRaising: true },
    });
    if (!webinar) return;
    const now = new Date();
    const [rows, row] = await Promise.all([
      this.#hands.queueRows(webinarId),
      userId === undefined ? undefined : this.#hands.row(webinarId, userId),
    ]);
    this.#namespace.to(hostsRoom(webinarId)).emit('queue', toQueue(webinar, rows, now));
    if (userId !== undefined)
      this.#namespace.to(attendeeRoom(webinarId, userId)).emit('mine', toMine(webinar, row, now));
  }
}
