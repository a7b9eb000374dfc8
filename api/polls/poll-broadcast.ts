// Everything the server pushes about polls, from routes, the socket and the deadline sweep alike.
// It goes through the /polls namespace of the shared socket.io server: with REDIS_URL that server
// uses the Redis adapter, so an emit here reaches the scope's clients in every process.
//
// Each scope has two rooms: everyone reading it, and those who run it. Hidden results go to the
// second only: the audience's emits leave them out (`.except(runners)`), so they never cross the
// wire to a voter. Votes are not broadcast one by one: a vote marks its poll's counts stale and
// they are counted and sent at most every RESULTS_EVERY_MS, whatever the number of voters.
import type { Namespace, Server as SocketServer } from 'socket.io';
import type { Logger } from '../../common/logger.ts';
import {
  POLLS_NAMESPACE,
  type Poll,
  type PollClientEvents,
  type PollResults,
  type PollServerEvents,
  type PollUpdate,
} from '../../common/protocol/polls.ts';
import type { PollRepository, PollRow } from './poll-repository.ts';
import { resultsVisible } from './poll-rules.ts';
import { scopeKey } from './poll-scopes.ts';

export interface PollSocketData {
  /** The Cookie header of the handshake, kept only when its Origin is ours (see poll-socket.ts). */
  cookieHeader: string | undefined;
  /** Scope keys this socket joined. */
  joined: Set<string>;
}

export type PollNamespace = Namespace<PollClientEvents, PollServerEvents, Record<never, never>, PollSocketData>;

export function pollNamespace(io: SocketServer): PollNamespace {
  return io.of(POLLS_NAMESPACE) as PollNamespace;
}

/** Everyone reading the scope's polls. */
export function audienceRoom(key: string): string {
  return `polls:${key}`;
}

/** Those who run them, who see every count and every draft. */
export function runnersRoom(key: string): string {
  return `polls:${key}:runners`;
}

/** How often, at most, a poll's new counts are sent while votes come in. */
export const RESULTS_EVERY_MS = 250;

/** A poll as `reader` sees it: results only where visible, their own choices if given. */
export function pollView(
  row: PollRow,
  { runsIt, results, myChoices }: { runsIt: boolean; results: PollResults | undefined; myChoices?: number[] | null },
): Poll {
  return {
    ...pollUpdate(row, undefined),
    results: resultsVisible(row, runsIt) ? (results ?? null) : null,
    myChoices: myChoices ?? null,
  };
}

function pollUpdate(row: PollRow, results: PollResults | undefined): PollUpdate {
  return {
    id: row.id,
    question: row.question,
    options: row.options,
    multipleChoice: row.multipleChoice,
    resultsVisibility: row.resultsVisibility,
    durationSeconds: row.durationSeconds,
    state: row.state,
    openedAt: row.openedAt?.toISOString() ?? null,
    closesAt: row.closesAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    results: results ?? null,
  };
}

export class PollBroadcaster {
  readonly #namespace: PollNamespace;
  readonly #polls: PollRepository;
  readonly #logger: Logger;
  /** Polls whose counts changed since they were last sent, and the timer that will send them. */
  readonly #stale = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(namespace: PollNamespace, polls: PollRepository, logger: Logger) {
    this.#namespace = namespace;
    this.#polls = polls;
    this.#logger = logger;
  }

  /** A poll was created, edited, launched or closed: both rooms hear it, each as it may see it. */
  async changed(row: PollRow): Promise<void> {
    const key = scopeKey(row);
    const results = row.state === 'draft' ? undefined : (await this.#polls.results([row])).get(row.id);
    const runners = runnersRoom(key);
    this.#namespace.to(runners).emit('poll', { scopeKey: key, poll: pollUpdate(row, results) });
    if (row.state === 'draft') return;
    const shown = resultsVisible(row, false) ? results : undefined;
    this.#namespace
      .to(audienceRoom(key))
      .except(runners)
      .emit('poll', { scopeKey: key, poll: pollUpdate(row, shown) });
  }

  /** A draft was deleted: only the runners ever saw it. */
  removed(row: PollRow): void {
    const key = scopeKey(row);
    this.#namespace.to(runnersRoom(key)).emit('poll-removed', { scopeKey: key, pollId: row.id });
  }

  /** Someone voted: the counts go out within RESULTS_EVERY_MS, once for all the votes meanwhile. */
  voted(row: PollRow): void {
    if (this.#stale.has(row.id)) return;
    const timer = setTimeout(() => {
      this.#stale.delete(row.id);
      this.#sendResults(row).catch((error: unknown) =>
        this.#logger.error({ err: error, poll: row.id }, 'could not send poll results'),
      );
    }, RESULTS_EVERY_MS);
    this.#stale.set(row.id, timer);
  }

  async #sendResults(row: PollRow): Promise<void> {
    const results = (await this.#polls.results([row])).get(row.id);
    if (!results) return;
    const key = scopeKey(row);
    const runners = runnersRoom(key);
    const event = { scopeKey: key, pollId: row.id, results };
    this.#namespace.to(runners).emit('results', event);
    if (resultsVisible(row, false)) this.#namespace.to(audienceRoom(key)).except(runners).emit('results', event);
  }

  /** Stops the pending sends (at shutdown); safe to call twice. */
  close(): void {
    for (const timer of this.#stale.values()) clearTimeout(timer);
    this.#stale.clear();
  }
}
