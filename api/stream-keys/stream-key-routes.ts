// A channel's stream keys, from the studio: list (never the key itself), issue one (shown once),
// rotate (a new key, every older one revoked), revoke one. Owner or admin only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { requireUser } from '../accounts/auth.ts';
import { channelToManage } from '../channels/permissions.ts';
import { IssuedStreamKey, StreamKey } from '../../common/protocol/rest/stream-keys.ts';
import { NoContent, problems, SlugParams, Type, Uuid } from '../http/schemas.ts';
import {
  countActiveStreamKeys,
  issueStreamKey,
  listStreamKeys,
  revokeStreamKey,
  rotateStreamKey,
  type IssuedStreamKey as IssuedKeyRow,
} from './stream-keys.ts';
import { whipUrlOf } from './whip-url.ts';

/** Enough for a few tools publishing by turns; more is a leak waiting to happen. */
export const MAX_ACTIVE_STREAM_KEYS = 10;

export interface StreamKeyRouteDeps {
  prisma: PrismaClient;
}

export function registerStreamKeyRoutes(app: FastifyInstance, { prisma }: StreamKeyRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const issued = (key: IssuedKeyRow): IssuedStreamKey => ({
    id: key.id,
    key: key.key,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    whipUrl: whipUrlOf(app),
  });

  api.get(
    '/api/v1/channels/:slug/stream-keys',
    {
      schema: {
        tags: ['stream keys'],
        summary:
          "The channel's stream keys, newest first, revoked ones included; never the keys themselves (owner or admin)",
        params: SlugParams,
        response: { 200: Type.Array(StreamKey), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      const keys = await listStreamKeys(prisma, channel.id);
      return reply.header('cache-control', 'no-store').send(
        keys.map((key): StreamKey => ({
          id: key.id,
          prefix: key.prefix,
          createdAt: key.createdAt.toISOString(),
          revokedAt: key.revokedAt?.toISOString() ?? null,
        })),
      );
    },
  );

  api.post(
    '/api/v1/channels/:slug/stream-keys',
    {
      schema: {
        tags: ['stream keys'],
        summary: `Issue a stream key; older keys keep working (at most ${MAX_ACTIVE_STREAM_KEYS} active; owner or admin)`,
        params: SlugParams,
        response: { 201: IssuedStreamKey, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      if ((await countActiveStreamKeys(prisma, channel.id)) >= MAX_ACTIVE_STREAM_KEYS) {
        throw new ConflictError(
          'too_many_stream_keys',
          `A channel has at most ${MAX_ACTIVE_STREAM_KEYS} active stream keys; revoke one or rotate.`,
        );
      }
      const key = await issueStreamKey(prisma, channel);
      return reply.status(201).header('cache-control', 'no-store').send(issued(key));
    },
  );

  api.post(
    '/api/v1/channels/:slug/stream-keys/rotate',
    {
      schema: {
        tags: ['stream keys'],
        summary: 'Issue a new stream key and revoke every older one (owner or admin)',
        params: SlugParams,
        response: { 201: IssuedStreamKey, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      const key = await rotateStreamKey(prisma, channel);
      return reply.status(201).header('cache-control', 'no-store').send(issued(key));
    },
  );

  api.delete(
    '/api/v1/channels/:slug/stream-keys/:id',
    {
      schema: {
        tags: ['stream keys'],
        summary: 'Revoke one stream key (owner or admin)',
        params: Type.Object({ ...SlugParams.properties, id: Uuid }),
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      if (!(await revokeStreamKey(prisma, channel.id, request.params.id)))
        throw new NotFoundError('Stream key', request.params.id);
      return reply.status(204).send(null);
    },
  );
}
