// What attendees did in a webinar besides watching: questions asked, votes given to questions,
// poll answers. Q&A and polls are their own features (api/ of their own); each answers through this
// interface, so the attendance report needs no knowledge of their tables. Until one is plugged in
// at the composition root, its columns read "—" (null), never a made-up zero.
export interface ParticipationCounts {
  questions: number;
  votes: number;
  pollAnswers: number;
}

export interface ParticipationSource {
  /** Which of the counts this source knows (the others stay null in the report). */
  readonly counts: ReadonlySet<keyof ParticipationCounts>;
  /** The counts of each of `userIds` in the webinar; a user who did nothing may be left out (0). */
  countsFor(webinarId: string, userIds: readonly string[]): Promise<Map<string, Partial<ParticipationCounts>>>;
}

/** Counts nothing: for work that needs only the minutes attended (issuing certificates). */
export const NO_PARTICIPATION: ParticipationSource = {
  counts: new Set(),
  countsFor: async () => new Map(),
};

/** Several sources as one (Q&A's questions and votes, polls' answers). */
export function combinedParticipation(sources: readonly ParticipationSource[]): ParticipationSource {
  return {
    counts: new Set(sources.flatMap((source) => [...source.counts])),
    async countsFor(webinarId, userIds) {
      const all = await Promise.all(sources.map((source) => source.countsFor(webinarId, userIds)));
      const merged = new Map<string, Partial<ParticipationCounts>>();
      for (const counts of all)
        for (const [userId, some] of counts) merged.set(userId, { ...merged.get(userId), ...some });
      return merged;
    },
  };
}
