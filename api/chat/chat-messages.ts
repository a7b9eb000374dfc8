// Chat messages in the database: posting, the history a joining client gets, the public paged
// list, and the Message shape (with badges) every reader sees.
import type { PrismaClient } from '../../common/db/database.ts';
import { toPage } from '../http/pagination.ts';
import type { ChatBadge, ChatMessage, ChatUser } from '../../common/protocol/chat.ts';
import { badgesOf, type ChatChannel } from './chat-standing.ts';
import { NEWEST_FIRST, olderThanCursor, timeCursorKey } from './time-cursor.ts';

/** What a joining client gets: enough to fill the chat pane. */
export const HISTORY_LENGTH = 50;

const withAuthor = { user: { select: { id: true, username: true, name: true, role: true } } } as const;

interface MessageRow {
  id: string;
  body: string;
  createdAt: Date;
  user: { id: string; username: string; name: string; role: string };
}

export function toChatMessage(channel: { slug: string }, row: MessageRow, badges: ChatBadge[]): ChatMessage {
  return {
    id: row.id,
    channel: channel.slug,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    user: { id: row.user.id, username: row.user.username, name: row.user.name },
    badges,
  };
}

export interface NewMessage {
  channel: ChatChannel;
  author: ChatUser;
  body: string;
  badges: ChatBadge[];
  /** The channel's live stream, if any (for chat replay on the VOD). */
  streamId: string | null;
  /** From the application's clock, which slow mode also reads, not the database's. */
  createdAt: Date;
}

/** Stores a message; the Message comes from what the caller knows, without reading the row back. */
export async function postMessage(prisma: PrismaClient, message: NewMessage): Promise<ChatMessage> {
  const row = await prisma.chatMessage.create({
    data: {
      channelId: message.channel.id,
      userId: message.author.id,
      streamId: message.streamId,
      body: message.body,
      createdAt: message.createdAt,
    },
    select: { id: true },
  });
  return {
    id: row.id,
    channel: message.channel.slug,
    body: message.body,
    createdAt: message.createdAt.toISOString(),
    user: { id: message.author.id, username: message.author.username, name: message.author.name },
    badges: message.badges,
  };
}

/** The last HISTORY_LENGTH messages that are not deleted, oldest first. */
export async function recentMessages(prisma: PrismaClient, channel: ChatChannel): Promise<ChatMessage[]> {
  const rows = await prisma.chatMessage.findMany({
    where: { channelId: channel.id, deletedAt: null },
    orderBy: NEWEST_FIRST,
    take: HISTORY_LENGTH,
    include: withAuthor,
  });
  return withBadges(prisma, channel, rows.reverse());
}

/** A page of messages that are not deleted, newest first. */
export async function messagePage(
  prisma: PrismaClient,
  channel: ChatChannel,
  cursor: string | undefined,
  limit: number,
) {
  const rows = await prisma.chatMessage.findMany({
    where: { channelId: channel.id, deletedAt: null, ...olderThanCursor(cursor) },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
    include: withAuthor,
  });
  const page = toPage(rows, limit, timeCursorKey, (row) => row);
  return { items: await withBadges(prisma, channel, page.items), nextCursor: page.nextCursor };
}

/** Messages with their authors' badges, the moderators among them found in one query. */
async function withBadges(prisma: PrismaClient, channel: ChatChannel, rows: MessageRow[]): Promise<ChatMessage[]> {
  const authorIds = [...new Set(rows.map((row) => row.user.id))];
  const moderators =
    authorIds.length === 0
      ? new Set<string>()
      : new Set(
          (
            await prisma.channelModerator.findMany({
              where: { channelId: channel.id, userId: { in: authorIds } },
              select: { userId: true },
            })
          ).map((m) => m.userId),
        );
  return rows.map((row) => toChatMessage(channel, row, badgesOf(channel, row.user, moderators.has(row.user.id))));
}
