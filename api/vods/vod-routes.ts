// VODs for the channel page and the VOD page: newest first, with cursor pagination.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError, NotFoundError } from '../../common/errors.ts';
import { problems } from '../http/schemas.ts';
import type { WatchGuard } from '../viewer-access/watch-guard.ts';

const vodSchema = {
  type: 'object',
  required: ['id', 'channel', 'title', 'durationSeconds', 'createdAt', 'playlistUrl', 'mp4Url', 'posterUrl'],
  properties: {
    id: { type: 'string' },
    channel: { type: 'string' },
    title: { type: 'string' },
    durationSeconds: { type: 'number' },
    createdAt: { type: 'string', format: 'date-time' },
    playlistUrl: { type: 'string' },
    mp4Url: { type: ['string', 'null'] },
    posterUrl: { type: ['string', 'null'] },
  },
} as const;

interface VodRow {
  id: string;
  title: string;
  durationSeconds: number;
  createdAt: Date;
  mp4Path: string | null;
  posterPath: string | null;
  channel: { slug: string };
}

function present(vod: VodRow) {
  return {
    id: vod.id,
    channel: vod.channel.slug,
    title: vod.title,
    durationSeconds: Math.round(vod.durationSeconds * 1000) / 1000,
    createdAt: vod.createdAt.toISOString(),
    playlistUrl: `/vod/${vod.id}/index.m3u8`,
    mp4Url: vod.mp4Path ? `/vod/${vod.id}/vod.mp4` : null,
    posterUrl: vod.posterPath ? `/vod/${vod.id}/poster.jpg` : null,
  };
}

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export function registerVodRoutes(app: FastifyInstance, prisma: PrismaClient, guard: WatchGuard): void {
  app.get<{ Params: { slug: string }; Querystring: { cursor?: string; limit?: number } }>(
    '/api/v1/channels/:slug/vods',
    {
      schema: {
        tags: ['vods'],
        summary: "A channel's VODs (recordings of its past streams), newest first",
        params: {
          type: 'object',
          required: ['slug'],
          properties: { slug: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        querystring: {
          type: 'object',
          properties: {
            cursor: { type: 'string', pattern: UUID },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 24 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            required: ['items', 'nextCursor'],
            properties: { items: { type: 'array', items: vodSchema }, nextCursor: { type: ['string', 'null'] } },
          },
          ...problems(400, 403, 404),
        },
      },
    },
    async (request) => {
      const channel = await guard.channelBySlug(request, request.params.slug);
      const limit = request.query.limit ?? 24;
      const cursor = request.query.cursor;
      if (
        cursor &&
        !(await prisma.vod.findFirst({ where: { id: cursor, channelId: channel.id }, select: { id: true } }))
      ) {
        throw new BadRequestError('The cursor does not belong to this channel.');
      }
      const rows = await prisma.vod.findMany({
        where: { channelId: channel.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        ...(cursor && { cursor: { id: cursor }, skip: 1 }),
        include: { channel: { select: { slug: true } } },
      });
      const page = rows.slice(0, limit);
      return { items: page.map(present), nextCursor: rows.length > limit ? page.at(-1)!.id : null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/vods/:id',
    {
      schema: {
        tags: ['vods'],
        summary: 'One VOD: its playlist, MP4 and poster URLs',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: UUID } } },
        response: { 200: vodSchema, ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      const vod = await prisma.vod.findUnique({
        where: { id: request.params.id },
        include: { channel: { select: { slug: true } } },
      });
      if (!vod) throw new NotFoundError('VOD', request.params.id);
      await guard.channelById(request, vod.channelId);
      return present(vod);
    },
  );
}
