// The Channel as the API shows it (GET /api/v1/channels/:slug, and the answer to creating or
// editing one): what the channel page needs in one request, including what the caller may do.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { NotFoundError } from '../../common/errors.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { DateTime, Nullable, Type, UserSummary, type Static } from '../http/schemas.ts';
import { uploadUrl } from '../uploads/image-store.ts';
import { canWatch } from '../viewer-access/watch-access.ts';
import { canManageChannel, canModerateChannel } from './permissions.ts';

export const ChannelSchema = Type.Object(
  {
    slug: Type.String(),
    /** The live stream's title while live, the channel's otherwise. */
    title: Type.String(),
    description: Type.String(),
    category: Nullable(Type.String({ description: 'Category slug (the live stream’s while live).' })),
    categoryName: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    live: Type.Boolean(),
    viewers: Type.Integer(),
    streamId: Nullable(Type.String()),
    startedAt: Nullable(DateTime),
    avatarUrl: Nullable(Type.String()),
    bannerUrl: Nullable(Type.String()),
    owner: UserSummary,
    followers: Type.Integer(),
    following: Type.Boolean({ description: 'Whether the caller follows the channel; false when signed out.' }),
    canManage: Type.Boolean({ description: 'The caller owns the channel or is an admin.' }),
    canModerate: Type.Boolean({ description: "The caller may moderate the channel's chat." }),
    chat: Type.Object({
      slowModeSeconds: Type.Integer(),
      followersOnly: Type.Boolean(),
      subscribersOnly: Type.Boolean(),
    }),
    emotes: Type.Array(Type.Object({ name: Type.String(), url: Type.String() })),
    private: Type.Boolean({
      description: "Only the channel's team and holders of a viewer token watch it; left out of discovery.",
    }),
    canWatch: Type.Boolean({
      description: 'The caller may watch the stream, VODs, clips and chat (false only for a private channel).',
    }),
    webrtcSeats: Nullable(
      Type.Integer({
        description: "WebRTC viewers per stream before the rest go to HLS (0: no limit); null: the server's default.",
      }),
    ),
  },
  { $id: 'Channel' },
);

export type ChannelView = Static<typeof ChannelSchema>;

/** Makes `Type.Ref('Channel')` resolvable; the public and the management routes both answer with it. */
export function addChannelSchema(app: FastifyInstance): void {
  if (!app.getSchema('Channel')) app.addSchema(ChannelSchema);
}

/**
 * The channel as `viewer` (undefined when signed out) sees it; 404 when there is no such channel.
 * `tokensFor` gives the viewer tokens the caller presented for a channel (by id), for `canWatch`.
 */
export async function describeChannel(
  prisma: PrismaClient,
  slug: string,
  viewer: SessionUser | undefined,
  tokensFor: (channelId: string) => string[] = () => [],
): Promise<ChannelView> {
  const channel = await prisma.channel.findUnique({
    where: { slug: slug.trim().toLowerCase() },
    include: {
      owner: { select: { id: true, username: true, name: true } },
      categoryRef: { select: { name: true } },
      streams: {
        where: { state: 'live' },
        orderBy: { startedAt: 'desc' },
        take: 1,
        include: { categoryRef: { select: { name: true } } },
      },
      emotes: { orderBy: { name: 'asc' }, select: { name: true, imagePath: true } },
      _count: { select: { followers: true } },
    },
  });
  if (!channel) throw new NotFoundError('Channel', slug);
  const stream = channel.streams[0];
  const [following, canModerate, watchable] = await Promise.all([
    viewer
      ? prisma.follow
          .findUnique({
            where: { userId_channelId: { userId: viewer.id, channelId: channel.id } },
            select: { userId: true },
          })
          .then(Boolean)
      : false,
    canModerateChannel(prisma, viewer, channel),
    canWatch(prisma, channel, { user: viewer, tokens: tokensFor(channel.id) }),
  ]);
  // A live stream without a category of its own shows the channel's.
  const category = stream?.category ?? channel.category;
  const categoryName = (stream?.category ? stream.categoryRef?.name : channel.categoryRef?.name) ?? null;
  return {
    slug: channel.slug,
    title: stream?.title || channel.title,
    description: channel.description,
    category,
    categoryName,
    tags: channel.tags,
    live: Boolean(stream),
    viewers: stream?.viewers ?? 0,
    streamId: stream?.id ?? null,
    startedAt: stream?.startedAt?.toISOString() ?? null,
    avatarUrl: channel.avatarPath ? uploadUrl(channel.avatarPath) : null,
    bannerUrl: channel.bannerPath ? uploadUrl(channel.bannerPath) : null,
    owner: channel.owner,
    followers: channel._count.followers,
    following,
    canManage: canManageChannel(viewer, channel),
    canModerate,
    chat: {
      slowModeSeconds: channel.slowModeSeconds,
      followersOnly: channel.followersOnly,
      subscribersOnly: channel.subscribersOnly,
    },
    emotes: channel.emotes.map((emote) => ({ name: emote.name, url: uploadUrl(emote.imagePath) })),
    private: channel.private,
    canWatch: watchable,
    webrtcSeats: channel.webrtcSeats,
  };
}
