// A webinar's cover image: upload (replacing the previous one) and remove, by its host or co-hosts,
// until it has ended (an ended webinar is history). One encapsulated plugin, like the channel's
// images: the multipart parser the upload needs is registered for these routes only.
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError } from '../../common/errors.ts';
import { ChannelImage } from '../../common/protocol/rest/channels.ts';
import { NoContent, problems, Type } from '../http/schemas.ts';
import { uploadUrl, type ImageStore } from '../uploads/image-store.ts';
import { describePixelLimit, PIXEL_LIMITS } from '../uploads/image-limits.ts';
import { IMAGE_TYPES } from '../uploads/image-types.ts';
import { multipartBody } from '../uploads/multipart-schema.ts';
import { WebinarAccess } from './webinar-access.ts';
import { WebinarRepository, type WebinarRow } from './webinar-repository.ts';

export interface WebinarCoverRouteDeps {
  prisma: PrismaClient;
  /** Where covers are kept (and served from, at /uploads/), with the channels' images. */
  images: ImageStore;
}

/** A cover is shown wide (16:9), like a channel's banner: the banner's limits. */
const COVER = { kind: 'banner', maxBytes: 5 * 1024 * 1024 } as const;
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export function registerWebinarCoverRoutes(app: FastifyInstance, { prisma, images }: WebinarCoverRouteDeps): void {
  const webinars = new WebinarRepository(prisma);
  const access = new WebinarAccess(prisma, webinars);
  const notEnded = (row: WebinarRow) => {
    if (row.state === 'ended')
      throw new ConflictError('webinar_ended', 'The webinar has ended: it can no longer change.');
  };

  app.register(async (scope) => {
    await scope.register(multipart, {
      throwFileSizeLimit: true,
      limits: { files: 1, fields: 0, parts: 1, fileSize: COVER.maxBytes, headerPairs: 100 },
    });
    const api = scope.withTypeProvider<TypeBoxTypeProvider>();

    api.put(
      '/api/v1/webinars/:id/cover',
      {
        schema: {
          tags: ['webinars'],
          summary: `Upload the webinar's cover (PNG, JPEG, GIF or WebP, at most 5 MiB and ${describePixelLimit(PIXEL_LIMITS[COVER.kind])}; host)`,
          params: IdParams,
          body: multipartBody("The cover in the field 'file'."),
          response: { 200: ChannelImage, ...problems(400, 401, 403, 404, 409, 413, 415) },
        },
      },
      async (request) => {
        // Who may upload, and whether it may still change, is settled before a byte is read.
        const { webinar } = await access.toHost(request, request.params.id);
        notEnded(webinar);
        const image = await images.receive(request, { ...COVER, types: IMAGE_TYPES });
        const name = await images.replace(image, (stored) => webinars.setCover(webinar.id, stored));
        return { url: uploadUrl(name) };
      },
    );

    api.delete(
      '/api/v1/webinars/:id/cover',
      {
        schema: {
          tags: ['webinars'],
          summary: "Remove the webinar's cover (host)",
          params: IdParams,
          response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { webinar } = await access.toHost(request, request.params.id);
        notEnded(webinar);
        await images.remove(await webinars.setCover(webinar.id, null));
        return reply.status(204).send(null);
      },
    );
  });
}
