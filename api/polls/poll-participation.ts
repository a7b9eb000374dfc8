// The polls' part of a webinar's attendance report: how many of its polls each attendee answered.
import type { PrismaClient } from '../../common/db/database.ts';
import type { ParticipationSource } from '../webinars/participation-source.ts';

export function pollParticipation(prisma: PrismaClient): ParticipationSource {
  return {
    counts: new Set(['pollAnswers']),
    async countsFor(webinarId, userIds) {
      const answers = await prisma.pollVote.groupBy({
        by: ['userId'],
        where: { poll: { webinarId }, userId: { in: [...userIds] } },
        _count: { _all: true },
      });
      return new Map(answers.map((row) => [row.userId, { pollAnswers: row._count._all }]));
    },
  };
}
