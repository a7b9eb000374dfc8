import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { io, type Socket } from 'socket.io-client';
import { sendJson } from '../lib/api.ts';
import type { Emote } from '../lib/chat-text.ts';
import { useSessionStore } from './session.ts';
import type {
  ChatAck,
  ChatClientEvents,
  ChatMe,
  ChatRefusalCode,
  ChatMessage,
  ChatServerEvents,
  ChatSettings,
  JoinResult,
} from '../../../common/protocol/chat.ts';

// The chat of the channel being watched, over the socket.io namespace /chat (contract: Chat).

export type { ChatBadge, ChatMe, ChatMessage, ChatSettings, ChatUser } from '../../../common/protocol/chat.ts';

/** A refusal: the server's problem (its stable code, maybe retryAfterSeconds), or one of the page's own. */
export interface ChatProblem {
  status?: number;
  code: string;
  detail?: string;
  retryAfterSeconds?: number;
}

type ChatSocket = Socket<ChatServerEvents, ChatClientEvents>;

/** idle: no channel. connecting: first connection. live: joined. reconnecting: dropped, retrying. failed: join refused. */
export type ChatConnection = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'failed';

export const MAX_MESSAGE_LENGTH = 500;
/** Messages kept on screen; older ones scroll away for good. */
export const KEEP_MESSAGES = 200;
export const TIMEOUT_SECONDS = 600;
const ACK_TIMEOUT_MS = 10_000;
/** Refusals that are about who the reader is here, not about one message. */
const STANDING_CODES: readonly ChatRefusalCode[] = [
  'banned',
  'timed_out',
  'followers_only',
  'subscribers_only',
  'unauthorized',
];

export interface ChatOpenOptions {
  /** The server's origin; the page's own by default. */
  url?: string;
}

export const useChatStore = defineStore('chat', () => {
  const session = useSessionStore();
  const channel = ref<string | null>(null);
  const messages = shallowRef<ChatMessage[]>([]);
  const settings = ref<ChatSettings | null>(null);
  const emotes = shallowRef<Emote[]>([]);
  const me = ref<ChatMe | null>(null);
  const connection = ref<ChatConnection>('idle');
  /** Why joining failed (connection 'failed'), or why the last attempt did. */
  const joinError = ref<ChatProblem | null>(null);
  /** Why the last message was refused; cleared by the next successful send. */
  const sendError = ref<ChatProblem | null>(null);
  /** Until when (epoch ms) slow mode holds the next message back. */
  const cooldownUntil = ref<number | null>(null);
  const sending = ref(false);
  let socket: ChatSocket | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  const canModerate = computed(() => me.value?.canModerate ?? false);

  function open(slug: string, options: ChatOpenOptions = {}): void {
    if (channel.value === slug && socket) return;
    close();
    channel.value = slug;
    connection.value = 'connecting';
    const mine: ChatSocket = io(`${options.url ?? ''}/chat`, {
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
      // socket.io does not retry after the server closed the socket on purpose (a restart).
      if (reason === 'io server disconnect') reconnectTimer = setTimeout(() => current() && mine.connect(), 1_000);
    });
    mine.on('connect_error', (error) => {
      if (!current()) return;
      if (error.message === 'Invalid namespace') {
        // The server runs without chat: retrying can't help.
        joinError.value = { code: 'unavailable', detail: 'This server does not run chat.' };
        connection.value = 'failed';
        mine.disconnect();
      } else if (connection.value !== 'connecting') connection.value = 'reconnecting';
    });
    mine.on('message', (message) => {
      if (!current() || message.channel !== channel.value || messages.value.some((m) => m.id === message.id)) return;
      messages.value = [...messages.value, message].slice(-KEEP_MESSAGES);
    });
    mine.on('message-deleted', (event) => current() && event.channel === channel.value && forget(event.id));
    mine.on('settings', (event) => {
      if (current() && event.channel === channel.value) settings.value = { ...settings.value, ...event.settings };
    });
    mine.on(
      'user-banned',
      (event) => current() && event.channel === channel.value && restrictMe(event.userId, 'banned', event.expiresAt),
    );
    mine.on(
      'user-timed-out',
      (event) => current() && event.channel === channel.value && restrictMe(event.userId, 'timed_out', event.expiresAt),
    );
    mine.on('user-unbanned', (event) => {
      if (current() && event.channel === channel.value && event.userId === session.user?.id) void join(mine);
    });
  }

  /** Joins (again, after a reconnect): the history replaces what was shown, so nothing is missed or doubled. */
  function join(mine: ChatSocket): Promise<void> {
    const slug = channel.value;
    if (!slug) return Promise.resolve();
    return new Promise((resolve) => {
      mine
        .timeout(ACK_TIMEOUT_MS)
        .emit('join', { channel: slug }, (error: Error | null, reply?: ChatAck<JoinResult>) => {
          resolve();
          if (socket !== mine || channel.value !== slug) return;
          if (error || !reply) {
            joinError.value = { code: 'timeout', detail: 'The chat server did not answer.' };
            connection.value = 'reconnecting';
            return;
          }
          if (!reply.ok) {
            joinError.value = problemOf(reply.error);
            connection.value = 'failed';
            return;
          }
          messages.value = reply.history.slice(-KEEP_MESSAGES);
          settings.value = reply.settings;
          emotes.value = reply.emotes;
          me.value = reply.me;
          joinError.value = null;
          connection.value = 'live';
        });
    });
  }

  /** Asks again what this reader may do (after following, say). */
  async function refreshMe(): Promise<void> {
    if (socket?.connected) await join(socket);
  }

  function close(): void {
    clearTimeout(reconnectTimer);
    if (socket) {
      if (socket.connected && channel.value) socket.emit('leave', { channel: channel.value });
      socket.removeAllListeners();
      socket.disconnect();
      socket = null;
    }
    channel.value = null;
    messages.value = [];
    settings.value = null;
    emotes.value = [];
    me.value = null;
    connection.value = 'idle';
    joinError.value = null;
    sendError.value = null;
    cooldownUntil.value = null;
    sending.value = false;
  }

  /** Sends a message; true when the server took it. Refusals land in sendError. */
  async function send(text: string): Promise<boolean> {
    const body = text.trim();
    const slug = channel.value;
    if (!body) return refuse({ code: 'empty' });
    if (body.length > MAX_MESSAGE_LENGTH) return refuse({ code: 'too_long' });
    if (!slug || !socket?.connected || connection.value !== 'live') return refuse({ code: 'disconnected' });
    const mine = socket;
    sending.value = true;
    try {
      const reply = await mine.timeout(ACK_TIMEOUT_MS).emitWithAck('send', { channel: slug, body });
      if (!reply.ok) return refuse(problemOf(reply.error));
      sendError.value = null;
      // The server would refuse the next one before the slow-mode delay anyway: count it down here.
      const slow = settings.value?.slowModeSeconds ?? 0;
      cooldownUntil.value = slow > 0 && !canModerate.value ? Date.now() + slow * 1000 : null;
      const message = reply.message;
      if (socket === mine && !messages.value.some((m) => m.id === message.id)) {
        messages.value = [...messages.value, message].slice(-KEEP_MESSAGES);
      }
      return true;
    } catch {
      return refuse({ code: 'timeout' });
    } finally {
      sending.value = false;
    }
  }

  function refuse(problem: ChatProblem): false {
    sendError.value = problem;
    if (problem.code === 'slow_mode' && problem.retryAfterSeconds)
      cooldownUntil.value = Date.now() + problem.retryAfterSeconds * 1000;
    // The refusal tells something the join did not know yet (the chat became followers-only...).
    const code = problem.code as ChatRefusalCode;
    if (me.value && STANDING_CODES.includes(code)) {
      me.value = { ...me.value, canChat: false, reason: code, banned: me.value.banned || code === 'banned' };
    }
    return false;
  }

  function clearSendError(): void {
    sendError.value = null;
  }

  function forget(id: string): void {
    if (messages.value.some((m) => m.id === id)) messages.value = messages.value.filter((m) => m.id !== id);
  }

  function restrictMe(userId: string, why: 'banned' | 'timed_out', expiresAt: string | null): void {
    if (!me.value || userId !== session.user?.id) return;
    me.value =
      why === 'banned' && expiresAt === null
        ? { ...me.value, canChat: false, reason: 'banned', banned: true }
        : { ...me.value, canChat: false, reason: 'timed_out', timedOutUntil: expiresAt };
  }

  function problemOf(problem: { code: string; status?: number; detail?: string; [key: string]: unknown }): ChatProblem {
    const retry = problem.retryAfterSeconds;
    return {
      code: problem.code,
      status: problem.status,
      detail: problem.detail,
      ...(typeof retry === 'number' ? { retryAfterSeconds: retry } : {}),
    };
  }

  function chatUrl(path: string): string {
    return `/api/v1/channels/${encodeURIComponent(channel.value ?? '')}/chat/${path}`;
  }

  /** Moderator tool: removes a message for everyone. */
  async function deleteMessage(id: string): Promise<void> {
    await sendJson('DELETE', chatUrl(`messages/${encodeURIComponent(id)}`));
    forget(id);
  }

  /** Moderator tool: a timeout (durationSeconds) or, without it, a ban. */
  async function restrict(
    username: string,
    durationSeconds?: number,
  ): Promise<{ userId: string; expiresAt: string | null }> {
    return sendJson('POST', chatUrl('bans'), durationSeconds ? { username, durationSeconds } : { username });
  }

  return {
    channel,
    messages,
    settings,
    emotes,
    me,
    connection,
    joinError,
    sendError,
    cooldownUntil,
    sending,
    canModerate,
    open,
    close,
    refreshMe,
    send,
    clearSendError,
    deleteMessage,
    timeOut: (username: string) => restrict(username, TIMEOUT_SECONDS),
    ban: (username: string) => restrict(username),
  };
});
