import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { io, type Socket } from 'socket.io-client';
import {
  QA_ANSWER_MAX,
  QA_QUESTION_MAX,
  type QaAck,
  type QaAction,
  type QaClientEvents,
  type QaJoinResult,
  type QaMe,
  type QaQuestion,
  type QaServerEvents,
} from '../../../common/protocol/webinar-qa.ts';

// A webinar's live Q&A over the socket.io namespace /qa (common/protocol/webinar-qa.ts). The panel
// and the pinned-question overlay of the stage both hold it (open/release): one connection for a
// page, closed when the last of them goes.

export type { QaAction, QaMe, QaQuestion, QaQuestionState } from '../../../common/protocol/webinar-qa.ts';
export { QA_ANSWER_MAX, QA_QUESTION_MAX };

export type QaSort = 'top' | 'newest';
/** idle: nothing open. connecting: first connection. live: joined. reconnecting: dropped. failed: join refused. */
export type QaConnection = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'failed';

export interface QaProblem {
  code: string;
  detail?: string;
  retryAfterSeconds?: number;
}

type QaSocket = Socket<QaServerEvents, QaClientEvents>;

const ACK_TIMEOUT_MS = 10_000;

/** Most votes first (the newest of equals first); or newest first. */
export function sortQuestions(questions: readonly QaQuestion[], sort: QaSort): QaQuestion[] {
  const newest = (a: QaQuestion, b: QaQuestion) => Date.parse(b.createdAt) - Date.parse(a.createdAt);
  return [...questions].sort(sort === 'top' ? (a, b) => b.votes - a.votes || newest(a, b) : newest);
}

export const useWebinarQaStore = defineStore('webinar-qa', () => {
  const webinarId = ref<string | null>(null);
  const questions = shallowRef<QaQuestion[]>([]);
  const moderated = ref(false);
  const closed = ref(false);
  const me = ref<QaMe | null>(null);
  const myVotes = ref(new Set<string>());
  const mine = ref(new Set<string>());
  const connection = ref<QaConnection>('idle');
  const joinError = ref<QaProblem | null>(null);
  /** Why the last ask, vote or moderation was refused; cleared by the next that succeeds. */
  const actionError = ref<QaProblem | null>(null);
  const sort = ref<QaSort>('top');
  let socket: QaSocket | null = null;
  let holders = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  const isHost = computed(() => me.value?.isHost ?? false);
  const canAsk = computed(() => (me.value?.canAsk ?? false) && !closed.value);
  const pinned = computed(() => questions.value.find((q) => q.pinned) ?? null);
  const sorted = computed(() => sortQuestions(questions.value, sort.value));
  const byState = (state: QaQuestion['state']) => computed(() => sorted.value.filter((q) => q.state === state));
  const pending = byState('pending');
  const open = byState('approved');
  const answered = byState('answered');
  const dismissed = byState('dismissed');

  /** Holds the Q&A of `id` open (joining it, or switching to it); pair each call with release(). */
  function hold(id: string, options: { url?: string } = {}): void {
    holders += 1;
    if (webinarId.value === id && socket) return;
    disconnect();
    webinarId.value = id;
    connection.value = 'connecting';
    const current: QaSocket = io(`${options.url ?? ''}/qa`, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    socket = current;
    const isCurrent = () => socket === current;
    current.on('connect', () => isCurrent() && void join(current));
    current.on('disconnect', (reason) => {
      if (!isCurrent() || reason === 'io client disconnect') return;
      connection.value = 'reconnecting';
      // socket.io does not retry after the server closed the socket on purpose (a restart).
      if (reason === 'io server disconnect') reconnectTimer = setTimeout(() => isCurrent() && current.connect(), 1_000);
    });
    current.on('connect_error', (error) => {
      if (!isCurrent()) return;
      if (error.message === 'Invalid namespace') {
        joinError.value = { code: 'unavailable', detail: 'This server does not run the Q&A.' };
        connection.value = 'failed';
        current.disconnect();
      } else if (connection.value !== 'connecting') connection.value = 'reconnecting';
    });
    current.on('question', (question) => isCurrent() && question.webinarId === webinarId.value && upsert(question));
    current.on('question-removed', (event) => {
      if (isCurrent() && event.webinarId === webinarId.value) forget(event.id);
    });
    current.on('votes', (event) => {
      if (!isCurrent() || event.webinarId !== webinarId.value) return;
      const known = questions.value.find((q) => q.id === event.id);
      if (known) upsert({ ...known, votes: event.votes });
    });
    // Who we are to the webinar changed (a co-host removed, access taken back, the webinar ended).
    current.on('rejoin', (event) => {
      if (isCurrent() && event.webinarId === webinarId.value) void join(current);
    });
    current.on('settings', (event) => {
      if (isCurrent() && event.webinarId === webinarId.value) moderated.value = event.moderated;
    });
  }

  /** Lets go of what hold() took; the last holder closes the connection. */
  function release(): void {
    holders = Math.max(0, holders - 1);
    if (holders === 0) disconnect();
  }

  /** Joins (again, after a reconnect): the list replaces what was shown, so nothing is missed or doubled. */
  function join(current: QaSocket): Promise<void> {
    const id = webinarId.value;
    if (!id) return Promise.resolve();
    return new Promise((resolve) => {
      current
        .timeout(ACK_TIMEOUT_MS)
        .emit('join', { webinarId: id }, (error: Error | null, reply?: QaAck<QaJoinResult>) => {
          resolve();
          if (socket !== current || webinarId.value !== id) return;
          if (error || !reply) {
            joinError.value = { code: 'timeout', detail: 'The Q&A server did not answer.' };
            connection.value = 'reconnecting';
            return;
          }
          if (!reply.ok) {
            // Refused (perhaps on joining again after access was taken back): nothing stays shown.
            joinError.value = problemOf(reply.error);
            connection.value = 'failed';
            questions.value = [];
            me.value = null;
            return;
          }
          questions.value = reply.questions;
          moderated.value = reply.moderated;
          closed.value = reply.closed;
          me.value = reply.me;
          myVotes.value = new Set(reply.myVotes);
          mine.value = new Set(reply.mine);
          joinError.value = null;
          connection.value = 'live';
        });
    });
  }

  /** Joins again, to read a state the page learned otherwise (the webinar ended). */
  async function refresh(): Promise<void> {
    if (socket?.connected) await join(socket);
  }

  function disconnect(): void {
    clearTimeout(reconnectTimer);
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
      socket = null;
    }
    webinarId.value = null;
    questions.value = [];
    moderated.value = false;
    closed.value = false;
    me.value = null;
    myVotes.value = new Set();
    mine.value = new Set();
    connection.value = 'idle';
    joinError.value = null;
    actionError.value = null;
  }

  function upsert(question: QaQuestion): void {
    const index = questions.value.findIndex((q) => q.id === question.id);
    const next = [...questions.value];
    if (index === -1) next.push(question);
    else next[index] = question;
    // One pin at a time, even if the event that took the other one down comes later.
    questions.value = question.pinned
      ? next.map((q) => (q.pinned && q.id !== question.id ? { ...q, pinned: false } : q))
      : next;
  }

  function forget(id: string): void {
    if (questions.value.some((q) => q.id === id)) questions.value = questions.value.filter((q) => q.id !== id);
  }

  /** Emits an event and answers its ack; a refusal or no answer lands in actionError. */
  async function request<T extends object>(
    send: (current: QaSocket) => Promise<QaAck<T>>,
  ): Promise<({ ok: true } & T) | null> {
    const current = socket;
    if (!current?.connected || connection.value !== 'live') {
      actionError.value = { code: 'disconnected', detail: 'Not connected to the Q&A; trying again…' };
      return null;
    }
    try {
      const reply = await send(current);
      if (!reply.ok) {
        actionError.value = problemOf(reply.error);
        // Nothing pushes the webinar's end: the first refusal that says so closes the Q&A here.
        if (reply.error.code === 'webinar_ended') closed.value = true;
        return null;
      }
      actionError.value = null;
      return socket === current ? reply : null;
    } catch {
      actionError.value = { code: 'timeout', detail: 'The Q&A server did not answer.' };
      return null;
    }
  }

  /** Asks a question; true when the server took it. */
  async function ask(text: string, anonymous: boolean): Promise<boolean> {
    const body = text.trim();
    if (!body) return ((actionError.value = { code: 'empty', detail: 'Type your question first.' }), false);
    if ([...body].length > QA_QUESTION_MAX)
      return ((actionError.value = { code: 'too_long', detail: `At most ${QA_QUESTION_MAX} characters.` }), false);
    const reply = await request((s) => s.timeout(ACK_TIMEOUT_MS).emitWithAck('ask', { body, anonymous }));
    if (!reply) return false;
    mine.value = new Set([...mine.value, reply.question.id]);
    upsert(reply.question);
    return true;
  }

  /** Upvotes, or takes the vote back. */
  async function toggleVote(questionId: string): Promise<void> {
    const voted = myVotes.value.has(questionId);
    const reply = await request((s) =>
      s.timeout(ACK_TIMEOUT_MS).emitWithAck(voted ? 'unvote' : 'vote', { questionId }),
    );
    if (!reply) return;
    const next = new Set(myVotes.value);
    if (voted) next.delete(questionId);
    else next.add(questionId);
    myVotes.value = next;
    const known = questions.value.find((q) => q.id === questionId);
    if (known) upsert({ ...known, votes: reply.votes });
  }

  /** A host's action on a question; `answer` is the typed answer for 'answer' (blank: answered live). */
  async function moderate(questionId: string, action: QaAction, answer?: string): Promise<boolean> {
    const reply = await request((s) =>
      s
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('moderate', { questionId, action, ...(answer?.trim() ? { answer: answer.trim() } : {}) }),
    );
    if (!reply) return false;
    if (reply.question) upsert(reply.question);
    else forget(questionId);
    return true;
  }

  async function setModeration(on: boolean): Promise<void> {
    const reply = await request((s) => s.timeout(ACK_TIMEOUT_MS).emitWithAck('set-moderation', { moderated: on }));
    if (reply) moderated.value = reply.moderated;
  }

  function clearActionError(): void {
    actionError.value = null;
  }

  return {
    webinarId,
    questions,
    moderated,
    closed,
    me,
    myVotes,
    mine,
    connection,
    joinError,
    actionError,
    sort,
    isHost,
    canAsk,
    pinned,
    sorted,
    pending,
    open,
    answered,
    dismissed,
    hold,
    release,
    refresh,
    ask,
    toggleVote,
    moderate,
    setModeration,
    clearActionError,
  };
});

function problemOf(problem: { code: string; detail?: string; [key: string]: unknown }): QaProblem {
  const retry = problem.retryAfterSeconds;
  return {
    code: problem.code,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(typeof retry === 'number' ? { retryAfterSeconds: retry } : {}),
  };
}
