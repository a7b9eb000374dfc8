// REST routes of chat moderation: bans and time-outs, chat settings, and the moderation log.
// Moderators are the channel's owner, admins and the channel's moderators (channelToModerate).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../common/db/database.ts';
import { Ban, BanResult, ModerationLogPage } from '../../common/protocol/rest/moderation.ts';
import { requireUser } from '../accounts/auth.ts';
import { channelToModerate } from '../channels/permissions.ts';
import { NoContent, PageQuery, problems, SlugParams, Type, Uuid } from '../http/schemas.ts';
import type { ChatBroadcaster } from './chat-broadcast.ts';
import { BanBodySchema, SettingsPatchSchema } from './chat-schemas.ts';
import { settingsOf } from './chat-settings.ts';
import { moderationLogPage } from './moderation-log.ts';
import { activeBans, banUser, unbanUser, updateChatSettings } from './moderation.ts';

export interface ModerationRouteDeps {
  prisma: PrismaClient;
  broadcaster: ChatBroadcaster;
}

export function registerModerationRoutes(app: FastifyInstance, { prisma, broadcaster }: ModerationRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  /** 401 signed out, 404 unknown channel, 403 not a moderator of it. */
  const moderate = async (request: Parameters<typeof requireUser>[0], slug: string) => {
    const moderator = await requireUser(request);
    return { moderator, channel: await channelToModerate(prisma, moderator, slug) };
  };

  api.post(
    '/api/v1/channels/:slug/chat/bans',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Ban a user from the chat, or time them out with durationSeconds',
        params: SlugParams,
        body: BanBodySchema,
        response: { 201: BanResult, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { moderator, channel } = await moderate(request, request.params.slug);
      const ban = await banUser(prisma, channel, moderator, request.body);
      broadcaster.userBanned(channel, ban.userId, ban.expiresAt);
      return reply.status(201).send({ userId: ban.userId, expiresAt: ban.expiresAt?.toISOString() ?? null });
    },
  );

  api.delete(
    '/api/v1/channels/:slug/chat/bans/:userId',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Lift a ban or time-out',
        params: Type.Object({ ...SlugParams.properties, userId: Uuid }),
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { moderator, channel } = await moderate(request, request.params.slug);
      await unbanUser(prisma, channel, moderator, request.params.userId);
      broadcaster.userUnbanned(channel, request.params.userId);
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/api/v1/channels/:slug/chat/bans',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Bans and time-outs in force, newest first',
        params: SlugParams,
        response: { 200: Type.Array(Ban), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { channel } = await moderate(request, request.params.slug);
      return activeBans(prisma, channel);
    },
  );

  api.get(
    '/api/v1/channels/:slug/chat/settings',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Chat settings, banned words included',
        params: SlugParams,
        response: { 200: Type.Ref('ChatSettings'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { channel } = await moderate(request, request.params.slug);
      return settingsOf(channel, { forModerator: true });
    },
  );

  api.patch(
    '/api/v1/channels/:slug/chat/settings',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Change slow mode, followers-only, subscribers-only or the banned words',
        params: SlugParams,
        body: SettingsPatchSchema,
        response: { 200: Type.Ref('ChatSettings'), ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { moderator, channel } = await moderate(request, request.params.slug);
      const updated = await updateChatSettings(prisma, channel, moderator, request.body);
      if (updated.changed) broadcaster.settings(updated.channel);
      return settingsOf(updated.channel, { forModerator: true });
    },
  );

  api.get(
    '/api/v1/channels/:slug/moderation-log',
    {
      schema: {
        tags: ['moderation'],
        summary: "A page of the channel's moderation log, newest first",
        params: SlugParams,
        querystring: PageQuery,
        response: { 200: ModerationLogPage, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { channel } = await moderate(request, request.params.slug);
      return moderationLogPage(prisma, channel.id, request.query.cursor, request.query.limit ?? 20);
    },
  );
}
