// The queries of the account routes: who the signed-in user is (with the channels they own and
// moderate), finding an account to log in to, and changing a password. Creating a user is
// users.ts's createUser (the operator's CLI makes users too); sessions are sessions.ts's.
import type { PrismaClient } from '../../common/db/database.ts';
import { createUser, normalizeEmail, type NewUser, type PublicUser, type UserRole } from './users.ts';

export interface ChannelLinkRow {
  slug: string;
  title: string;
}

export interface AccountRow {
  user: { id: string; email: string; username: string; name: string; role: UserRole };
  /** Channels the user owns, oldest first. */
  channels: ChannelLinkRow[];
  /** Channels whose chat the user moderates, in the order they were made a moderator. */
  moderates: ChannelLinkRow[];
}

export interface AccountRepository {
  create(input: NewUser): Promise<PublicUser>;
  account(userId: string): Promise<AccountRow>;
  /** The account an email address (any case) or a username names, with its password hash. */
  byLogin(login: string): Promise<{ id: string; passwordHash: string } | undefined>;
  passwordHash(userId: string): Promise<string>;
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
}

export function createAccountRepository(prisma: PrismaClient): AccountRepository {
  return {
    create: (input) => createUser(prisma, input),
    async account(userId) {
      const [user, channels, moderates] = await Promise.all([
        prisma.user.findUniqueOrThrow({
          where: { id: userId },
          select: { id: true, email: true, username: true, name: true, role: true },
        }),
        prisma.channel.findMany({
          where: { ownerId: userId },
          select: { slug: true, title: true },
          orderBy: { createdAt: 'asc' },
        }),
        prisma.channelModerator.findMany({
          where: { userId },
          select: { channel: { select: { slug: true, title: true } } },
          orderBy: { createdAt: 'asc' },
        }),
      ]);
      return { user, channels, moderates: moderates.map((m) => m.channel) };
    },
    async byLogin(raw) {
      const login = normalizeEmail(raw);
      const user = await prisma.user.findFirst({
        where: login.includes('@') ? { email: login } : { username: login },
        select: { id: true, passwordHash: true },
      });
      return user ?? undefined;
    },
    async passwordHash(userId) {
      const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
      return user.passwordHash;
    },
    async setPasswordHash(userId, passwordHash) {
      await prisma.user.update({ where: { id: userId }, data: { passwordHash } });
    },
  };
}
