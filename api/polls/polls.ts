// The poll engine: what a host and a voter can do, whatever the transport (REST routes, the /polls
// socket) and whatever the scope (a webinar, a channel stream). Each action checks who asks, then
// the rules, then changes one row conditionally and tells the rooms.
import type { PrismaClient } from '../../common/db/database.ts';
import { NotFoundError, PrivateChannelError, UnauthorizedError } from '../../common/errors.ts';
import type { Poll, PollDraft, PollDraftChange, PollList } from '../../common/protocol/polls.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { pollView, type PollBroadcaster } from './poll-broadcast.ts';
import type { PollRepository, PollRow } from './poll-repository.ts';
import { checkChoices, checkDraft, checkState } from './poll-rules.ts';
import { PollScopes, scopeIds, type ResolvedScope } from './poll-scopes.ts';

/** Who is asking: the signed-in user (if any) and the viewer tokens they hold for private channels. */
export interface Caller {
  user: SessionUser | undefined;
  /** Viewer tokens for the scope's channel, asked for only once the channel is known. */
  tokens(channelId: string): string[];
}

/** Called when a poll opens with a time limit: the deadline timer of this process. */
export type OnLaunched = (poll: PollRow) => void;

export class Polls {
  readonly repository: PollRepository;
  readonly scopes: PollScopes;
  readonly #broadcaster: PollBroadcaster;
  readonly #onLaunched: OnLaunched;

  constructor(prisma: PrismaClient, repository: PollRepository, broadcaster: PollBroadcaster, onLaunched: OnLaunched) {
    this.repository = repository;
    this.scopes = new PollScopes(prisma);
    this.#broadcaster = broadcaster;
    this.#onLaunched = onLaunched;
  }

  /** The scope's polls as the caller may see them: 403 if they may not watch its channel. */
  async list(scope: ResolvedScope, caller: Caller): Promise<PollList> {
    await this.#assertMayRead(scope, caller);
    const canRun = await this.scopes.runs(caller.user, scope);
    const rows = await this.repository.list(scopeIds(scope), { drafts: canRun });
    return { items: await this.#views(rows, caller.user, canRun), canRun };
  }

  async create(scope: ResolvedScope, user: SessionUser, draft: PollDraft): Promise<Poll> {
    await this.scopes.assertRuns(user, scope);
    this.scopes.assertRunning(scope);
    const row = await this.repository.create(scopeIds(scope), checkDraft(draft));
    await this.#broadcaster.changed(row);
    return pollView(row, { runsIt: true, results: undefined });
  }

  async edit(pollId: string, user: SessionUser, change: PollDraftChange): Promise<Poll> {
    const { poll } = await this.#toRun(pollId, user);
    checkState('edit', poll.state);
    const checked = checkDraft({
      question: change.question ?? poll.question,
      options: change.options ?? poll.options,
      multipleChoice: change.multipleChoice ?? poll.multipleChoice,
      resultsVisibility: change.resultsVisibility ?? poll.resultsVisibility,
      durationSeconds: change.durationSeconds === undefined ? poll.durationSeconds : change.durationSeconds,
    });
    const row = await this.repository.edit(pollId, checked);
    await this.#broadcaster.changed(row);
    return pollView(row, { runsIt: true, results: undefined });
  }

  async deleteDraft(pollId: string, user: SessionUser): Promise<void> {
    const { poll } = await this.#toRun(pollId, user);
    await this.repository.deleteDraft(pollId);
    this.#broadcaster.removed(poll);
  }

  /** Opens a draft now, in one click; its deadline is stored with it. */
  async launch(pollId: string, user: SessionUser): Promise<Poll> {
    const { poll, scope } = await this.#toRun(pollId, user);
    checkState('launch', poll.state);
    this.scopes.assertRunning(scope);
    const row = await this.repository.launch(pollId, new Date());
    if (row.closesAt) this.#onLaunched(row);
    await this.#broadcaster.changed(row);
    return this.#viewOne(row, user, true);
  }

  async close(pollId: string, user: SessionUser): Promise<Poll> {
    const { poll } = await this.#toRun(pollId, user);
    checkState('close', poll.state);
    if (!(await this.closeNow(pollId))) checkState('close', (await this.#existing(pollId)).state);
    return this.#viewOne(await this.#existing(pollId), user, true);
  }

  /** Closes an open poll (a host, or its deadline) and tells the rooms; false when it was not open. */
  async closeNow(pollId: string): Promise<boolean> {
    if (!(await this.repository.close(pollId, new Date()))) return false;
    await this.#broadcaster.changed(await this.#existing(pollId));
    return true;
  }

  /** The caller's vote, replacing the last one; answered with the poll as they may see it. */
  async vote(pollId: string, caller: Caller, choices: readonly unknown[]): Promise<Poll> {
    if (!caller.user) throw new UnauthorizedError('Sign in to vote.');
    const poll = await this.#existing(pollId);
    const scope = await this.scopes.ofPoll(poll);
    await this.#assertMayRead(scope, caller);
    const runsIt = await this.scopes.runs(caller.user, scope);
    // A draft is nobody's business but its runners'.
    if (poll.state === 'draft' && !runsIt) throw new NotFoundError('Poll', pollId);
    checkState('vote', poll.state);
    this.scopes.assertRunning(scope);
    const checked = checkChoices(poll, choices);
    await this.repository.vote(pollId, caller.user.id, checked, new Date());
    this.#broadcaster.voted(poll);
    // Voters get the counts from the coalesced broadcast a moment later: counting for every ack
    // would make a burst of votes one aggregate query each.
    const results = runsIt ? (await this.repository.results([poll])).get(poll.id) : undefined;
    return pollView(poll, { runsIt, results, myChoices: checked });
  }

  /** The poll and its scope, if the user runs it: 404 unknown, 403 not theirs. */
  async #toRun(pollId: string, user: SessionUser): Promise<{ poll: PollRow; scope: ResolvedScope }> {
    const poll = await this.#existing(pollId);
    const scope = await this.scopes.ofPoll(poll);
    await this.scopes.assertRuns(user, scope);
    return { poll, scope };
  }

  async #assertMayRead(scope: ResolvedScope, caller: Caller): Promise<void> {
    if (!(await this.scopes.mayRead(scope, caller.user, caller.tokens(scope.channel.id))))
      throw new PrivateChannelError(scope.channel.slug);
  }

  async #existing(pollId: string): Promise<PollRow> {
    const poll = await this.repository.byId(pollId);
    if (!poll) throw new NotFoundError('Poll', pollId);
    return poll;
  }

  async #viewOne(row: PollRow, user: SessionUser | undefined, runsIt: boolean): Promise<Poll> {
    const [view] = await this.#views([row], user, runsIt);
    return view!;
  }

  async #views(rows: readonly PollRow[], user: SessionUser | undefined, runsIt: boolean): Promise<Poll[]> {
    const counted = rows.filter((row) => row.state !== 'draft');
    const [results, mine] = await Promise.all([
      this.repository.results(counted),
      user
        ? this.repository.choicesOf(
            counted.map((row) => row.id),
            user.id,
          )
        : new Map<string, number[]>(),
    ]);
    return rows.map((row) => pollView(row, { runsIt, results: results.get(row.id), myChoices: mine.get(row.id) }));
  }
}
