// Writes one notification per user of a batch and pushes each to that user's open pages with their
// new unread count: what every fan-out does (followers when a channel goes live, registrants before
// a webinar starts). A row the unique (userId, kind, streamId) would repeat is skipped, so sending a
// batch twice is harmless.
import type { PrismaClient } from '../../common/db/database.ts';
import type { NotificationView } from '../../common/protocol/notifications.ts';
import type { NotificationPush } from './notification-push.ts';
import { countUnreadOf, NOTIFICATION_SELECT, toNotificationView } from './notification-store.ts';

export interface NotificationDraft {
  userId: string;
  kind: NotificationView['kind'];
  channelId: string;
  title: string;
  streamId?: string;
  webinarId?: string;
}

/** Where notifications go live: open pages (NotificationPush), or nowhere when absent. */
export type NotificationSink = Pick<NotificationPush, 'notification' | 'unreadCount'>;

/** Stores `drafts` and pushes those written; answers how many were written. */
export async function deliverNotifications(
  prisma: PrismaClient,
  push: NotificationSink | undefined,
  drafts: NotificationDraft[],
): Promise<number> {
  if (drafts.length === 0) return 0;
  const created = await prisma.notification.createManyAndReturn({
    data: drafts,
    skipDuplicates: true,
    select: { ...NOTIFICATION_SELECT, userId: true },
  });
  if (push && created.length > 0) {
    const unread = await countUnreadOf(
      prisma,
      created.map((n) => n.userId),
    );
    for (const row of created) {
      push.notification(row.userId, toNotificationView(row));
      push.unreadCount(row.userId, unread.get(row.userId) ?? 0);
    }
  }
  return created.length;
}
