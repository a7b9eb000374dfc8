// Who the user is in a channel's chat (moderator or not, banned or timed out, follower or not, the
// badges their messages carry, when they last posted) and the channel's rules, read in one query:
// joins and messages are the chat's hot path, and on the embedded database every round trip costs
// the whole process's time.
import type { PrismaClient } from '../../common/db/database.ts';
import { NotFoundError } from '../../common/errors.ts';
import { Prisma } from '../../prisma/generated/client.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import type { ChatBadge } from '../../common/protocol/chat.ts';
import type { Standing } from './chat-rules.ts';

/** The channel fields chat needs (a Channel row has them all). */
export interface ChatChannel {
  id: string;
  slug: string;
  ownerId: string;
  slowModeSeconds: number;
  followersOnly: boolean;
  subscribersOnly: boolean;
  bannedWords: string[];
  /** Only those who may watch the channel read and write its chat. */
  private: boolean;
}

export interface ChatStanding extends Standing {
  badges: ChatBadge[];
}

export interface ChatContext {
  channel: ChatChannel;
  standing: ChatStanding;
  /** The user's last message here, deleted ones included (deleting doesn't reset slow mode). */
  lastMessageAt: Date | null;
  /** Messages posted now belong to this stream (for chat replay on the VOD). */
  liveStreamId: string | null;
}

interface ContextRow extends ChatChannel {
  channelModerator: boolean;
  banned: boolean;
  banExpiresAt: Date | null;
  follows: boolean;
  lastMessageAt: Date | null;
  liveStreamId: string | null;
}

/** Stands for "nobody" in the query when signed out: no row has it. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

/** The channel by slug (404 when there is none) and the user's standing in its chat. */
export async function loadChatContext(
  prisma: PrismaClient,
  slug: string,
  user: SessionUser | undefined,
): Promise<ChatContext> {
  const userId = user?.id ?? NOBODY;
  const rows = await prisma.$queryRaw<ContextRow[]>(Prisma.sql`
    SELECT c."id", c."slug", c."ownerId", c."slowModeSeconds", c."followersOnly", c."subscribersOnly", c."bannedWords", c."private",
      EXISTS (SELECT 1 FROM "ChannelModerator" m WHERE m."channelId" = c."id" AND m."userId" = ${userId}::uuid) AS "channelModerator",
      EXISTS (SELECT 1 FROM "ChannelBan" b WHERE b."channelId" = c."id" AND b."userId" = ${userId}::uuid) AS "banned",
      (SELECT b."expiresAt" FROM "ChannelBan" b WHERE b."channelId" = c."id" AND b."userId" = ${userId}::uuid) AS "banExpiresAt",
      EXISTS (SELECT 1 FROM "Follow" f WHERE f."channelId" = c."id" AND f."userId" = ${userId}::uuid) AS "follows",
      (SELECT max(cm."createdAt") FROM "ChatMessage" cm WHERE cm."channelId" = c."id" AND cm."userId" = ${userId}::uuid) AS "lastMessageAt",
      (SELECT s."id" FROM "Stream" s WHERE s."channelId" = c."id" AND s."state" = 'live' ORDER BY s."startedAt" DESC NULLS LAST LIMIT 1) AS "liveStreamId"
    FROM "Channel" c
    WHERE c."slug" = ${slug.trim().toLowerCase()}`);
  const row = rows[0];
  if (!row) throw new NotFoundError('Channel', slug);
  const channel: ChatChannel = {
    id: row.id,
    slug: row.slug,
    ownerId: row.ownerId,
    slowModeSeconds: row.slowModeSeconds,
    followersOnly: row.followersOnly,
    subscribersOnly: row.subscribersOnly,
    bannedWords: row.bannedWords,
    private: row.private,
  };
  const standing: ChatStanding = user
    ? {
        signedIn: true,
        moderator: user.id === channel.ownerId || user.role === 'admin' || row.channelModerator,
        ban: row.banned ? { expiresAt: row.banExpiresAt } : null,
        follows: row.follows,
        badges: badgesOf(channel, user, row.channelModerator),
      }
    : { signedIn: false, moderator: false, ban: null, follows: false, badges: [] };
  return { channel, standing, lastMessageAt: user ? row.lastMessageAt : null, liveStreamId: row.liveStreamId };
}

/** Badges in a fixed order, so clients can show them as given. */
export function badgesOf(
  channel: { ownerId: string },
  user: { id: string; role: string },
  channelModerator: boolean,
): ChatBadge[] {
  const badges: ChatBadge[] = [];
  if (user.id === channel.ownerId) badges.push('owner');
  if (channelModerator) badges.push('moderator');
  if (user.role === 'admin') badges.push('admin');
  return badges;
}
