// Raised-hand rows (WebinarHand): the one module that queries them. Accepting an invitation and
// moving a guest back each run in one transaction with the stage membership they grant or take,
// so the right to publish and the row that explains it never disagree.
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { HAND_INVITATION_TTL_MS } from '../../common/protocol/webinar-hands.ts';
import { acceptRefusal, type HandRowWithUser } from './hand-rules.ts';

const WITH_USER = { user: { select: { id: true, username: true, name: true } } } as const;

/** Enough for a panel and its guests, as for invited panelists (webinar-member-routes.ts). */
export const MAX_STAGE_MEMBERS = 20;

export class HandRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Rows that show in the hosts' queue: a hand up, an invitation sent (maybe lapsed), or a guest. */
  queueRows(webinarId: string): Promise<HandRowWithUser[]> {
    return this.prisma.webinarHand.findMany({
      where: { webinarId, OR: [{ raisedAt: { not: null } }, { invitedAt: { not: null } }, { guest: true }] },
      orderBy: { updatedAt: 'asc' },
      include: WITH_USER,
    });
  }

  async row(webinarId: string, userId: string): Promise<HandRowWithUser | undefined> {
    return (
      (await this.prisma.webinarHand.findUnique({
        where: { webinarId_userId: { webinarId, userId } },
        include: WITH_USER,
      })) ?? undefined
    );
  }

  /** Raises the hand; raising it again keeps its place in the queue. */
  async raise(webinarId: string, userId: string, now: Date): Promise<void> {
    await this.prisma.webinarHand.upsert({
      where: { webinarId_userId: { webinarId, userId } },
      create: { webinarId, userId, raisedAt: now },
      update: {},
    });
    await this.prisma.webinarHand.updateMany({ where: { webinarId, userId, raisedAt: null }, data: { raisedAt: now } });
  }

  async lower(webinarId: string, userId: string): Promise<void> {
    await this.prisma.webinarHand.updateMany({ where: { webinarId, userId }, data: { raisedAt: null } });
  }

  /** Invites (or invites again, for another HAND_INVITATION_TTL_MS); returns when it lapses. */
  async invite(webinarId: string, userId: string, now: Date): Promise<Date> {
    const expiresAt = new Date(now.getTime() + HAND_INVITATION_TTL_MS);
    await this.prisma.webinarHand.upsert({
      where: { webinarId_userId: { webinarId, userId } },
      create: { webinarId, userId, invitedAt: now, invitationExpiresAt: expiresAt },
      update: { invitedAt: now, invitationExpiresAt: expiresAt },
    });
    return expiresAt;
  }

  /** Withdraws or declines the invitation; false when there was none. */
  async clearInvitation(webinarId: string, userId: string, { lowerHand }: { lowerHand: boolean }): Promise<boolean> {
    const { count } = await this.prisma.webinarHand.updateMany({
      where: { webinarId, userId, invitedAt: { not: null }, guest: false },
      data: { invitedAt: null, invitationExpiresAt: null, ...(lowerHand ? { raisedAt: null } : {}) },
    });
    return count > 0;
  }

  /**
   * "Join stage": the standing invitation becomes a guest's stage membership (a panelist on stage),
   * the hand and the invitation done with. Throws the refusal (409) and changes nothing otherwise.
   */
  async accept(webinarId: string, userId: string, now: Date): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ userId: string }[]>`
        SELECT "userId" FROM "WebinarHand" WHERE "webinarId" = ${webinarId}::uuid AND "userId" = ${userId}::uuid
        FOR UPDATE`;
      const row = rows.length
        ? ((await tx.webinarHand.findUnique({ where: { webinarId_userId: { webinarId, userId } } })) ?? undefined)
        : undefined;
      const refusal = acceptRefusal(row, now);
      if (refusal) throw refusal;
      if (await tx.webinarMember.findUnique({ where: { webinarId_userId: { webinarId, userId } } }))
        throw new ConflictError('already_member', 'You are on this webinar’s stage list already.');
      if ((await tx.webinarMember.count({ where: { webinarId } })) >= MAX_STAGE_MEMBERS)
        throw new ConflictError(
          'too_many_members',
          `A webinar has at most ${MAX_STAGE_MEMBERS} people on its stage list.`,
        );
      await tx.webinarMember.create({ data: { webinarId, userId, role: 'panelist', onStage: true } });
      await tx.webinarHand.update({
        where: { webinarId_userId: { webinarId, userId } },
        data: { guest: true, raisedAt: null, invitedAt: null, invitationExpiresAt: null },
      });
    });
  }

  /** "Move to audience": the guest's stage membership goes (404 when they are no guest). */
  async moveToAudience(webinarId: string, userId: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.webinarHand.updateMany({
        where: { webinarId, userId, guest: true },
        data: { guest: false },
      });
      if (count === 0) throw new NotFoundError('Stage guest', userId);
      await tx.webinarMember.deleteMany({ where: { webinarId, userId } });
    });
  }
}
