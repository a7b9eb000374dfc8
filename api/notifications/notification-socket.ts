// The /notifications namespace: signed-in pages connect and are put in their user's room, where
// notifications and unread counts are pushed (NotificationPush). Nothing is accepted from clients.
import type { Namespace, Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import { isTrustedOrigin, sessionFromCookieHeader } from '../accounts/auth.ts';
import {
  NOTIFICATIONS_NAMESPACE,
  userRoom,
  type NotificationClientEvents,
  type NotificationServerEvents,
} from '../../common/protocol/notifications.ts';
import { countUnread } from './notification-store.ts';

interface SocketData {
  userId: string;
  sessionId: string;
}

/** Every socket opened with a session joins this room, so ending the session can close them. */
function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}

/** Closes the notification sockets of ended sessions, in whichever process they are connected. */
export function disconnectSessions(io: SocketServer, sessionIds: readonly string[]): void {
  if (sessionIds.length === 0) return;
  io.of(NOTIFICATIONS_NAMESPACE).in(sessionIds.map(sessionRoom)).disconnectSockets(true);
}

export interface NotificationSocketDeps {
  prisma: PrismaClient;
  /** PUBLIC_URL, whose origin may connect besides the Host the handshake came to. */
  publicUrl: string;
  logger: Logger;
}

export function attachNotificationSocket(io: SocketServer, deps: NotificationSocketDeps): void {
  const { prisma, publicUrl, logger } = deps;
  const namespace = io.of(NOTIFICATIONS_NAMESPACE) as Namespace<
    NotificationClientEvents,
    NotificationServerEvents,
    Record<never, never>,
    SocketData
  >;

  namespace.use((socket, next) => {
    const { origin, host, cookie } = socket.handshake.headers;
    // Another site's page must not open a socket with the user's cookie and read their
    // notifications. Browsers always send Origin on WebSocket and cross-site requests; a
    // same-origin long-polling GET may come without one, and then it is ours.
    if (origin !== undefined && !isTrustedOrigin(origin, host, publicUrl)) {
      next(new Error('forbidden'));
      return;
    }
    sessionFromCookieHeader(prisma, cookie).then(
      (session) => {
        if (!session) return next(new Error('unauthorized'));
        socket.data.userId = session.user.id;
        socket.data.sessionId = session.id;
        next();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'could not check the session of a notifications socket');
        next(new Error('unavailable'));
      },
    );
  });

  namespace.on('connection', (socket) => {
    const { userId, sessionId } = socket.data;
    void socket.join([userRoom(userId), sessionRoom(sessionId)]);
    // The badge is right from the first moment, without a REST call.
    countUnread(prisma, userId).then(
      (unreadCount) => socket.emit('unread-count', { unreadCount }),
      (error: unknown) => logger.warn({ err: error, userId }, 'could not count unread notifications'),
    );
  });
}
