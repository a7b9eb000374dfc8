// A channel's avatar and banner: upload (replacing the previous one) and remove.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { requireUser } from '../accounts/auth.ts';
import { ChannelImage } from '../../common/protocol/rest/channels.ts';
import { NoContent, problems, SlugParams } from '../http/schemas.ts';
import { IMAGE_TYPES } from '../uploads/image-types.ts';
import { uploadUrl, type ImageStore } from '../uploads/image-store.ts';
import { describePixelLimit, PIXEL_LIMITS } from '../uploads/image-limits.ts';
import { multipartBody } from '../uploads/multipart-schema.ts';
import { createChannelRepository } from './channel-repository.ts';
import { channelToManage } from './permissions.ts';

export interface ChannelImageRouteDeps {
  prisma: PrismaClient;
  /** Where avatars and banners are kept (and served from, at /uploads/). */
  images: ImageStore;
}

const MiB = 1024 * 1024;

const CHANNEL_IMAGES = {
  avatar: { column: 'avatarPath', maxBytes: 2 * MiB },
  banner: { column: 'bannerPath', maxBytes: 5 * MiB },
} as const;

export function registerChannelImageRoutes(app: FastifyInstance, { prisma, images }: ChannelImageRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const channels = createChannelRepository(prisma);

  for (const kind of ['avatar', 'banner'] as const) {
    const { column, maxBytes } = CHANNEL_IMAGES[kind];
    api.put(
      `/api/v1/channels/:slug/${kind}`,
      {
        schema: {
          tags: ['channels'],
          summary: `Upload the channel's ${kind} (PNG, JPEG, GIF or WebP, at most ${maxBytes / MiB} MiB and ${describePixelLimit(PIXEL_LIMITS[kind])}; owner or admin)`,
          params: SlugParams,
          body: multipartBody(`The ${kind} in the field 'file'.`),
          response: { 200: ChannelImage, ...problems(400, 401, 403, 404, 413, 415) },
        },
      },
      async (request) => {
        // Who may upload is settled before a byte of the file is read.
        const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
        const image = await images.receive(request, { kind, maxBytes, types: IMAGE_TYPES });
        const name = await images.replace(image, (stored) => channels.setImage(channel.id, column, stored));
        return { url: uploadUrl(name) };
      },
    );

    api.delete(
      `/api/v1/channels/:slug/${kind}`,
      {
        schema: {
          tags: ['channels'],
          summary: `Remove the channel's ${kind} (owner or admin)`,
          params: SlugParams,
          response: { 204: NoContent, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
        await images.remove(await channels.setImage(channel.id, column, null));
        return reply.status(204).send(null);
      },
    );
  }
}
