// "Live now": live channels, most watched first, optionally in one category or with one tag.
import { Prisma } from '../../prisma/generated/client.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import {
  CARD_COLUMNS,
  CARD_JOINS,
  CHANNEL_OF_LIVE_STREAM,
  ofPublicChannel,
  toChannelCard,
  type CardRow,
  type CardSource,
} from './channel-card.ts';

export interface LiveNowQuery {
  category?: string | undefined;
  tag?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export async function liveNow({ prisma, categories }: CardSource, query: LiveNowQuery) {
  // Keyed by (viewers, stream id): stream ids break ties between equally watched channels.
  const after = decodeCursor(query.cursor, { v: 'int', id: 'uuid' });
  const filtered = query.category !== undefined || query.tag !== undefined;
  // The page is chosen first and only its rows are joined into cards: hundreds of live streams,
  // twenty cards.
  const rowsQuery = prisma.$queryRaw<CardRow[]>`
    WITH page AS (
      SELECT ps."id" FROM "Stream" ps
      ${filtered ? CHANNEL_OF_LIVE_STREAM : Prisma.empty}
      WHERE ps."state" = 'live' AND ${ofPublicChannel(Prisma.sql`ps."channelId"`)}
        ${query.category ? Prisma.sql`AND COALESCE(ps."category", pc."category") = ${query.category}` : Prisma.empty}
        ${query.tag ? Prisma.sql`AND ${query.tag} = ANY(pc."tags")` : Prisma.empty}
        ${after ? Prisma.sql`AND (ps."viewers" < ${after.v}::int OR (ps."viewers" = ${after.v}::int AND ps."id" > ${after.id}::uuid))` : Prisma.empty}
      ORDER BY ps."viewers" DESC, ps."id" ASC
      LIMIT ${query.limit + 1}
    )
    SELECT ${CARD_COLUMNS}
    FROM page JOIN "Stream" s ON s."id" = page."id" JOIN "Channel" c ON c."id" = s."channelId"
    ${CARD_JOINS}
    ORDER BY s."viewers" DESC, s."id" ASC`;
  const [rows, names] = await Promise.all([rowsQuery, categories.names()]);
  return toPage(
    rows,
    query.limit,
    (row) => ({ v: row.viewers, id: row.streamId! }),
    (row) => toChannelCard(row, names),
  );
}
