// The moderation audit log: one append-only ModerationAction row per action, written in the same
// transaction as the change it records, so the log can't miss an action or record one that did
// not happen. Nothing here updates or deletes a row.
import type { PrismaClient } from '../../common/db/database.ts';
import type { $Enums, Prisma } from '../../prisma/generated/client.ts';
import { toPage } from '../http/pagination.ts';
import type { ChatUser } from '../../common/protocol/chat.ts';
import type { ModerationLogItem } from '../../common/protocol/rest/moderation.ts';
import { NEWEST_FIRST, olderThanCursor, timeCursorKey } from './time-cursor.ts';

export type ModerationKind = $Enums.ModerationActionKind;

export interface ModerationEntry {
  channelId: string;
  moderatorId: string;
  kind: ModerationKind;
  targetUserId?: string | null;
  messageId?: string | null;
  details?: Prisma.InputJsonObject;
}

export async function recordModerationAction(tx: Prisma.TransactionClient, entry: ModerationEntry): Promise<void> {
  await tx.moderationAction.create({
    data: {
      channelId: entry.channelId,
      moderatorId: entry.moderatorId,
      kind: entry.kind,
      targetUserId: entry.targetUserId ?? null,
      messageId: entry.messageId ?? null,
      ...(entry.details ? { details: entry.details } : {}),
    },
  });
}

/** A page of the channel's log, newest first. */
export async function moderationLogPage(
  prisma: PrismaClient,
  channelId: string,
  cursor: string | undefined,
  limit: number,
) {
  const rows = await prisma.moderationAction.findMany({
    where: { channelId, ...olderThanCursor(cursor) },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
  });
  const page = toPage(rows, limit, timeCursorKey, (row) => row);
  // The log keeps user ids, not relations (an entry outlives what it is about); names are looked up now.
  const userIds = [
    ...new Set(page.items.flatMap((row) => [row.moderatorId, ...(row.targetUserId ? [row.targetUserId] : [])])),
  ];
  const users = new Map(
    (
      await prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true, name: true } })
    ).map((user) => [user.id, user]),
  );
  const summary = (id: string): ChatUser => users.get(id) ?? { id, username: '[deleted]', name: '' };
  const items: ModerationLogItem[] = page.items.map((row) => ({
    id: row.id,
    kind: row.kind,
    moderator: summary(row.moderatorId),
    target: row.targetUserId ? summary(row.targetUserId) : null,
    messageId: row.messageId,
    details: row.details ?? null,
    createdAt: row.createdAt.toISOString(),
  }));
  return { items, nextCursor: page.nextCursor };
}
