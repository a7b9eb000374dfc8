// A stream as its creator sees it: the summary after it ends, and ending a live one from wherever
// the creator is (another device than the one publishing, an admin).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { LiveStreamEnd, StreamSummary } from '../../common/protocol/rest/streams.ts';
import { requireUser } from '../accounts/auth.ts';
import { canManageChannel, channelToManage } from '../channels/permissions.ts';
import { problems, SlugParams, Type } from '../http/schemas.ts';
import type { StreamEndRequested } from './stream-end-requests.ts';
import { createStreamSummaryRepository } from './stream-summary.ts';

export interface StreamRouteDeps {
  prisma: PrismaClient;
  /** Asks the signaling process that carries a channel's stream to end it. */
  streamEndRequested: StreamEndRequested;
}

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

class NotLiveError extends AppError {
  constructor(slug: string) {
    super(409, 'not_live', `Channel '${slug}' is not live.`);
  }
}

export function registerStreamRoutes(app: FastifyInstance, { prisma, streamEndRequested }: StreamRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const streams = createStreamSummaryRepository(prisma);

  api.get(
    '/api/v1/streams/:id/summary',
    {
      schema: {
        tags: ['streams'],
        summary: "A stream's duration, peak viewers, new followers, chat messages, clips and VOD (owner or admin)",
        params: Type.Object({ id: Type.String({ pattern: UUID }) }),
        response: { 200: StreamSummary, ...problems(400, 401, 403, 404) },
      },
    },
    async (request): Promise<StreamSummary> => {
      const user = await requireUser(request);
      const found = await streams.find(request.params.id);
      if (!found) throw new NotFoundError('Stream', request.params.id);
      if (!canManageChannel(user, found.channel))
        throw new ForbiddenError(`Only the owner of '${found.channel.slug}' can see its streams' summaries.`);
      const summary = await streams.summary(request.params.id);
      if (!summary) throw new NotFoundError('Stream', request.params.id);
      return summary;
    },
  );

  api.post(
    '/api/v1/channels/:slug/live-stream/end',
    {
      schema: {
        tags: ['channels'],
        summary: 'End the live stream, wherever it is published from (owner or admin); it ends a moment later',
        params: SlugParams,
        response: { 202: LiveStreamEnd, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      const live = await prisma.stream.findFirst({
        where: { channelId: channel.id, state: 'live' },
        orderBy: { startedAt: 'desc' },
        select: { id: true },
      });
      if (!live) throw new NotLiveError(channel.slug);
      streamEndRequested({ id: channel.id, slug: channel.slug });
      return reply.status(202).send({ streamId: live.id });
    },
  );
}
