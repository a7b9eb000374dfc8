// Follow and unfollow channels; the channels a user follows.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { requireUser } from '../accounts/auth.ts';
import { channelBySlugOr404 } from '../channels/permissions.ts';
import { CategoryNames } from '../discovery/category-names.ts';
import { addChannelCardSchema } from '../discovery/channel-card.ts';
import { NoContent, Page, PageQuery, problems, SlugParams, Type } from '../http/schemas.ts';
import { assertRequestCanWatch } from '../viewer-access/watch-access.ts';
import { follow, followedChannels, unfollow } from './follows.ts';

export interface FollowRouteDeps {
  prisma: PrismaClient;
}

export function registerFollowRoutes(app: FastifyInstance, { prisma }: FollowRouteDeps): void {
  const cards = { prisma, categories: new CategoryNames(prisma) };
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  addChannelCardSchema(app);

  api.put(
    '/api/v1/channels/:slug/follow',
    {
      schema: {
        tags: ['follows'],
        summary: 'Follow a channel (again is fine); not your own, and a private one only if you may watch it',
        params: SlugParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request);
      const channel = await channelBySlugOr404(prisma, request.params.slug);
      // Following a private channel is for its audience (a share link, its team): anyone else
      // could otherwise follow it to learn when it goes live.
      await assertRequestCanWatch(prisma, request, channel);
      await follow(prisma, user.id, channel);
      return reply.status(204).send(null);
    },
  );

  api.delete(
    '/api/v1/channels/:slug/follow',
    {
      schema: {
        tags: ['follows'],
        summary: 'Stop following a channel (fine if not following)',
        params: SlugParams,
        response: { 204: NoContent, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request);
      const channel = await channelBySlugOr404(prisma, request.params.slug);
      await unfollow(prisma, user.id, channel.id);
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/api/v1/me/follows',
    {
      schema: {
        tags: ['follows'],
        summary: 'The channels the caller follows, most recently followed first',
        querystring: Type.Object(PageQuery.properties, { additionalProperties: false }),
        response: { 200: Page(Type.Ref('ChannelCard')), ...problems(400, 401) },
      },
    },
    async (request) => {
      const user = await requireUser(request);
      return followedChannels(cards, user, { cursor: request.query.cursor, limit: request.query.limit ?? 20 });
    },
  );
}
