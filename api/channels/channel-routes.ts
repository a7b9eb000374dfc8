// Public channel information: what the channel page shows before and while it plays.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { userOf } from '../accounts/auth.ts';
import { problems, SlugParams, Type } from '../http/schemas.ts';
import { requestTokens } from '../viewer-access/watch-access.ts';
import { addChannelSchema, describeChannel } from './channel-view.ts';

export interface ChannelRouteDeps {
  prisma: PrismaClient;
}

export function registerChannelRoutes(app: FastifyInstance, { prisma }: ChannelRouteDeps): void {
  addChannelSchema(app);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/channels/:slug',
    {
      schema: {
        tags: ['channels'],
        summary: 'A channel: its live state, owner, images, emotes, and what the caller may do',
        params: SlugParams,
        response: { 200: Type.Ref('Channel'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const channel = await describeChannel(prisma, request.params.slug, await userOf(request), (id) =>
        requestTokens(request, id),
      );
      // The answer depends on who asks (following, canManage): no shared cache may keep it.
      return reply.header('cache-control', 'private, no-cache').send(channel);
    },
  );
}
