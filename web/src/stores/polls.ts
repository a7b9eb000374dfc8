import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { io, type Socket } from 'socket.io-client';
import { sendJson } from '../lib/api.ts';
import type {
  Poll,
  PollAck,
  PollClientEvents,
  PollDraft,
  PollJoinResult,
  PollResults,
  PollScope,
  PollServerEvents,
  PollUpdate,
} from '../../../common/protocol/polls.ts';

// The polls of one scope (a webinar, or a channel stream) over the socket.io namespace /polls:
// the list as this reader may see it, kept current by the server's broadcasts; votes go over the
// socket, the host's actions over REST (their changes come back as broadcasts too).

export type { Poll, PollDraft, PollResults, PollScope } from '../../../common/protocol/polls.ts';
export {
  POLL_DURATION_MAX_SECONDS,
  POLL_DURATION_MIN_SECONDS,
  POLL_OPTION_MAX,
  POLL_OPTIONS_MAX,
  POLL_OPTIONS_MIN,
  POLL_QUESTION_MAX,
} from '../../../common/protocol/polls.ts';

type PollSocket = Socket<PollServerEvents, PollClientEvents>;

/** idle: no scope. connecting: first connection. live: joined. reconnecting: dropped, retrying. failed: join refused. */
export type PollConnection = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'failed';

export interface PollProblem {
  code: string;
  detail: string;
}

const ACK_TIMEOUT_MS = 10_000;

export function scopeBase(scope: PollScope): string {
  return scope.kind === 'webinar'
    ? `/api/v1/webinars/${encodeURIComponent(scope.webinarId)}/polls`
    : `/api/v1/channels/${encodeURIComponent(scope.channel)}/polls`;
}

/** Newer counts win: results that cross (two processes' broadcasts) never go back in time. */
function newer(current: PollResults | null, next: PollResults | null): PollResults | null {
  if (!next) return null;
  return current && current.countedAt > next.countedAt ? current : next;
}

export const usePollsStore = defineStore('polls', () => {
  const scope = shallowRef<PollScope | null>(null);
  const polls = shallowRef<Poll[]>([]);
  const canRun = ref(false);
  const connection = ref<PollConnection>('idle');
  const joinError = ref<PollProblem | null>(null);
  let scopeKey: string | null = null;
  let socket: PollSocket | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  const open = computed(() => polls.value.filter((p) => p.state === 'open'));
  const drafts = computed(() => polls.value.filter((p) => p.state === 'draft'));
  const closed = computed(() => polls.value.filter((p) => p.state === 'closed'));

  function sameScope(a: PollScope | null, b: PollScope): boolean {
    if (!a || a.kind !== b.kind) return false;
    return a.kind === 'webinar' ? a.webinarId === (b as typeof a).webinarId : a.channel === (b as typeof a).channel;
  }

  function start(next: PollScope, options: { url?: string } = {}): void {
    if (sameScope(scope.value, next) && socket) return;
    stop();
    scope.value = next;
    connection.value = 'connecting';
    const mine: PollSocket = io(`${options.url ?? ''}/polls`, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    socket = mine;
    const current = () => socket === mine;
    mine.on('connect', () => current() && void join(mine));
    mine.on('disconnect', (reason) => {
      if (!current() || reason === 'io client disconnect') return;
      connection.value = 'reconnecting';
      if (reason === 'io server disconnect') reconnectTimer = setTimeout(() => current() && mine.connect(), 1_000);
    });
    mine.on('connect_error', (error) => {
      if (!current()) return;
      if (error.message === 'Invalid namespace') {
        joinError.value = { code: 'unavailable', detail: 'This server does not run polls.' };
        connection.value = 'failed';
        mine.disconnect();
      } else if (connection.value !== 'connecting') connection.value = 'reconnecting';
    });
    mine.on('poll', (event) => current() && event.scopeKey === scopeKey && merge(event.poll));
    mine.on('results', (event) => {
      if (!current() || event.scopeKey !== scopeKey) return;
      polls.value = polls.value.map((p) =>
        p.id === event.pollId ? { ...p, results: newer(p.results, event.results) } : p,
      );
    });
    mine.on('poll-removed', (event) => {
      if (current() && event.scopeKey === scopeKey) polls.value = polls.value.filter((p) => p.id !== event.pollId);
    });
  }

  /** Joins (again, after a reconnect): the list replaces what was shown, so nothing is missed. */
  function join(mine: PollSocket): Promise<void> {
    const wanted = scope.value;
    if (!wanted) return Promise.resolve();
    return new Promise((resolve) => {
      mine
        .timeout(ACK_TIMEOUT_MS)
        .emit('join', { scope: wanted }, (error: Error | null, reply?: PollAck<PollJoinResult>) => {
          resolve();
          if (socket !== mine || scope.value !== wanted) return;
          if (error || !reply) {
            joinError.value = { code: 'timeout', detail: 'The polls server did not answer.' };
            connection.value = 'reconnecting';
            return;
          }
          if (!reply.ok) {
            joinError.value = { code: reply.error.code, detail: reply.error.detail };
            connection.value = 'failed';
            return;
          }
          scopeKey = reply.scopeKey;
          polls.value = reply.polls;
          canRun.value = reply.canRun;
          joinError.value = null;
          connection.value = 'live';
        });
    });
  }

  function stop(): void {
    clearTimeout(reconnectTimer);
    if (socket) {
      if (socket.connected && scope.value) socket.emit('leave', { scope: scope.value }, () => undefined);
      socket.removeAllListeners();
      socket.disconnect();
      socket = null;
    }
    scope.value = null;
    scopeKey = null;
    polls.value = [];
    canRun.value = false;
    connection.value = 'idle';
    joinError.value = null;
  }

  /** A poll as the server now has it; this reader's own vote is kept (broadcasts don't carry it). */
  function merge(update: PollUpdate | Poll): void {
    const existing = polls.value.find((p) => p.id === update.id);
    const myChoices = 'myChoices' in update ? update.myChoices : (existing?.myChoices ?? null);
    // An open poll's counts only grow newer; a vote's answer carries none (they come by 'results'),
    // and whether they are hidden is fixed at launch, so a null there keeps what is shown.
    const results =
      update.state === 'open' && existing
        ? update.results
          ? newer(existing.results, update.results)
          : existing.results
        : update.results;
    const poll: Poll = { ...update, results, myChoices };
    polls.value = existing
      ? polls.value.map((p) => (p.id === poll.id ? poll : p))
      : [poll, ...polls.value].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Votes (or changes the vote); throws a PollProblem when refused. */
  async function vote(pollId: string, choices: number[]): Promise<void> {
    if (!socket?.connected || connection.value !== 'live')
      throw { code: 'disconnected', detail: 'Not connected: try again in a moment.' } satisfies PollProblem;
    let reply: PollAck<{ poll: Poll }>;
    try {
      reply = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('vote', { pollId, choices });
    } catch {
      throw { code: 'timeout', detail: 'The server did not answer: try again.' } satisfies PollProblem;
    }
    if (!reply.ok) throw { code: reply.error.code, detail: reply.error.detail } satisfies PollProblem;
    merge(reply.poll);
  }

  async function create(draft: PollDraft): Promise<Poll> {
    const poll = await sendJson<Poll>('POST', scopeBase(requireScope()), draft);
    merge(poll);
    return poll;
  }

  async function edit(pollId: string, draft: PollDraft): Promise<void> {
    merge(await sendJson<Poll>('PATCH', `/api/v1/polls/${encodeURIComponent(pollId)}`, draft));
  }

  async function remove(pollId: string): Promise<void> {
    await sendJson('DELETE', `/api/v1/polls/${encodeURIComponent(pollId)}`);
    polls.value = polls.value.filter((p) => p.id !== pollId);
  }

  async function launch(pollId: string): Promise<void> {
    merge(await sendJson<Poll>('POST', `/api/v1/polls/${encodeURIComponent(pollId)}/launch`));
  }

  async function closePoll(pollId: string): Promise<void> {
    merge(await sendJson<Poll>('POST', `/api/v1/polls/${encodeURIComponent(pollId)}/close`));
  }

  const csvUrl = computed(() => (scope.value ? `${scopeBase(scope.value)}/results.csv` : null));

  function requireScope(): PollScope {
    if (!scope.value) throw new Error('No polls scope is open.');
    return scope.value;
  }

  return {
    scope,
    polls,
    canRun,
    connection,
    joinError,
    open,
    drafts,
    closed,
    csvUrl,
    start,
    stop,
    vote,
    create,
    edit,
    remove,
    launch,
    closePoll,
  };
});
