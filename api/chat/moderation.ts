// What moderators do to a channel's chat: delete a message, ban or time out a user, lift a ban,
// change the chat settings. Each change and its ModerationAction row commit together or not at
// all. Broadcasting the result is the caller's job, after the commit.
import type { PrismaClient } from '../../common/db/database.ts';
import { ForbiddenError, NotFoundError } from '../../common/errors.ts';
import type { Prisma } from '../../prisma/generated/client.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import type { Ban } from '../../common/protocol/rest/moderation.ts';
import { normalizeSettingsPatch, settingsChanges, type SettingsPatch } from './chat-settings.ts';
import type { ChatChannel } from './chat-standing.ts';
import { recordModerationAction } from './moderation-log.ts';

/** Soft-deletes a message of this channel. Deleting it again changes nothing and logs nothing. */
export async function deleteMessage(
  prisma: PrismaClient,
  channel: ChatChannel,
  moderator: SessionUser,
  messageId: string,
): Promise<{ deleted: boolean }> {
  return prisma.$transaction(async (tx) => {
    const message = await tx.chatMessage.findFirst({
      where: { id: messageId, channelId: channel.id },
      select: { userId: true, body: true },
    });
    if (!message) throw new NotFoundError('Message', messageId);
    // Conditional on deletedAt: of two moderators deleting at once, one deletes and logs.
    const { count } = await tx.chatMessage.updateMany({
      where: { id: messageId, deletedAt: null },
      data: { deletedAt: new Date(), deletedById: moderator.id },
    });
    if (count === 0) return { deleted: false };
    await recordModerationAction(tx, {
      channelId: channel.id,
      moderatorId: moderator.id,
      kind: 'delete_message',
      targetUserId: message.userId,
      messageId,
      // The log says what was removed, so a deletion can be reviewed later.
      details: { body: message.body },
    });
    return { deleted: true };
  });
}

export interface BanInput {
  username: string;
  /** Absent: a permanent ban; otherwise a time-out of this many seconds. */
  durationSeconds?: number | undefined;
  reason?: string | undefined;
}

/** Bans or times out a user (replacing any earlier ban of theirs). Owners, admins and moderators can't be. */
export async function banUser(
  prisma: PrismaClient,
  channel: ChatChannel,
  moderator: SessionUser,
  input: BanInput,
  now = new Date(),
): Promise<{ userId: string; expiresAt: Date | null }> {
  const target = await prisma.user.findUnique({
    where: { username: input.username.trim().toLowerCase() },
    select: { id: true, username: true, role: true },
  });
  if (!target) throw new NotFoundError('User', input.username);
  const targetModerates =
    target.id === channel.ownerId ||
    target.role === 'admin' ||
    (await prisma.channelModerator.findUnique({
      where: { channelId_userId: { channelId: channel.id, userId: target.id } },
    })) !== null;
  if (targetModerates)
    throw new ForbiddenError(`'${target.username}' moderates '${channel.slug}' and can't be banned from its chat.`);

  const expiresAt = input.durationSeconds === undefined ? null : new Date(now.getTime() + input.durationSeconds * 1000);
  const reason = input.reason?.trim() ?? '';
  await prisma.$transaction(async (tx) => {
    const ban = { expiresAt, reason, createdById: moderator.id, createdAt: now };
    await tx.channelBan.upsert({
      where: { channelId_userId: { channelId: channel.id, userId: target.id } },
      create: { channelId: channel.id, userId: target.id, ...ban },
      update: ban,
    });
    await recordModerationAction(tx, {
      channelId: channel.id,
      moderatorId: moderator.id,
      kind: expiresAt === null ? 'ban' : 'timeout',
      targetUserId: target.id,
      details: {
        reason,
        expiresAt: expiresAt?.toISOString() ?? null,
        ...(input.durationSeconds === undefined ? {} : { durationSeconds: input.durationSeconds }),
      },
    });
  });
  return { userId: target.id, expiresAt };
}

/** Lifts a ban or time-out; 404 when the user has none in this channel. */
export async function unbanUser(
  prisma: PrismaClient,
  channel: ChatChannel,
  moderator: SessionUser,
  userId: string,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.channelBan.deleteMany({ where: { channelId: channel.id, userId } });
    if (count === 0) throw new NotFoundError(`A ban of user '${userId}' in '${channel.slug}'`);
    await recordModerationAction(tx, {
      channelId: channel.id,
      moderatorId: moderator.id,
      kind: 'unban',
      targetUserId: userId,
    });
  });
}

/** Bans and time-outs in force (expired time-outs are left out), newest first. */
export async function activeBans(prisma: PrismaClient, channel: ChatChannel, now = new Date()): Promise<Ban[]> {
  const bans = await prisma.channelBan.findMany({
    where: { channelId: channel.id, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    orderBy: { createdAt: 'desc' },
    include: { user: { select: { id: true, username: true, name: true } } },
  });
  return bans.map((ban) => ({
    user: ban.user,
    expiresAt: ban.expiresAt?.toISOString() ?? null,
    reason: ban.reason,
    createdAt: ban.createdAt.toISOString(),
  }));
}

const SETTINGS_FIELDS = {
  id: true,
  slug: true,
  ownerId: true,
  slowModeSeconds: true,
  followersOnly: true,
  subscribersOnly: true,
  bannedWords: true,
  private: true,
} as const;

/** Applies a settings change; logs it when it changes anything. */
export async function updateChatSettings(
  prisma: PrismaClient,
  channel: ChatChannel,
  moderator: SessionUser,
  patch: SettingsPatch,
): Promise<{ channel: ChatChannel; changed: boolean }> {
  const normalized = normalizeSettingsPatch(patch);
  return prisma.$transaction(async (tx) => {
    const before = await tx.channel.findUniqueOrThrow({ where: { id: channel.id }, select: SETTINGS_FIELDS });
    const changes = settingsChanges(before, normalized);
    if (Object.keys(changes).length === 0) return { channel: before, changed: false };
    const data: Prisma.ChannelUpdateInput = {};
    if (normalized.slowModeSeconds !== undefined) data.slowModeSeconds = normalized.slowModeSeconds;
    if (normalized.followersOnly !== undefined) data.followersOnly = normalized.followersOnly;
    if (normalized.subscribersOnly !== undefined) data.subscribersOnly = normalized.subscribersOnly;
    if (normalized.bannedWords !== undefined) data.bannedWords = normalized.bannedWords;
    const after = await tx.channel.update({ where: { id: channel.id }, data, select: SETTINGS_FIELDS });
    await recordModerationAction(tx, {
      channelId: channel.id,
      moderatorId: moderator.id,
      kind: 'update_chat_settings',
      details: changes as Prisma.InputJsonObject,
    });
    return { channel: after, changed: true };
  });
}
