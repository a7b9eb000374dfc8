// Webinar Q&A rows: the one module that queries questions, votes and the moderation setting.
//
// Every write runs in a transaction that first locks the webinar's row: FOR SHARE to ask or vote
// (attendees don't wait for each other), FOR UPDATE to moderate. So a vote can't land on a question
// a host is dismissing at that instant, two hosts pinning at once leave one pin, and nothing is
// written after the webinar ended (ending it updates that row, which waits for the lock).
import type { PrismaClient } from '../../common/db/database.ts';
import { isUniqueViolation } from '../../common/db/unique-violation.ts';
import { NotFoundError } from '../../common/errors.ts';
import type { QaAction, QaQuestion, QaQuestionState } from '../../common/protocol/webinar-qa.ts';
import { initialState, openRefusal, QaRefusal, transition, unvoteRefusal, voteRefusal } from './qa-rules.ts';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
type WebinarState = 'scheduled' | 'backstage' | 'live' | 'ended';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const WITH_AUTHOR_AND_VOTES = {
  user: { select: { id: true, username: true, name: true } },
  _count: { select: { votes: true } },
} as const;

export type QuestionRow = Awaited<ReturnType<QaRepository['list']>>[number];

/** What a moderation changed: the question as it is now (null: deleted), and the one it unpinned. */
export interface Moderated {
  question: QuestionRow | null;
  unpinned: QuestionRow | null;
  /** The question was the pinned one before. */
  wasPinned: boolean;
}

/** The question as `audience` sees it: attendees never learn an anonymous asker. */
export function questionView(row: QuestionRow, audience: 'host' | 'attendee'): QaQuestion {
  const hideAuthor = row.anonymous && audience === 'attendee';
  return {
    id: row.id,
    webinarId: row.webinarId,
    body: row.body,
    anonymous: row.anonymous,
    author: hideAuthor ? null : { userId: row.user.id, username: row.user.username, name: row.user.name },
    state: row.state,
    answer: row.answer,
    answeredAt: row.answeredAt?.toISOString() ?? null,
    pinned: row.pinned,
    votes: row._count.votes,
    createdAt: row.createdAt.toISOString(),
  };
}

export class QaRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async moderated(webinarId: string): Promise<boolean> {
    const row = await this.prisma.webinarQa.findUnique({ where: { webinarId }, select: { moderated: true } });
    return row?.moderated ?? false;
  }

  async setModerated(webinarId: string, moderated: boolean): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      throwIfClosed(await lockWebinar(tx, webinarId, 'update'));
      await tx.webinarQa.upsert({ where: { webinarId }, create: { webinarId, moderated }, update: { moderated } });
    });
  }

  /** Oldest first. Attendees get what they may see, and `userId`'s own pending questions. */
  list(webinarId: string, { audience, userId }: { audience: 'host' | 'attendee'; userId?: string | undefined }) {
    const visible: QaQuestionState[] = ['approved', 'answered'];
    return this.prisma.webinarQuestion.findMany({
      where: {
        webinarId,
        ...(audience === 'host'
          ? {}
          : {
              OR: [{ state: { in: visible } }, ...(userId ? [{ userId, state: 'pending' as const }] : [])],
            }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: WITH_AUTHOR_AND_VOTES,
    });
  }

  /** Ids of the webinar's questions that `userId` upvoted. */
  async votesOf(webinarId: string, userId: string): Promise<string[]> {
    const rows = await this.prisma.webinarQuestionVote.findMany({
      where: { userId, question: { webinarId } },
      select: { questionId: true },
    });
    return rows.map((row) => row.questionId);
  }

  ask(webinarId: string, userId: string, question: { body: string; anonymous: boolean }): Promise<QuestionRow> {
    return this.prisma.$transaction(async (tx) => {
      throwIfClosed(await lockWebinar(tx, webinarId, 'share'));
      const settings = await tx.webinarQa.findUnique({ where: { webinarId }, select: { moderated: true } });
      return tx.webinarQuestion.create({
        data: { webinarId, userId, ...question, state: initialState(settings?.moderated ?? false) },
        include: WITH_AUTHOR_AND_VOTES,
      });
    });
  }

  /** Upvotes; answers the question's new count. */
  vote(webinarId: string, questionId: string, userId: string): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      throwIfClosed(await lockWebinar(tx, webinarId, 'share'));
      const question = await findQuestion(tx, webinarId, questionId);
      const voted = await tx.webinarQuestionVote.findUnique({
        where: { questionId_userId: { questionId, userId } },
        select: { userId: true },
      });
      const refusal = voteRefusal({ state: question.state, askerId: question.userId }, userId, voted !== null);
      if (refusal) throw refusal;
      try {
        await tx.webinarQuestionVote.create({ data: { questionId, userId } });
      } catch (error) {
        // The same user voting from two tabs at the same instant: the key keeps one.
        if (isUniqueViolation(error))
          throw new QaRefusal(409, 'already_voted', 'You have already upvoted this question.');
        throw error;
      }
      return tx.webinarQuestionVote.count({ where: { questionId } });
    });
  }

  /** Takes an upvote back; answers the question's new count. */
  unvote(webinarId: string, questionId: string, userId: string): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      throwIfClosed(await lockWebinar(tx, webinarId, 'share'));
      const question = await findQuestion(tx, webinarId, questionId);
      const { count } = await tx.webinarQuestionVote.deleteMany({ where: { questionId, userId } });
      const refusal = unvoteRefusal(question, count > 0);
      // Thrown inside the transaction: a vote deleted on a question that can't be voted on is rolled back.
      if (refusal) throw refusal;
      return tx.webinarQuestionVote.count({ where: { questionId } });
    });
  }

  moderate(webinarId: string, questionId: string, action: QaAction, answer: string | null): Promise<Moderated> {
    return this.prisma.$transaction(async (tx) => {
      throwIfClosed(await lockWebinar(tx, webinarId, 'update'));
      const current = await findQuestion(tx, webinarId, questionId);
      if (action === 'delete') {
        await tx.webinarQuestion.delete({ where: { id: questionId } });
        return { question: null, unpinned: null, wasPinned: current.pinned };
      }
      const next = transition(action, current);
      let unpinned: QuestionRow | null = null;
      if (next.pinned && !current.pinned) {
        const other = await tx.webinarQuestion.findFirst({
          where: { webinarId, pinned: true, id: { not: questionId } },
          select: { id: true },
        });
        if (other) {
          unpinned = await tx.webinarQuestion.update({
            where: { id: other.id },
            data: { pinned: false },
            include: WITH_AUTHOR_AND_VOTES,
          });
        }
      }
      const answerChange =
        action === 'answer'
          ? { answer, answeredAt: new Date() }
          : action === 'reopen'
            ? { answer: null, answeredAt: null }
            : {};
      const question = await tx.webinarQuestion.update({
        where: { id: questionId },
        data: { state: next.state, pinned: next.pinned, ...answerChange },
        include: WITH_AUTHOR_AND_VOTES,
      });
      return { question, unpinned, wasPinned: current.pinned };
    });
  }
}

async function lockWebinar(tx: Tx, webinarId: string, mode: 'share' | 'update'): Promise<WebinarState> {
  if (!UUID.test(webinarId)) throw new NotFoundError('Webinar', webinarId);
  const rows =
    mode === 'update'
      ? await tx.$queryRaw<{ state: WebinarState }[]>`
          SELECT "state"::text AS "state" FROM "Webinar" WHERE "id" = ${webinarId}::uuid FOR UPDATE`
      : await tx.$queryRaw<{ state: WebinarState }[]>`
          SELECT "state"::text AS "state" FROM "Webinar" WHERE "id" = ${webinarId}::uuid FOR SHARE`;
  if (!rows[0]) throw new NotFoundError('Webinar', webinarId);
  return rows[0].state;
}

function throwIfClosed(state: WebinarState): void {
  const refusal = openRefusal(state);
  if (refusal) throw refusal;
}

async function findQuestion(tx: Tx, webinarId: string, questionId: string) {
  const question = UUID.test(questionId)
    ? await tx.webinarQuestion.findFirst({
        where: { id: questionId, webinarId },
        select: { id: true, state: true, userId: true, pinned: true },
      })
    : null;
  if (!question) throw new NotFoundError('Question', questionId);
  return question;
}
