// Full-text search over channels (slug, title, tags, description) and the titles of live streams,
// on the search vectors the platform_core migration's triggers keep. Ranked by ts_rank; a live
// channel comes first among equally relevant ones.
import { BadRequestError } from '../../common/errors.ts';
import { Prisma } from '../../prisma/generated/client.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { CARD_COLUMNS, CARD_JOINS, toChannelCard, type CardRow, type CardSource } from './channel-card.ts';
import { searchTerms } from './search-terms.ts';

export interface SearchQuery {
  q: string;
  cursor?: string | undefined;
  limit: number;
}

interface RankedRow extends CardRow {
  /** ts_rank scaled to an integer, so a cursor can carry it exactly. */
  score: number;
  /** 1 live, 0 offline. */
  liveRank: number;
}

/** ts_rank is a float4; a millionth keeps every real difference and compares exactly. */
const SCORE_SCALE = 1_000_000;

export async function searchChannels({ prisma, categories }: CardSource, query: SearchQuery) {
  const terms = searchTerms(query.q);
  if (!terms) throw new BadRequestError('Type something to search for.', { code: 'empty_query' });
  const after = decodeCursor(query.cursor, { r: 'int', l: 'int', id: 'uuid' });
  // English stems ("games" finds "gaming") or the words as typed (names, tags), or the last word
  // as a prefix (search as you type).
  const tsquery = Prisma.sql`websearch_to_tsquery('english', ${terms.text}) || websearch_to_tsquery('simple', ${terms.text})
    ${terms.prefix ? Prisma.sql`|| to_tsquery('simple', ${terms.prefix})` : Prisma.empty}`;
  // Matches come from the GIN indexes; only matches are ranked, and only the page's rows are
  // joined into cards.
  const rowsQuery = prisma.$queryRaw<RankedRow[]>`
    WITH query AS (SELECT (${tsquery}) AS q),
    -- A crash can leave two rows of one channel live: the newest counts (as on the cards).
    live AS (
      SELECT DISTINCT ON (ls."channelId") ls."channelId", ls."id", ls."searchVector" FROM "Stream" ls
      WHERE ls."state" = 'live' ORDER BY ls."channelId", ls."startedAt" DESC NULLS LAST
    ),
    matched AS (
      SELECT mc."id" FROM "Channel" mc WHERE mc."searchVector" @@ (${tsquery})
      UNION
      SELECT ms."channelId" FROM "Stream" ms WHERE ms."state" = 'live' AND ms."searchVector" @@ (${tsquery})
    ),
    ranked AS (
      SELECT rc."id" AS "channelId", live."id" AS "streamId",
        floor(GREATEST(ts_rank(rc."searchVector", query.q), COALESCE(ts_rank(live."searchVector", query.q), 0)) * ${SCORE_SCALE})::int AS "score",
        (live."id" IS NOT NULL)::int AS "liveRank"
      FROM matched JOIN "Channel" rc ON rc."id" = matched."id" CROSS JOIN query
      LEFT JOIN live ON live."channelId" = rc."id"
      WHERE NOT rc."private"
    ),
    page AS (
      SELECT * FROM ranked
      ${
        after
          ? Prisma.sql`WHERE "score" < ${after.r}::int
              OR ("score" = ${after.r}::int AND "liveRank" < ${after.l}::int)
              OR ("score" = ${after.r}::int AND "liveRank" = ${after.l}::int AND "channelId" > ${after.id}::uuid)`
          : Prisma.empty
      }
      ORDER BY "score" DESC, "liveRank" DESC, "channelId" ASC
      LIMIT ${query.limit + 1}
    )
    SELECT ${CARD_COLUMNS}, page."score", page."liveRank"
    FROM page JOIN "Channel" c ON c."id" = page."channelId" LEFT JOIN "Stream" s ON s."id" = page."streamId"
    ${CARD_JOINS}
    ORDER BY page."score" DESC, page."liveRank" DESC, page."channelId" ASC`;
  const [rows, names] = await Promise.all([rowsQuery, categories.names()]);
  return toPage(
    rows,
    query.limit,
    (row) => ({ r: row.score, l: row.liveRank, id: row.channelId }),
    (row) => toChannelCard(row, names),
  );
}
