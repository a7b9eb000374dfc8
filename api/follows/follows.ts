// Following a channel: the rows behind the follow button, the "following" list and go-live
// notifications.
import type { PrismaClient } from '../../common/db/database.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { BadRequestError } from '../../common/errors.ts';
import { Prisma } from '../../prisma/generated/client.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import type { ChannelRow } from '../channels/permissions.ts';
import {
  CARD_COLUMNS,
  CARD_JOINS,
  LIVE_STREAM_OF_CHANNEL,
  toChannelCard,
  type CardRow,
  type CardSource,
} from '../discovery/channel-card.ts';

/** Follows; following again changes nothing (the follow keeps its first date). */
export async function follow(prisma: PrismaClient, userId: string, channel: ChannelRow): Promise<void> {
  if (channel.ownerId === userId)
    throw new BadRequestError('You cannot follow your own channel.', { code: 'cannot_follow_own_channel' });
  await prisma.follow.createMany({ data: [{ userId, channelId: channel.id }], skipDuplicates: true });
}

export async function unfollow(prisma: PrismaClient, userId: string, channelId: string): Promise<void> {
  await prisma.follow.deleteMany({ where: { userId, channelId } });
}

interface FollowedRow extends CardRow {
  followedAt: Date;
  /** Whether the follower may watch the channel: public, or theirs to run (owner, moderator, admin). */
  watchable: boolean;
}

/**
 * A private channel the follower may not watch shows its public card only: the follow may date
 * from a share link since revoked, and whether it is live, its stream and its topics are for its
 * audience. Viewer tokens aren't looked at here: they belong to one channel's page, not to a list.
 */
function publicCardOnly(row: FollowedRow): FollowedRow {
  if (row.watchable) return row;
  return { ...row, streamId: null, streamTitle: null, viewers: 0, startedAt: null, category: null, tags: [] };
}

/** The channels a user follows, most recently followed first. */
export async function followedChannels(
  { prisma, categories }: CardSource,
  user: SessionUser,
  page: { cursor?: string | undefined; limit: number },
) {
  const after = decodeCursor(page.cursor, { t: 'epochMs', id: 'uuid' });
  const userId = user.id;
  const rowsQuery = prisma.$queryRaw<FollowedRow[]>`
    SELECT ${CARD_COLUMNS}, f."createdAt" AS "followedAt",
      (NOT c."private" OR ${user.role === 'admin'} OR c."ownerId" = ${userId}::uuid OR EXISTS (
        SELECT 1 FROM "ChannelModerator" m WHERE m."channelId" = c."id" AND m."userId" = ${userId}::uuid
      )) AS "watchable"
    FROM "Follow" f JOIN "Channel" c ON c."id" = f."channelId"
    ${LIVE_STREAM_OF_CHANNEL}
    ${CARD_JOINS}
    WHERE f."userId" = ${userId}::uuid
    ${
      after
        ? Prisma.sql`AND (f."createdAt" < ${new Date(after.t)}::timestamptz OR (f."createdAt" = ${new Date(after.t)}::timestamptz AND c."id" > ${after.id}::uuid))`
        : Prisma.empty
    }
    ORDER BY f."createdAt" DESC, c."id" ASC
    LIMIT ${page.limit + 1}`;
  const [rows, names] = await Promise.all([rowsQuery, categories.names()]);
  return toPage(
    rows,
    page.limit,
    (row) => ({ t: new Date(row.followedAt).getTime(), id: row.channelId }),
    (row) => toChannelCard(publicCardOnly(row), names),
  );
}
