// The /notifications socket.io protocol: the server pushes, the client only listens. The web app
// can import this file (types and two constants, nothing that runs on the server).
import type { Notification } from './rest/notifications.ts';

export const NOTIFICATIONS_NAMESPACE = '/notifications';

/** Every open page of a user joins this room, in whichever process it is connected. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** A notification as pushed: the same as the REST list's items (a type-only import, so no TypeBox in the browser). */
export type NotificationView = Notification;
export type NotificationKind = Notification['kind'];

export interface NotificationServerEvents {
  notification: (notification: NotificationView) => void;
  'unread-count': (payload: { unreadCount: number }) => void;
}

/** The client sends nothing: reading and marking go through the REST API. */
export type NotificationClientEvents = Record<never, never>;
