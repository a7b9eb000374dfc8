// Clip API and files: POST a clip of a live stream or a VOD range, read clips, fetch their MP4
// and poster. Clips are as public as the channel they come from (a private channel's go through
// the WatchGuard); making one takes a signed-in user and is rate-limited per client address, since
// each runs FFmpeg and stores a file.
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../api/accounts/auth.ts';
import type { WatchGuard } from '../api/viewer-access/watch-guard.ts';
import type { PrismaClient } from '../common/db/database.ts';
import { NotFoundError } from '../common/errors.ts';
import { MAX_CLIP_SECONDS, MIN_CLIP_SECONDS, type ClipMaker, type ClipRow } from './clip-maker.ts';
import type { RecordingStore } from './storage/index.ts';
import { sendStored } from './storage/send-stored.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const clipSchema = {
  type: 'object',
  required: [
    'id',
    'channel',
    'title',
    'startSeconds',
    'durationSeconds',
    'createdAt',
    'videoUrl',
    'posterUrl',
    'pageUrl',
    'vodId',
  ],
  properties: {
    id: { type: 'string' },
    channel: { type: 'string' },
    title: { type: 'string' },
    startSeconds: { type: 'number' },
    durationSeconds: { type: 'number' },
    createdAt: { type: 'string', format: 'date-time' },
    videoUrl: { type: 'string' },
    posterUrl: { type: ['string', 'null'] },
    pageUrl: { type: 'string' },
    vodId: { type: ['string', 'null'] },
  },
} as const;
// The problem+json schema the API registers (api/openapi.ts), named by its $id.
const problem = { $ref: 'Problem' } as const;
const errors = { 400: problem, 403: problem, 404: problem, 409: problem, 503: problem };
const creationErrors = { ...errors, 401: problem, 403: problem, 429: problem };
const titleSchema = { type: 'string', maxLength: 140 } as const;

function present(clip: ClipRow, channel: string) {
  return {
    id: clip.id,
    channel,
    title: clip.title,
    startSeconds: clip.startSeconds,
    durationSeconds: clip.durationSeconds,
    createdAt: clip.createdAt.toISOString(),
    videoUrl: `/clip/${clip.id}/clip.mp4`,
    posterUrl: clip.posterPath ? `/clip/${clip.id}/poster.jpg` : null,
    pageUrl: `/clip/${clip.id}`,
    vodId: clip.vodId,
  };
}

export interface ClipRoutesOptions {
  /** Clips one client address may make per minute, on each of the two routes. */
  clipsPerMinute: number;
  guard: WatchGuard;
}

export function registerClipRoutes(
  app: FastifyInstance,
  prisma: PrismaClient,
  clips: ClipMaker,
  store: RecordingStore,
  options: ClipRoutesOptions,
): void {
  const rateLimit = { max: options.clipsPerMinute, timeWindow: '1 minute' };
  const { guard } = options;
  app.post<{ Params: { slug: string }; Body: { seconds?: number; title?: string } }>(
    '/api/v1/channels/:slug/clips',
    {
      schema: {
        tags: ['clips'],
        summary: 'Clip the last seconds of the live stream (signed in)',
        params: {
          type: 'object',
          required: ['slug'],
          properties: { slug: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        body: {
          type: 'object',
          properties: {
            seconds: { type: 'number', minimum: MIN_CLIP_SECONDS, maximum: MAX_CLIP_SECONDS, default: 30 },
            title: titleSchema,
          },
          additionalProperties: false,
        },
        response: { 201: clipSchema, ...creationErrors },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      await requireUser(request);
      await guard.channelBySlug(request, request.params.slug);
      const clip = await clips.fromLive(
        request.params.slug,
        request.body?.seconds ?? 30,
        request.body?.title?.trim() ?? '',
      );
      return reply
        .status(201)
        .header('location', `/api/v1/clips/${clip.id}`)
        .send(present(clip, request.params.slug.toLowerCase()));
    },
  );

  app.post<{ Params: { id: string }; Body: { startSeconds: number; endSeconds: number; title?: string } }>(
    '/api/v1/vods/:id/clips',
    {
      schema: {
        tags: ['clips'],
        summary: 'Clip a range of a VOD (signed in)',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: UUID } } },
        body: {
          type: 'object',
          required: ['startSeconds', 'endSeconds'],
          properties: {
            startSeconds: { type: 'number', minimum: 0 },
            endSeconds: { type: 'number', minimum: 0 },
            title: titleSchema,
          },
          additionalProperties: false,
        },
        response: { 201: clipSchema, ...creationErrors },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      await requireUser(request);
      const source = await prisma.vod.findUnique({ where: { id: request.params.id }, select: { channelId: true } });
      if (source) await guard.channelById(request, source.channelId);
      const clip = await clips.fromVod(
        request.params.id,
        request.body.startSeconds,
        request.body.endSeconds,
        request.body.title?.trim() ?? '',
      );
      const channel = await prisma.channel.findUniqueOrThrow({ where: { id: clip.channelId }, select: { slug: true } });
      return reply.status(201).header('location', `/api/v1/clips/${clip.id}`).send(present(clip, channel.slug));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/clips/:id',
    {
      schema: {
        tags: ['clips'],
        summary: 'One clip: its video, poster and page URLs',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: UUID } } },
        response: { 200: clipSchema, ...errors },
      },
    },
    async (request) => {
      const clip = await prisma.clip.findUnique({
        where: { id: request.params.id },
        include: { channel: { select: { slug: true } } },
      });
      if (!clip) throw new NotFoundError('Clip', request.params.id);
      await guard.channelById(request, clip.channelId);
      return present(clip, clip.channel.slug);
    },
  );

  app.get<{ Params: { slug: string }; Querystring: { limit?: number } }>(
    '/api/v1/channels/:slug/clips',
    {
      schema: {
        tags: ['clips'],
        summary: "A channel's clips, newest first",
        params: {
          type: 'object',
          required: ['slug'],
          properties: { slug: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 24 } },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: clipSchema } } },
          ...errors,
        },
      },
    },
    async (request) => {
      const channel = await guard.channelBySlug(request, request.params.slug);
      const rows = await prisma.clip.findMany({
        where: { channelId: channel.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: request.query.limit ?? 24,
      });
      return { items: rows.map((row) => present(row, channel.slug)) };
    },
  );

  app.get<{ Params: { id: string; file: string } }>('/clip/:id/:file', async (request, reply) => {
    const { id, file } = request.params;
    if (!new RegExp(UUID).test(id) || (file !== 'clip.mp4' && file !== 'poster.jpg'))
      throw new NotFoundError('File', file);
    const clip = await prisma.clip.findUnique({
      where: { id },
      select: { path: true, posterPath: true, channelId: true },
    });
    const key = file === 'clip.mp4' ? clip?.path : clip?.posterPath;
    if (!clip || !key) throw new NotFoundError('File', file);
    const channel = await guard.channelById(request, clip.channelId);
    return sendStored(reply, store, key, { private: channel.private, range: request.headers.range });
  });
}
