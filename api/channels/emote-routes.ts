// A channel's emotes: `:name:` in its chat shows the image. Anyone may list them; the owner (or an
// admin) adds and removes them, and each change is in the channel's moderation log.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, BadRequestError, ConflictError, NotFoundError } from '../../common/errors.ts';
import { requireUser } from '../accounts/auth.ts';
import { NoContent, problems, SlugParams, Type, Uuid } from '../http/schemas.ts';
import { uploadUrl, type ImageStore } from '../uploads/image-store.ts';
import { multipartBody } from '../uploads/multipart-schema.ts';
import { channelBySlugOr404, channelToManage } from './permissions.ts';
import { isUniqueViolation } from '../../common/db/unique-violation.ts';

export const MAX_EMOTES_PER_CHANNEL = 50;
const MAX_EMOTE_BYTES = 256 * 1024;
const EMOTE_NAME = /^[A-Za-z0-9_]{2,24}$/;

const Emote = Type.Object({ id: Uuid, name: Type.String(), url: Type.String() });

class TooManyEmotesError extends AppError {
  constructor() {
    super(409, 'too_many_emotes', `A channel has at most ${MAX_EMOTES_PER_CHANNEL} emotes; remove one first.`);
  }
}

const emoteTaken = (name: string) =>
  new ConflictError('emote_taken', `The channel already has an emote named '${name}'.`);

const present = (emote: { id: string; name: string; imagePath: string }) => ({
  id: emote.id,
  name: emote.name,
  url: uploadUrl(emote.imagePath),
});

export function registerEmoteRoutes(app: FastifyInstance, prisma: PrismaClient, images: ImageStore): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

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
      const emotes = await prisma.emote.findMany({ where: { channelId: channel.id }, orderBy: { name: 'asc' } });
      return emotes.map(present);
    },
  );

  api.post(
    '/api/v1/channels/:slug/emotes',
    {
      schema: {
        tags: ['emotes'],
        summary: `Add an emote (PNG, GIF or WebP, at most 256 KiB; ${MAX_EMOTES_PER_CHANNEL} per channel; owner or admin)`,
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
        const emote = await prisma.$transaction(async (tx) => {
          // Counting under the channel's row lock: two uploads at once can't both take the 50th place.
          await tx.$queryRaw`SELECT 1 FROM "Channel" WHERE "id" = ${channel.id}::uuid FOR UPDATE`;
          if (
            await tx.emote.findUnique({
              where: { channelId_name: { channelId: channel.id, name } },
              select: { id: true },
            })
          )
            throw emoteTaken(name);
          if ((await tx.emote.count({ where: { channelId: channel.id } })) >= MAX_EMOTES_PER_CHANNEL)
            throw new TooManyEmotesError();
          const created = await tx.emote.create({ data: { channelId: channel.id, name, imagePath: stored } });
          await tx.moderationAction.create({
            data: {
              channelId: channel.id,
              moderatorId: user.id,
              kind: 'add_emote',
              details: { emoteId: created.id, name },
            },
          });
          return created;
        });
        return reply.status(201).send(present(emote));
      } catch (error) {
        await images.remove(stored);
        if (isUniqueViolation(error)) throw emoteTaken(name);
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
      const emote = await prisma.$transaction(async (tx) => {
        const found = await tx.emote.findFirst({ where: { id: request.params.id, channelId: channel.id } });
        if (!found) throw new NotFoundError('Emote', request.params.id);
        // Of two removals at once, only one finds the row still there (and logs it).
        const { count } = await tx.emote.deleteMany({ where: { id: found.id } });
        if (count === 0) throw new NotFoundError('Emote', request.params.id);
        await tx.moderationAction.create({
          data: {
            channelId: channel.id,
            moderatorId: user.id,
            kind: 'remove_emote',
            details: { emoteId: found.id, name: found.name },
          },
        });
        return found;
      });
      await images.remove(emote.imagePath);
      return reply.status(204).send(null);
    },
  );
}
