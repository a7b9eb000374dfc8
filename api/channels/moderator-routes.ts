// The users a channel's owner trusts to moderate its chat. Named by username (what people see in
// chat); every change is written to the channel's moderation log.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError, NotFoundError } from '../../common/errors.ts';
import { requireUser } from '../accounts/auth.ts';
import { Moderator } from '../../common/protocol/rest/moderation.ts';
import { NoContent, problems, SlugParams, Type } from '../http/schemas.ts';
import type { AccessNarrowed } from '../viewer-access/access-changes.ts';
import { createModeratorRepository } from './moderator-repository.ts';
import { channelToManage } from './permissions.ts';

export interface ModeratorRouteDeps {
  prisma: PrismaClient;
  /** Announces that a private channel's team shrank, so its viewers are asked again. */
  accessNarrowed: AccessNarrowed;
}

const ModeratorParams = Type.Object({
  ...SlugParams.properties,
  username: Type.String({ pattern: '^[A-Za-z0-9_]{3,24}$' }),
});

export function registerModeratorRoutes(app: FastifyInstance, { prisma, accessNarrowed }: ModeratorRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const moderators = createModeratorRepository(prisma);
  const userByUsername = async (username: string) => {
    const user = await moderators.userByUsername(username);
    if (!user) throw new NotFoundError('User', username);
    return user;
  };

  api.get(
    '/api/v1/channels/:slug/moderators',
    {
      schema: {
        tags: ['moderators'],
        summary: "The channel's moderators, oldest first (owner or admin)",
        params: SlugParams,
        response: { 200: Type.Array(Moderator), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      const rows = await moderators.list(channel.id);
      return rows.map((row): Moderator => ({ ...row, addedAt: row.addedAt.toISOString() }));
    },
  );

  api.put(
    '/api/v1/channels/:slug/moderators/:username',
    {
      schema: {
        tags: ['moderators'],
        summary: "Make a user a moderator of the channel's chat; already one is fine (owner or admin)",
        params: ModeratorParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = await requireUser(request);
      const channel = await channelToManage(prisma, actor, request.params.slug);
      const target = await userByUsername(request.params.username);
      if (target.id === channel.ownerId) {
        throw new BadRequestError(
          `'${target.username}' owns '${channel.slug}'; an owner moderates their channel already.`,
          { code: 'owner_cannot_be_moderator' },
        );
      }
      // Already a moderator (or made one by a request at the same moment) is fine.
      await moderators.add(channel.id, target.id, actor.id);
      return reply.status(204).send(null);
    },
  );

  api.delete(
    '/api/v1/channels/:slug/moderators/:username',
    {
      schema: {
        tags: ['moderators'],
        summary: 'Remove a moderator; not being one is fine (owner or admin)',
        params: ModeratorParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = await requireUser(request);
      const channel = await channelToManage(prisma, actor, request.params.slug);
      const target = await userByUsername(request.params.username);
      const removed = await moderators.remove(channel.id, target.id, actor.id);
      // A private channel's former moderator watched as its team: asked again, like everyone.
      if (removed && channel.private) accessNarrowed({ channelId: channel.id });
      return reply.status(204).send(null);
    },
  );
}
