// Creating a channel, editing its settings, and retitling the stream that is live right now.
import { DJ_AUDIO_KBPS } from '../../common/protocol/channel-mode.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, BadRequestError } from '../../common/errors.ts';
import { requireUser } from '../accounts/auth.ts';
import { LiveStream } from '../../common/protocol/rest/channels.ts';
import { Nullable, problems, SlugParams, TextBlock, TextLine, Type } from '../http/schemas.ts';
import type { AccessNarrowed } from '../viewer-access/access-changes.ts';
import { CHANNEL_TITLE_MAX, createChannelRepository, type ChannelChanges } from './channel-repository.ts';
import { describeChannel } from './channel-view.ts';
import { channelToManage } from './permissions.ts';

export interface ChannelEditRouteDeps {
  prisma: PrismaClient;
  /** Announces that a channel was made private, so its viewers are asked again. */
  accessNarrowed: AccessNarrowed;
  /** How many channels one account may own; admins may own more. */
  maxChannelsPerUser: number;
}

const CategorySlug = Type.String({
  pattern: '^[a-z0-9-]{1,64}$',
  description: 'A category slug (GET /api/v1/categories).',
});

const CreateChannelBody = Type.Object(
  {
    // Any text: validateSlug trims, lowercases and says what a slug may be (slugs.ts).
    slug: TextLine({
      minLength: 1,
      maxLength: 64,
      description: '3-32 lowercase letters, digits and single hyphens; the channel lives at /<slug>.',
    }),
    title: Type.Optional(TextLine({ maxLength: CHANNEL_TITLE_MAX })),
    category: Type.Optional(Nullable(CategorySlug)),
  },
  { additionalProperties: false },
);

const EditChannelBody = Type.Object(
  {
    title: Type.Optional(TextLine({ minLength: 1, maxLength: CHANNEL_TITLE_MAX })),
    description: Type.Optional(TextBlock({ maxLength: 2000 })),
    category: Type.Optional(Nullable(CategorySlug)),
    tags: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9-]{1,24}$' }), { maxItems: 10 })),
    private: Type.Optional(
      Type.Boolean({ description: 'Only the team and holders of a viewer token watch; left out of discovery.' }),
    ),
    webrtcSeats: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 0,
          maximum: 1_000_000,
          description: 'WebRTC viewers per stream before the rest go to HLS; 0 no limit; null the server default.',
        }),
      ),
    ),
    mode: Type.Optional(
      Type.Union([Type.Literal('default'), Type.Literal('dj')], {
        description: "'dj': studio-quality stereo music at audioKbps; 'default': talk and pictures.",
      }),
    ),
    audioKbps: Type.Optional(
      Type.Integer({
        minimum: DJ_AUDIO_KBPS.min,
        maximum: DJ_AUDIO_KBPS.max,
        description: 'The Opus bitrate of a DJ stream, kbit/s.',
      }),
    ),
  },
  { additionalProperties: false },
);

const LiveStreamBody = Type.Object(
  {
    title: Type.Optional(TextLine({ maxLength: CHANNEL_TITLE_MAX, description: "Empty: show the channel's title." })),
    category: Type.Optional(Nullable(CategorySlug)),
  },
  { additionalProperties: false },
);

class NotLiveError extends AppError {
  constructor(slug: string) {
    super(409, 'not_live', `Channel '${slug}' is not live.`);
  }
}

export function registerChannelEditRoutes(
  app: FastifyInstance,
  { prisma, accessNarrowed, maxChannelsPerUser }: ChannelEditRouteDeps,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const channels = createChannelRepository(prisma);

  api.post(
    '/api/v1/channels',
    {
      schema: {
        tags: ['channels'],
        summary: 'Create a channel owned by the signed-in user (a viewer becomes a creator)',
        body: CreateChannelBody,
        response: { 201: Type.Ref('Channel'), ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request);
      const { slug, title, category } = request.body;
      const created = await channels.create({ ownerId: user.id, slug, title, category, maxOwned: maxChannelsPerUser });
      return reply.status(201).send(await describeChannel(prisma, created.slug, user));
    },
  );

  api.patch(
    '/api/v1/channels/:slug',
    {
      schema: {
        tags: ['channels'],
        summary: "Edit a channel's title, description, category, tags and privacy (owner or admin)",
        params: SlugParams,
        body: EditChannelBody,
        response: { 200: Type.Ref('Channel'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await requireUser(request);
      const channel = await channelToManage(prisma, user, request.params.slug);
      const { title, description, category, tags } = request.body;
      const data: ChannelChanges = {};
      if (title !== undefined) data.title = nonBlank(title, 'title');
      if (description !== undefined) data.description = description.trim();
      if (category !== undefined) data.category = category === null ? null : await channels.existingCategory(category);
      if (tags !== undefined) data.tags = [...new Set(tags)];
      if (request.body.private !== undefined) data.private = request.body.private;
      if (request.body.webrtcSeats !== undefined) data.webrtcSeats = request.body.webrtcSeats;
      if (request.body.mode !== undefined) data.mode = request.body.mode;
      if (request.body.audioKbps !== undefined) data.audioKbps = request.body.audioKbps;
      await channels.update(channel.id, data);
      // Made private: its current viewers who are not let in any more are let go.
      if (data.private === true && !channel.private) accessNarrowed({ channelId: channel.id });
      return describeChannel(prisma, channel.slug, user);
    },
  );

  api.patch(
    '/api/v1/channels/:slug/live-stream',
    {
      schema: {
        tags: ['channels'],
        summary: 'Retitle or recategorize the stream that is live now (owner or admin)',
        params: SlugParams,
        body: LiveStreamBody,
        response: { 200: LiveStream, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      const { title, category } = request.body;
      const data: { title?: string; category?: string | null } = {};
      if (title !== undefined) data.title = title.trim();
      if (category !== undefined) data.category = category === null ? null : await channels.existingCategory(category);
      const updated = await channels.changeLiveStream(channel.id, data);
      if (!updated) throw new NotLiveError(channel.slug);
      return updated;
    },
  );
}

function nonBlank(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new BadRequestError(`The ${field} must not be blank.`);
  return trimmed;
}
