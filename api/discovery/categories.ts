// The categories, in their editorial order, with how many channels are live in each right now.
import { Prisma } from '../../prisma/generated/client.ts';
import { ofPublicChannel, type CardSource } from './channel-card.ts';

export interface CategorySummary {
  slug: string;
  name: string;
  liveChannels: number;
}

export async function categoriesWithLiveCounts({ prisma, categories }: CardSource): Promise<CategorySummary[]> {
  // A live stream's own category wins over its channel's (the creator may set it per stream).
  const [list, counts] = await Promise.all([
    categories.list(),
    // One row per live channel (the newest stream, should a crash have left two), its channel
    // looked up by primary key: live streams are few, channels many.
    prisma.$queryRaw<{ category: string; channels: number }[]>`
      SELECT "category", COUNT(*)::int AS "channels"
      FROM (
        SELECT DISTINCT ON (s."channelId")
          COALESCE(s."category", (SELECT c."category" FROM "Channel" c WHERE c."id" = s."channelId")) AS "category"
        FROM "Stream" s
        WHERE s."state" = 'live' AND ${ofPublicChannel(Prisma.sql`s."channelId"`)}
        ORDER BY s."channelId", s."startedAt" DESC NULLS LAST
      ) live
      WHERE "category" IS NOT NULL
      GROUP BY "category"`,
  ]);
  const live = new Map(counts.map((row) => [row.category, row.channels]));
  return list.map((category) => ({ ...category, liveChannels: live.get(category.slug) ?? 0 }));
}
