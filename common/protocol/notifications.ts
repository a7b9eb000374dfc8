// The /notifications socket.io protocol: the server pushes, the client only listens. The web app
// can import this file (types and two constants, nothing that runs on the server).

export const NOTIFICATIONS_NAMESPACE = '/notifications';

/** Every open page of a user joins this room, in whichever process it is connected. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

export type NotificationKind = 'channel_live';

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  title: string;
  channel: { slug: string; title: string; avatarUrl: string | null } | null;
  streamId: string | null;
  read: boolean;
  createdAt: string;
}

export interface NotificationServerEvents {
  notification: (notification: NotificationView) => void;
  'unread-count': (payload: { unreadCount: number }) => void;
}

/** The client sends nothing: reading and marking go through the REST API. */
export type NotificationClientEvents = Record<never, never>;
