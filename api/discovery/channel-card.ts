// The ChannelCard: how a channel appears in lists (live now, search, follows, recommendations).
// Every list reads its cards with the same SQL select and maps rows with the same function, so a
// card looks the same wherever it is shown.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ChannelCard } from '../../common/protocol/rest/discovery.ts';
import { Prisma } from '../../prisma/generated/client.ts';
import type { CategoryNames } from './category-names.ts';

/**
 * Registers the shared schema (the protocol's, common/protocol/rest/discovery.ts) once, whichever
 * route module comes first.
 */
export function addChannelCardSchema(app: FastifyInstance): void {
  if (!app.getSchema('ChannelCard')) app.addSchema(ChannelCard);
}

/** What the card queries read with: the database, and the category names. */
export interface CardSource {
  prisma: PrismaClient;
  categories: CategoryNames;
}

/** What CARD_COLUMNS selects. */
export interface CardRow {
  channelId: string;
  slug: string;
  title: string;
  streamId: string | null;
  streamTitle: string | null;
  category: string | null;
  tags: string[];
  avatarPath: string | null;
  viewers: number;
  startedAt: Date | null;
  ownerUsername: string;
  ownerName: string;
}

/**
 * The card's columns, for a query that names the channel `c`, its live stream `s` (all columns
 * null when offline) and its owner `u` (CARD_JOINS). A live stream's own category wins over its
 * channel's (the creator may set one per stream).
 */
export const CARD_COLUMNS = Prisma.sql`
  c."id" AS "channelId", c."slug", c."title", s."id" AS "streamId", NULLIF(s."title", '') AS "streamTitle",
  COALESCE(s."category", c."category") AS "category", c."tags", c."avatarPath",
  COALESCE(s."viewers", 0)::int AS "viewers", s."startedAt", u."username" AS "ownerUsername", u."name" AS "ownerName"`;

/** The live stream of channel `c`, if any. A crash can leave two rows live: the newest counts. */
export const LIVE_STREAM_OF_CHANNEL = Prisma.sql`
  LEFT JOIN LATERAL (
    SELECT * FROM "Stream" ls WHERE ls."channelId" = c."id" AND ls."state" = 'live' ORDER BY ls."startedAt" DESC NULLS LAST LIMIT 1
  ) s ON true`;

/**
 * The channel `pc` of live stream `ps`, found by primary key for each stream. Live streams are
 * few and channels many; written as a join, the planner may hash all channels instead, and on
 * PGlite (no autovacuum, so no statistics) it does. LIMIT 1 keeps this a per-stream lookup.
 */
export const CHANNEL_OF_LIVE_STREAM = Prisma.sql`
  CROSS JOIN LATERAL (SELECT * FROM "Channel" lc WHERE lc."id" = ps."channelId" LIMIT 1) pc`;

/**
 * The channel whose id is in `column` is public: private channels are left out of discovery. A
 * primary-key lookup per row, like CHANNEL_OF_LIVE_STREAM, for the same reason.
 */
export function ofPublicChannel(column: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM "Channel" xc WHERE xc."id" = ${column} AND xc."private")`;
}

/** The owner of channel `c`. */
export const CARD_JOINS = Prisma.sql`JOIN "User" u ON u."id" = c."ownerId"`;

/** `categoryNames`: from CategoryNames. */
export function toChannelCard(row: CardRow, categoryNames: ReadonlyMap<string, string>): ChannelCard {
  return {
    slug: row.slug,
    title: row.title,
    streamTitle: row.streamId ? row.streamTitle : null,
    category: row.category,
    categoryName: row.category === null ? null : (categoryNames.get(row.category) ?? null),
    tags: row.tags,
    avatarUrl: avatarUrl(row.avatarPath),
    live: row.streamId !== null,
    viewers: row.viewers,
    startedAt: row.startedAt ? new Date(row.startedAt).toISOString() : null,
    owner: { username: row.ownerUsername, name: row.ownerName },
  };
}

export function avatarUrl(avatarPath: string | null): string | null {
  return avatarPath ? `/uploads/${avatarPath}` : null;
}
