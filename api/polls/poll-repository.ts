// Poll rows and votes: the one module that queries them. Every state change is one conditional
// update, so a vote and a close that cross can't both win, and two processes sweeping deadlines
// close a poll once.
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { POLLS_PER_SCOPE_MAX, type PollResults } from '../../common/protocol/polls.ts';
import { checkState, countsOf, type CheckedDraft, type PollAction } from './poll-rules.ts';

export type PollRow = NonNullable<Awaited<ReturnType<PollRepository['byId']>>>;

/** Where polls live: a webinar's, or a channel stream's (webinarId null). */
export interface ScopeIds {
  channelId: string;
  webinarId: string | null;
}

export class PollRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The poll, or undefined for an unknown id (or one that is not a UUID). */
  async byId(id: string) {
    if (!UUID.test(id)) return undefined;
    return (await this.prisma.poll.findUnique({ where: { id } })) ?? undefined;
  }

  /** The scope's polls, newest first; drafts only when asked. */
  list(scope: ScopeIds, { drafts }: { drafts: boolean }) {
    return this.prisma.poll.findMany({
      where: { ...where(scope), ...(drafts ? {} : { state: { not: 'draft' } }) },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: POLLS_PER_SCOPE_MAX,
    });
  }

  /** A new draft; 409 too_many_polls once the scope holds POLLS_PER_SCOPE_MAX. */
  async create(scope: ScopeIds, draft: CheckedDraft) {
    const held = await this.prisma.poll.count({ where: where(scope) });
    if (held >= POLLS_PER_SCOPE_MAX)
      throw new ConflictError('too_many_polls', `A webinar or channel holds at most ${POLLS_PER_SCOPE_MAX} polls.`);
    return this.prisma.poll.create({ data: { ...scope, ...draft } });
  }

  /** Changes a draft (and only a draft). */
  async edit(id: string, change: Partial<CheckedDraft>) {
    const { count } = await this.prisma.poll.updateMany({ where: { id, state: 'draft' }, data: change });
    if (count === 0) await this.#refuse(id, 'edit');
    return this.#existing(id);
  }

  /** Deletes a draft; a poll that ran keeps its results. */
  async deleteDraft(id: string): Promise<void> {
    const { count } = await this.prisma.poll.deleteMany({ where: { id, state: 'draft' } });
    if (count === 0) await this.#refuse(id, 'delete');
  }

  /** Opens a draft at `now`, storing its deadline if it has a time limit. */
  async launch(id: string, now: Date) {
    const at = now.toISOString();
    const count = await this.prisma.$executeRaw`
      UPDATE "Poll" SET "state" = 'open', "openedAt" = ${at}::timestamptz, "updatedAt" = ${at}::timestamptz,
        "closesAt" = CASE WHEN "durationSeconds" IS NULL THEN NULL
                          ELSE ${at}::timestamptz + make_interval(secs => "durationSeconds") END
      WHERE "id" = ${id}::uuid AND "state" = 'draft'`;
    if (count === 0) await this.#refuse(id, 'launch');
    return this.#existing(id);
  }

  /** Closes an open poll; false when it was not open (closed meanwhile by a host or a deadline). */
  async close(id: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.poll.updateMany({
      where: { id, state: 'open' },
      data: { state: 'closed', closedAt: now },
    });
    return count === 1;
  }

  /** Open polls whose deadline has passed, or whose webinar has ended (its results are final then). */
  async due(now: Date): Promise<{ id: string }[]> {
    return this.prisma.poll.findMany({
      where: { state: 'open', OR: [{ closesAt: { lte: now } }, { webinar: { state: 'ended' } }] },
      select: { id: true },
      take: 100,
    });
  }

  /**
   * Stores the user's vote, replacing the one they had, if the poll is open and before its
   * deadline at `now`. The poll's row is read FOR SHARE: votes don't wait for each other, but a
   * close waits for the votes under way and a vote after it sees it closed, so no vote lands
   * after the final count. Throws 409 poll_closed (or poll_state, 404) when it is not open.
   */
  async vote(pollId: string, userId: string, choices: readonly number[], now: Date): Promise<void> {
    const rows = await this.prisma.$queryRaw<{ pollId: string }[]>`
      WITH open_poll AS (
        SELECT "id" FROM "Poll"
        WHERE "id" = ${pollId}::uuid AND "state" = 'open'
          AND ("closesAt" IS NULL OR "closesAt" > ${now.toISOString()}::timestamptz)
        FOR SHARE
      )
      INSERT INTO "PollVote" ("pollId", "userId", "choices", "createdAt", "updatedAt")
      SELECT "id", ${userId}::uuid, ${`{${choices.join(',')}}`}::int[], now(), now() FROM open_poll
      ON CONFLICT ("pollId", "userId") DO UPDATE SET "choices" = EXCLUDED."choices", "updatedAt" = now()
      RETURNING "pollId"::text AS "pollId"`;
    if (rows.length > 0) return;
    const poll = await this.#existing(pollId);
    // Open by its state, but past its deadline: the sweep has not closed it yet.
    if (poll.state === 'open') throw new ConflictError('poll_closed', 'This poll is closed.');
    checkState('vote', poll.state);
  }

  /** Results of each poll (counted together, in one snapshot), by poll id. */
  async results(polls: readonly { id: string; options: readonly string[] }[]): Promise<Map<string, PollResults>> {
    const results = new Map<string, PollResults>();
    if (polls.length === 0) return results;
    const ids = `{${polls.map((p) => p.id).join(',')}}`;
    // Taken before the query's snapshot: a later countedAt always comes with a later snapshot.
    const countedAt = Date.now();
    // Option -1 carries the number of voters.
    const rows = await this.prisma.$queryRaw<{ pollId: string; option: number; votes: number }[]>`
      SELECT v."pollId"::text AS "pollId", o.option::int AS option, count(*)::int AS votes
      FROM "PollVote" v CROSS JOIN LATERAL unnest(v."choices") AS o(option)
      WHERE v."pollId" = ANY(${ids}::uuid[])
      GROUP BY v."pollId", o.option
      UNION ALL
      SELECT v."pollId"::text, -1, count(*)::int FROM "PollVote" v
      WHERE v."pollId" = ANY(${ids}::uuid[])
      GROUP BY v."pollId"`;
    for (const poll of polls) {
      const mine = rows.filter((row) => row.pollId === poll.id);
      results.set(poll.id, {
        counts: countsOf(poll.options.length, mine),
        voters: mine.find((row) => row.option === -1)?.votes ?? 0,
        countedAt,
      });
    }
    return results;
  }

  /** The user's vote on each of the polls that has one, by poll id. */
  async choicesOf(pollIds: readonly string[], userId: string): Promise<Map<string, number[]>> {
    if (pollIds.length === 0) return new Map();
    const votes = await this.prisma.pollVote.findMany({
      where: { userId, pollId: { in: [...pollIds] } },
      select: { pollId: true, choices: true },
    });
    return new Map(votes.map((vote) => [vote.pollId, vote.choices]));
  }

  async #existing(id: string): Promise<PollRow> {
    const poll = await this.byId(id);
    if (!poll) throw new NotFoundError('Poll', id);
    return poll;
  }

  /** Why a conditional change matched nothing: 404, or the state the poll is in. */
  async #refuse(id: string, action: PollAction): Promise<never> {
    const poll = await this.#existing(id);
    checkState(action, poll.state);
    // The state allowed it but the update missed: changed meanwhile; asking again will tell.
    throw new ConflictError('poll_state', 'The poll changed meanwhile; try again.');
  }
}

function where(scope: ScopeIds) {
  return { channelId: scope.channelId, webinarId: scope.webinarId };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
