// The Channel as the API shows it (GET /api/v1/channels/:slug, and the answer to creating or
// editing one): what the channel page needs in one request, including what the caller may do.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { NotFoundError } from '../../common/errors.ts';
import { Channel } from '../../common/protocol/rest/channels.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { uploadUrl } from '../uploads/image-store.ts';
import { canWatch } from '../viewer-access/watch-access.ts';
import { canManageChannel, canModerateChannel } from './permissions.ts';

/**
 * Makes `Type.Ref('Channel')` resolvable; the public and the management routes both answer with it.
 * The schema is the protocol's (common/protocol/rest/channels.ts), which the web app reads too.
 */
export function addChannelSchema(app: FastifyInstance): void {
  if (!app.getSchema('Channel')) app.addSchema(Channel);
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
): Promise<Channel> {
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
  const emotes = channel.emotes.map((emote) => ({ name: emote.name, url: uploadUrl(emote.imagePath) }));
  const avatarUrl = channel.avatarPath ? uploadUrl(channel.avatarPath) : null;
  const chat = {
    slowModeSeconds: channel.slowModeSeconds,
    followersOnly: channel.followersOnly,
    subscribersOnly: channel.subscribersOnly,
  };
  if (!watchable) {
    // A private channel to someone who may not watch it: its public card (name, avatar, owner, that
    // it is private) and what concerns the caller alone (whether they follow it). Whether it is
    // live, its stream, its description and its numbers are for those who may watch.
    return {
      slug: channel.slug,
      title: channel.title,
      description: '',
      category: null,
      categoryName: null,
      tags: [],
      live: false,
      viewers: 0,
      streamId: null,
      startedAt: null,
      avatarUrl,
      bannerUrl: null,
      owner: channel.owner,
      followers: 0,
      following,
      canManage: false,
      canModerate: false,
      chat: { slowModeSeconds: 0, followersOnly: false, subscribersOnly: false },
      emotes: [],
      private: true,
      canWatch: false,
      webrtcSeats: null,
      mode: channel.mode,
      audioKbps: channel.audioKbps,
    };
  }
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
    avatarUrl,
    bannerUrl: channel.bannerPath ? uploadUrl(channel.bannerPath) : null,
    owner: channel.owner,
    followers: channel._count.followers,
    following,
    canManage: canManageChannel(viewer, channel),
    canModerate,
    chat,
    emotes,
    private: channel.private,
    canWatch: watchable,
    webrtcSeats: channel.webrtcSeats,
    mode: channel.mode,
    audioKbps: channel.audioKbps,
  };
}
