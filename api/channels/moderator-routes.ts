// The users a channel's owner trusts to moderate its chat. Named by username (what people see in
// chat); every change is written to the channel's moderation log.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError, NotFoundError } from '../../common/errors.ts';
import { requireUser } from '../accounts/auth.ts';
import { DateTime, NoContent, problems, SlugParams, Type, Uuid } from '../http/schemas.ts';
import type { AccessNarrowed } from '../viewer-access/access-changes.ts';
import { channelToManage } from './permissions.ts';

const Moderator = Type.Object({ id: Uuid, username: Type.String(), name: Type.String(), addedAt: DateTime });
const ModeratorParams = Type.Object({
  ...SlugParams.properties,
  username: Type.String({ pattern: '^[A-Za-z0-9_]{3,24}$' }),
});

export function registerModeratorRoutes(
  app: FastifyInstance,
  prisma: PrismaClient,
  accessNarrowed: AccessNarrowed,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

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
      const rows = await prisma.channelModerator.findMany({
        where: { channelId: channel.id },
        orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
        include: { user: { select: { id: true, username: true, name: true } } },
      });
      return rows.map((row) => ({ ...row.user, addedAt: row.createdAt.toISOString() }));
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
      const target = await userByUsername(prisma, request.params.username);
      if (target.id === channel.ownerId) {
        throw new BadRequestError(
          `'${target.username}' owns '${channel.slug}'; an owner moderates their channel already.`,
          { code: 'owner_cannot_be_moderator' },
        );
      }
      await prisma.$transaction(async (tx) => {
        // Already a moderator (or made one by a request at the same moment): nothing to do or log.
        const { count } = await tx.channelModerator.createMany({
          data: [{ channelId: channel.id, userId: target.id }],
          skipDuplicates: true,
        });
        if (count > 0) {
          await tx.moderationAction.create({
            data: { channelId: channel.id, moderatorId: actor.id, kind: 'add_moderator', targetUserId: target.id },
          });
        }
      });
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
      const target = await userByUsername(prisma, request.params.username);
      const removed = await prisma.$transaction(async (tx) => {
        const { count } = await tx.channelModerator.deleteMany({ where: { channelId: channel.id, userId: target.id } });
        if (count > 0) {
          await tx.moderationAction.create({
            data: { channelId: channel.id, moderatorId: actor.id, kind: 'remove_moderator', targetUserId: target.id },
          });
        }
        return count > 0;
      });
      // A private channel's former moderator watched as its team: asked again, like everyone.
      if (removed && channel.private) accessNarrowed({ channelId: channel.id });
      return reply.status(204).send(null);
    },
  );
}

async function userByUsername(prisma: PrismaClient, username: string) {
  const user = await prisma.user.findUnique({
    where: { username: username.toLowerCase() },
    select: { id: true, username: true },
  });
  if (!user) throw new NotFoundError('User', username);
  return user;
}
