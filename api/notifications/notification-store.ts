// A user's notifications in the database: the list, the unread count, marking read. Every query
// is scoped by the user's id, so nobody reads or marks anyone else's.
import type { PrismaClient } from '../../common/db/database.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { avatarUrl } from '../discovery/channel-card.ts';
import type { NotificationView } from '../../common/protocol/notifications.ts';

/** The columns toNotificationView needs. */
export const NOTIFICATION_SELECT = {
  id: true,
  kind: true,
  title: true,
  streamId: true,
  webinarId: true,
  readAt: true,
  createdAt: true,
  channel: { select: { slug: true, title: true, avatarPath: true } },
} as const;

export interface NotificationRow {
  id: string;
  kind: NotificationView['kind'];
  title: string;
  streamId: string | null;
  webinarId: string | null;
  readAt: Date | null;
  createdAt: Date;
  channel: { slug: string; title: string; avatarPath: string | null } | null;
}

export function toNotificationView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    channel: row.channel
      ? { slug: row.channel.slug, title: row.channel.title, avatarUrl: avatarUrl(row.channel.avatarPath) }
      : null,
    streamId: row.streamId,
    webinarId: row.webinarId,
    read: row.readAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}

export interface NotificationListQuery {
  cursor?: string | undefined;
  limit: number;
  unreadOnly: boolean;
}

/** Newest first. */
export async function listNotifications(prisma: PrismaClient, userId: string, query: NotificationListQuery) {
  const after = decodeCursor(query.cursor, { t: 'epochMs', id: 'uuid' });
  const [rows, unreadCount] = await Promise.all([
    prisma.notification.findMany({
      where: {
        userId,
        ...(query.unreadOnly ? { readAt: null } : {}),
        ...(after
          ? { OR: [{ createdAt: { lt: new Date(after.t) } }, { createdAt: new Date(after.t), id: { lt: after.id } }] }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
      select: NOTIFICATION_SELECT,
    }),
    countUnread(prisma, userId),
  ]);
  return {
    ...toPage(rows, query.limit, (row) => ({ t: row.createdAt.getTime(), id: row.id }), toNotificationView),
    unreadCount,
  };
}

export function countUnread(prisma: PrismaClient, userId: string): Promise<number> {
  return prisma.notification.count({ where: { userId, readAt: null } });
}

/** Unread counts of many users at once (after a fan-out); users with none are absent. */
export async function countUnreadOf(prisma: PrismaClient, userIds: string[]): Promise<Map<string, number>> {
  const groups = await prisma.notification.groupBy({
    by: ['userId'],
    where: { userId: { in: userIds }, readAt: null },
    _count: { _all: true },
  });
  return new Map(groups.map((group) => [group.userId, group._count._all]));
}

/** Marks the given notifications (only the user's own; others' ids are ignored) or all of them read. */
export async function markRead(
  prisma: PrismaClient,
  userId: string,
  which: { ids: string[] } | 'all',
): Promise<number> {
  await prisma.notification.updateMany({
    where: { userId, readAt: null, ...(which === 'all' ? {} : { id: { in: which.ids } }) },
    data: { readAt: new Date() },
  });
  return countUnread(prisma, userId);
}
