// A channel's emotes: `:name:` in its chat shows the image. Anyone may list them; the owner (or an
// admin) adds and removes them, and each change is in the channel's moderation log.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError, NotFoundError } from '../../common/errors.ts';
import { requireUser } from '../accounts/auth.ts';
import { Emote } from '../../common/protocol/rest/channels.ts';
import { NoContent, problems, SlugParams, Type, Uuid } from '../http/schemas.ts';
import { uploadUrl, type ImageStore } from '../uploads/image-store.ts';
import { describePixelLimit, PIXEL_LIMITS } from '../uploads/image-limits.ts';
import { multipartBody } from '../uploads/multipart-schema.ts';
import { createEmoteRepository, MAX_EMOTES_PER_CHANNEL, type EmoteRow } from './emote-repository.ts';
import { channelBySlugOr404, channelToManage } from './permissions.ts';

export interface EmoteRouteDeps {
  prisma: PrismaClient;
  /** Where emote images are kept (and served from, at /uploads/). */
  images: ImageStore;
}

const MAX_EMOTE_BYTES = 256 * 1024;
const EMOTE_NAME = /^[A-Za-z0-9_]{2,24}$/;

const present = (emote: EmoteRow): Emote => ({
  id: emote.id,
  name: emote.name,
  url: uploadUrl(emote.imagePath),
});

export function registerEmoteRoutes(app: FastifyInstance, { prisma, images }: EmoteRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const emotes = createEmoteRepository(prisma);

  api.get(
    '/api/v1/channels/:slug/emotes',
    {
      schema: {
        tags: ['emotes'],
        summary: "A channel's emotes, by name",
        params: SlugParams,
        response: { 200: Type.Array(Emote), ...problems(400, 404) },
      },
    },
    async (request) => {
      const channel = await channelBySlugOr404(prisma, request.params.slug);
      return (await emotes.list(channel.id)).map(present);
    },
  );

  api.post(
    '/api/v1/channels/:slug/emotes',
    {
      schema: {
        tags: ['emotes'],
        summary: `Add an emote (PNG, GIF or WebP, at most 256 KiB and ${describePixelLimit(PIXEL_LIMITS.emote)}; ${MAX_EMOTES_PER_CHANNEL} per channel; owner or admin)`,
        params: SlugParams,
        body: multipartBody("The emote's name and image.", {
          name: Type.String({
            pattern: EMOTE_NAME.source,
            description: '2-24 letters, digits or _; used as :name: in chat.',
          }),
        }),
        response: { 201: Emote, ...problems(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request);
      const channel = await channelToManage(prisma, user, request.params.slug);
      const image = await images.receive(request, {
        kind: 'emote',
        maxBytes: MAX_EMOTE_BYTES,
        types: ['png', 'gif', 'webp'],
        fields: ['name'],
      });
      const name = image.fields.name?.trim() ?? '';
      if (!EMOTE_NAME.test(name)) {
        await images.discard(image);
        throw new BadRequestError(
          `'${name.slice(0, 40)}' is not a valid emote name: use 2 to 24 letters, digits and underscores.`,
        );
      }
      const stored = await images.keep(image);
      try {
        const emote = await emotes.add(channel.id, user.id, name, stored);
        return reply.status(201).send(present(emote));
      } catch (error) {
        // No row points at the image: it goes.
        await images.remove(stored);
        throw error;
      }
    },
  );

  api.delete(
    '/api/v1/channels/:slug/emotes/:id',
    {
      schema: {
        tags: ['emotes'],
        summary: 'Remove an emote (owner or admin)',
        params: Type.Object({ ...SlugParams.properties, id: Uuid }),
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request);
      const channel = await channelToManage(prisma, user, request.params.slug);
      const emote = await emotes.remove(channel.id, user.id, request.params.id);
      if (!emote) throw new NotFoundError('Emote', request.params.id);
      await images.remove(emote.imagePath);
      return reply.status(204).send(null);
    },
  );
}
