// Pushes to a user's open pages over /notifications. Emits go to the user's room; with the Redis
// adapter they reach the pages connected to any process, so the process that writes a
// notification need not be the one the user is connected to.
import type { Namespace, Server as SocketServer } from 'socket.io';
import {
  NOTIFICATIONS_NAMESPACE,
  userRoom,
  type NotificationClientEvents,
  type NotificationServerEvents,
  type NotificationView,
} from '../../common/protocol/notifications.ts';

export type NotificationNamespace = Namespace<NotificationClientEvents, NotificationServerEvents>;

export class NotificationPush {
  readonly #namespace: NotificationNamespace;

  constructor(io: SocketServer) {
    this.#namespace = io.of(NOTIFICATIONS_NAMESPACE) as NotificationNamespace;
  }

  notification(userId: string, notification: NotificationView): void {
    this.#namespace.to(userRoom(userId)).emit('notification', notification);
  }

  unreadCount(userId: string, unreadCount: number): void {
    this.#namespace.to(userRoom(userId)).emit('unread-count', { unreadCount });
  }
}
