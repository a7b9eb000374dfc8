// Every query on a channel's moderators. Each change and its ModerationAction row commit together,
// and a change that changes nothing (adding a moderator twice, removing one who is not) logs nothing.
import type { PrismaClient } from '../../common/db/database.ts';

export interface ModeratorRow {
  id: string;
  username: string;
  name: string;
  addedAt: Date;
}

export interface ModeratorRepository {
  /** The channel's moderators, oldest first. */
  list(channelId: string): Promise<ModeratorRow[]>;
  /** A user by username (any case); undefined when there is none. */
  userByUsername(username: string): Promise<{ id: string; username: string } | undefined>;
  /** Makes the user a moderator; false when they already were (or became one at the same moment). */
  add(channelId: string, userId: string, actorId: string): Promise<boolean>;
  /** Removes the moderator; false when they were not one. */
  remove(channelId: string, userId: string, actorId: string): Promise<boolean>;
}

export function createModeratorRepository(prisma: PrismaClient): ModeratorRepository {
  return {
    async list(channelId) {
      const rows = await prisma.channelModerator.findMany({
        where: { channelId },
        orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
        include: { user: { select: { id: true, username: true, name: true } } },
      });
      return rows.map((row) => ({ ...row.user, addedAt: row.createdAt }));
    },
    async userByUsername(username) {
      const user = await prisma.user.findUnique({
        where: { username: username.toLowerCase() },
        select: { id: true, username: true },
      });
      return user ?? undefined;
    },
    add(channelId, userId, actorId) {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.channelModerator.createMany({
          data: [{ channelId, userId }],
          skipDuplicates: true,
        });
        if (count > 0) {
          await tx.moderationAction.create({
            data: { channelId, moderatorId: actorId, kind: 'add_moderator', targetUserId: userId },
          });
        }
        return count > 0;
      });
    },
    remove(channelId, userId, actorId) {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.channelModerator.deleteMany({ where: { channelId, userId } });
        if (count > 0) {
          await tx.moderationAction.create({
            data: { channelId, moderatorId: actorId, kind: 'remove_moderator', targetUserId: userId },
          });
        }
        return count > 0;
      });
    },
  };
}
