// REST routes of the chat's messages: the public list, and deletion by a moderator.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../common/db/database.ts';
import { userOf } from '../accounts/auth.ts';
import { channelBySlugOr404, channelToModerate } from '../channels/permissions.ts';
import { NoContent, Page, PageQuery, problems, SlugParams, Type, Uuid } from '../http/schemas.ts';
import { assertRequestCanWatch } from '../viewer-access/watch-access.ts';
import type { ChatBroadcaster } from './chat-broadcast.ts';
import { messagePage } from './chat-messages.ts';
import { deleteMessage } from './moderation.ts';

export interface ChatRouteDeps {
  prisma: PrismaClient;
  broadcaster: ChatBroadcaster;
}

export function registerChatRoutes(app: FastifyInstance, { prisma, broadcaster }: ChatRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/channels/:slug/chat/messages',
    {
      schema: {
        tags: ['chat'],
        summary: "A page of the channel's chat messages, newest first (deleted ones left out)",
        params: SlugParams,
        querystring: PageQuery,
        response: { 200: Page(Type.Ref('ChatMessage')), ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      const channel = await channelBySlugOr404(prisma, request.params.slug);
      await assertRequestCanWatch(prisma, request, channel);
      return messagePage(prisma, channel, request.query.cursor, request.query.limit ?? 20);
    },
  );

  api.delete(
    '/api/v1/channels/:slug/chat/messages/:id',
    {
      schema: {
        tags: ['chat'],
        summary: 'Delete a chat message (moderators); clients in the chat see it go',
        params: Type.Object({ ...SlugParams.properties, id: Uuid }),
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const moderator = await userOf(request);
      const channel = await channelToModerate(prisma, moderator, request.params.slug);
      const { deleted } = await deleteMessage(prisma, channel, moderator!, request.params.id);
      if (deleted) broadcaster.messageDeleted(channel, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
