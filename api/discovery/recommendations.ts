// "Recommended for you": live channels the user follows, then live channels like the ones they
// follow or watched (same category, or a tag in common), then whatever is most watched. Signed
// out, only the most watched. A user's own channels are never recommended to them.
import type { PrismaClient } from '../../common/db/database.ts';
import type { RecommendationReason, RecommendedCard } from '../../common/protocol/rest/discovery.ts';
import { Prisma } from '../../prisma/generated/client.ts';
import {
  CARD_COLUMNS,
  CARD_JOINS,
  CHANNEL_OF_LIVE_STREAM,
  ofPublicChannel,
  toChannelCard,
  type CardRow,
  type CardSource,
} from './channel-card.ts';

const REASONS: readonly RecommendationReason[] = ['following', 'similar', 'popular'];
/** Recent viewing says more about taste than a channel watched once long ago. */
const WATCHED_SEEDS = 50;

interface RecommendedRow extends CardRow {
  /** Index into REASONS. */
  tier: number;
}

export async function recommendedChannels(
  { prisma, categories }: CardSource,
  userId: string | undefined,
  limit: number,
): Promise<RecommendedCard[]> {
  const [rows, names] = await Promise.all([
    userId ? personalRows(prisma, userId, limit) : popularRows(prisma, limit),
    categories.names(),
  ]);
  return rows.map((row) => ({ ...toChannelCard(row, names), reason: REASONS[row.tier] ?? 'popular' }));
}

/** The cards of CTE `page` (stream ids with their tier), in tier then viewer order. */
const cardsOf = Prisma.sql`
  SELECT ${CARD_COLUMNS}, page."tier"
  FROM page JOIN "Stream" s ON s."id" = page."id" JOIN "Channel" c ON c."id" = s."channelId"
  ${CARD_JOINS}
  ORDER BY page."tier" ASC, s."viewers" DESC, s."id" ASC`;

function popularRows(prisma: PrismaClient, limit: number) {
  return prisma.$queryRaw<RecommendedRow[]>`
    WITH page AS (
      SELECT ps."id", 2 AS "tier" FROM "Stream" ps WHERE ps."state" = 'live' AND ${ofPublicChannel(Prisma.sql`ps."channelId"`)} ORDER BY ps."viewers" DESC, ps."id" ASC LIMIT ${limit}
    )
    ${cardsOf}`;
}

function personalRows(prisma: PrismaClient, userId: string, limit: number) {
  const user = Prisma.sql`${userId}::uuid`;
  return prisma.$queryRaw<RecommendedRow[]>`
    WITH followed AS (
      SELECT "channelId" FROM "Follow" WHERE "userId" = ${user}
    ),
    seeds AS (
      SELECT "channelId" FROM followed
      UNION
      SELECT "channelId" FROM (
        SELECT "channelId" FROM "WatchedChannel" WHERE "userId" = ${user} ORDER BY "lastWatchedAt" DESC LIMIT ${WATCHED_SEEDS}
      ) recent
    ),
    seed_categories AS (
      SELECT DISTINCT sc."category" FROM "Channel" sc JOIN seeds ON seeds."channelId" = sc."id" WHERE sc."category" IS NOT NULL
    ),
    seed_tags AS (
      SELECT ARRAY(SELECT DISTINCT unnest(st."tags") FROM "Channel" st JOIN seeds ON seeds."channelId" = st."id") AS "tags"
    ),
    page AS (
      SELECT ps."id", ps."viewers",
        CASE
          WHEN pc."id" IN (SELECT "channelId" FROM followed) THEN 0
          WHEN COALESCE(ps."category", pc."category") IN (SELECT "category" FROM seed_categories)
            OR pc."tags" && (SELECT "tags" FROM seed_tags) THEN 1
          ELSE 2
        END AS "tier"
      FROM "Stream" ps ${CHANNEL_OF_LIVE_STREAM}
      WHERE ps."state" = 'live' AND pc."ownerId" <> ${user} AND NOT pc."private"
      ORDER BY "tier" ASC, ps."viewers" DESC, ps."id" ASC
      LIMIT ${limit}
    )
    ${cardsOf}`;
}
