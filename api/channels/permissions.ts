// Who may do what to a channel. Owners and admins manage it (settings, keys, moderators);
// moderators additionally moderate its chat. Every route asks here, so the rules live in one place.
import type { PrismaClient } from '../../common/db/database.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../common/errors.ts';
import type { SessionUser } from '../accounts/sessions.ts';

export interface ChannelRow {
  id: string;
  slug: string;
  ownerId: string;
}

export function canManageChannel(user: SessionUser | undefined, channel: ChannelRow): boolean {
  return user !== undefined && (user.role === 'admin' || user.id === channel.ownerId);
}

export async function canModerateChannel(
  prisma: PrismaClient,
  user: SessionUser | undefined,
  channel: ChannelRow,
): Promise<boolean> {
  if (!user) return false;
  if (canManageChannel(user, channel)) return true;
  const row = await prisma.channelModerator.findUnique({
    where: { channelId_userId: { channelId: channel.id, userId: user.id } },
  });
  return row !== null;
}

/** The channel by slug (404 when there is none). */
export async function channelBySlugOr404(prisma: PrismaClient, slug: string) {
  const channel = await prisma.channel.findUnique({ where: { slug: slug.trim().toLowerCase() } });
  if (!channel) throw new NotFoundError('Channel', slug);
  return channel;
}

/** The channel, if the user may manage it; 401 signed out, 403 someone else's, 404 unknown. */
export async function channelToManage(prisma: PrismaClient, user: SessionUser | undefined, slug: string) {
  if (!user) throw new UnauthorizedError('Sign in to do this.');
  const channel = await channelBySlugOr404(prisma, slug);
  if (!canManageChannel(user, channel)) throw new ForbiddenError(`Only the owner of '${channel.slug}' can do that.`);
  return channel;
}

/** The channel, if the user may moderate its chat; 401 signed out, 403 not a moderator, 404 unknown. */
export async function channelToModerate(prisma: PrismaClient, user: SessionUser | undefined, slug: string) {
  if (!user) throw new UnauthorizedError('Sign in to do this.');
  const channel = await channelBySlugOr404(prisma, slug);
  if (!(await canModerateChannel(prisma, user, channel)))
    throw new ForbiddenError(`You do not moderate '${channel.slug}'.`);
  return channel;
}
