// The Q&A's part of the attendance report: how many questions each attendee asked (whatever
// became of them: a dismissed question was still asked) and how many votes they gave.
import type { PrismaClient } from '../../common/db/database.ts';
import type { ParticipationCounts, ParticipationSource } from './participation-source.ts';

export function qaParticipation(prisma: PrismaClient): ParticipationSource {
  return {
    counts: new Set(['questions', 'votes']),
    async countsFor(webinarId, userIds) {
      const [questions, votes] = await Promise.all([
        prisma.webinarQuestion.groupBy({
          by: ['userId'],
          where: { webinarId, userId: { in: [...userIds] } },
          _count: { _all: true },
        }),
        prisma.webinarQuestionVote.groupBy({
          by: ['userId'],
          where: { question: { webinarId }, userId: { in: [...userIds] } },
          _count: { _all: true },
        }),
      ]);
      const counts = new Map<string, Partial<ParticipationCounts>>();
      for (const row of questions) counts.set(row.userId, { questions: row._count._all });
      for (const row of votes) counts.set(row.userId, { ...counts.get(row.userId), votes: row._count._all });
      return counts;
    },
  };
}
