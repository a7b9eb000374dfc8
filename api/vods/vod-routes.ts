// VODs for the channel page and the VOD page: newest first, with cursor pagination. A private
// channel's answer only to those who may watch it (the WatchGuard).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { WatchGuard } from '../../common/access/watch-guard.ts';
import { NotFoundError } from '../../common/errors.ts';
import { Vod, VodPage } from '../../common/protocol/rest/vods.ts';
import { problems, SlugParams, Type } from '../http/schemas.ts';
import type { VodRepository, VodRow } from './vod-repository.ts';

export interface VodRouteDeps {
  vods: VodRepository;
  guard: WatchGuard;
}

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const VodListQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ pattern: UUID })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 24 })),
  },
  { additionalProperties: false },
);

function present(vod: VodRow): Vod {
  return {
    id: vod.id,
    channel: vod.channel.slug,
    title: vod.title,
    durationSeconds: Math.round(vod.durationSeconds * 1000) / 1000,
    createdAt: vod.createdAt.toISOString(),
    playlistUrl: `/vod/${vod.id}/index.m3u8`,
    mp4Url: vod.mp4Path ? `/vod/${vod.id}/vod.mp4` : null,
    posterUrl: vod.posterPath ? `/vod/${vod.id}/poster.jpg` : null,
  };
}

export function registerVodRoutes(app: FastifyInstance, { vods, guard }: VodRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/channels/:slug/vods',
    {
      schema: {
        tags: ['vods'],
        summary: "A channel's VODs (recordings of its past streams), newest first",
        params: SlugParams,
        querystring: VodListQuery,
        response: { 200: VodPage, ...problems(400, 403, 404) },
      },
    },
    async (request): Promise<VodPage> => {
      const channel = await guard.channelBySlug(request, request.params.slug);
      const page = await vods.page(channel.id, request.query.cursor, request.query.limit ?? 24);
      return { items: page.rows.map(present), nextCursor: page.more ? page.rows.at(-1)!.id : null };
    },
  );

  api.get(
    '/api/v1/vods/:id',
    {
      schema: {
        tags: ['vods'],
        summary: 'One VOD: its playlist, MP4 and poster URLs',
        params: Type.Object({ id: Type.String({ pattern: UUID }) }),
        response: { 200: Vod, ...problems(400, 403, 404) },
      },
    },
    async (request): Promise<Vod> => {
      const vod = await vods.find(request.params.id);
      if (!vod) throw new NotFoundError('VOD', request.params.id);
      await guard.channelById(request, vod.channelId);
      return present(vod);
    },
  );
}
