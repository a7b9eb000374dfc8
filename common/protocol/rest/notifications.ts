// The signed-in user's notifications as GET /api/v1/me/notifications answers them; each one is
// also what the /notifications socket pushes (common/protocol/notifications.ts).
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Uuid } from './schema.ts';

export const Notification = Type.Object(
  {
    id: Uuid,
    kind: Type.Union([Type.Literal('channel_live'), Type.Literal('webinar_reminder')], {
      description:
        'channel_live: a followed channel went live; webinar_reminder: a webinar you registered for starts soon.',
    }),
    title: Type.String(),
    channel: Nullable(Type.Object({ slug: Type.String(), title: Type.String(), avatarUrl: Nullable(Type.String()) })),
    streamId: Nullable(Uuid),
    webinarId: Nullable(Uuid),
    read: Type.Boolean(),
    createdAt: DateTime,
  },
  { $id: 'Notification' },
);
export type Notification = Static<typeof Notification>;

/** Newest first, with the unread count of all of the user's notifications. */
export const NotificationPage = Type.Object({
  items: Type.Array(Notification),
  nextCursor: Nullable(Type.String()),
  unreadCount: Type.Integer(),
});
export type NotificationPage = Static<typeof NotificationPage>;

/** POST /api/v1/me/notifications/read. */
export const UnreadCount = Type.Object({ unreadCount: Type.Integer() });
export type UnreadCount = Static<typeof UnreadCount>;
