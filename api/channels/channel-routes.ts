// Public channel information: what the channel page shows before and while it plays.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { NotFoundError } from '../../common/errors.ts';

const channelSchema = {
  type: 'object',
  required: ['slug', 'title', 'description', 'category', 'tags', 'live', 'viewers', 'streamId', 'startedAt'],
  properties: {
    slug: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    category: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    live: { type: 'boolean' },
    viewers: { type: 'integer' },
    streamId: { type: ['string', 'null'] },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const problemSchema = {
  type: 'object',
  required: ['status', 'code', 'detail'],
  properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' }, detail: { type: 'string' } },
} as const;

export function registerChannelRoutes(app: FastifyInstance, prisma: PrismaClient): void {
  app.get<{ Params: { slug: string } }>(
    '/api/v1/channels/:slug',
    {
      schema: {
        params: { type: 'object', required: ['slug'], properties: { slug: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: { 200: channelSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const channel = await prisma.channel.findUnique({
        where: { slug: request.params.slug.toLowerCase() },
        include: { streams: { where: { state: 'live' }, orderBy: { startedAt: 'desc' }, take: 1 } },
      });
      if (!channel) throw new NotFoundError('Channel', request.params.slug);
      const stream = channel.streams[0];
      return {
        slug: channel.slug,
        title: stream?.title || channel.title,
        description: channel.description,
        category: stream?.category ?? channel.category,
        tags: channel.tags,
        live: Boolean(stream),
        viewers: stream?.viewers ?? 0,
        streamId: stream?.id ?? null,
        startedAt: stream?.startedAt?.toISOString() ?? null,
      };
    },
  );
}
