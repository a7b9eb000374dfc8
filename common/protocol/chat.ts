// The chat protocol over socket.io (namespace /chat), as the contract states it. Types only, with
// no server imports, so the web app can import this file as it imports
// common/protocol/media-signaling.ts.
//
// Every client event takes an ack callback; the reply is `{ ok: true, ...result }` or
// `{ ok: false, error: Problem }` (the same problem+json body the REST routes answer with, with a
// stable `code`). Server events go to everyone in a channel's room, the sender included: a client
// renders messages from `message` events only and uses the `send` ack to learn about refusals.
import type { Problem } from './problem.ts';

export type { Problem };

export const CHAT_NAMESPACE = '/chat';

export type ChatBadge = 'owner' | 'moderator' | 'admin';

export interface ChatUser {
  id: string;
  username: string;
  name: string;
}

export interface ChatMessage {
  id: string;
  /** The channel's slug. */
  channel: string;
  /** Plain text: clients render it as text nodes (emotes `:name:` as <img>), never as HTML. */
  body: string;
  createdAt: string;
  user: ChatUser;
  badges: ChatBadge[];
}

export interface ChatSettings {
  slowModeSeconds: number;
  followersOnly: boolean;
  subscribersOnly: boolean;
  /** Only sent to moderators. */
  bannedWords?: string[];
}

export interface ChatEmote {
  name: string;
  url: string;
}

/** Why a message is refused: the `code` of the error in a `send` ack. */
export type ChatRefusalCode =
  | 'unauthorized'
  | 'banned'
  | 'timed_out'
  | 'slow_mode'
  | 'followers_only'
  | 'subscribers_only'
  | 'too_long'
  | 'rate_limited'
  | 'banned_word'
  | 'empty';

/** What the joining user may do in this chat, so the page can say so before they type. */
export interface ChatMe {
  canChat: boolean;
  /** Why canChat is false: unauthorized, banned, timed_out, followers_only or subscribers_only. */
  reason?: ChatRefusalCode;
  canModerate: boolean;
  timedOutUntil: string | null;
  banned: boolean;
}

export interface JoinResult {
  /** The last 50 messages that are not deleted, oldest first. */
  history: ChatMessage[];
  settings: ChatSettings;
  emotes: ChatEmote[];
  me: ChatMe;
}

export type ChatAck<T extends object = Record<never, never>> = ({ ok: true } & T) | { ok: false; error: Problem };

export interface ChannelPayload {
  /** The channel's slug. */
  channel: string;
}

export interface SendPayload extends ChannelPayload {
  /** 1 to 500 characters (Unicode code points) after trimming; no control characters. */
  body: string;
}

export interface ChatClientEvents {
  join: (payload: ChannelPayload, ack: (reply: ChatAck<JoinResult>) => void) => void;
  leave: (payload: ChannelPayload, ack?: (reply: ChatAck) => void) => void;
  send: (payload: SendPayload, ack: (reply: ChatAck<{ message: ChatMessage }>) => void) => void;
}

export interface ChatServerEvents {
  message: (message: ChatMessage) => void;
  'message-deleted': (event: { channel: string; id: string }) => void;
  'user-banned': (event: { channel: string; userId: string; expiresAt: null }) => void;
  'user-timed-out': (event: { channel: string; userId: string; expiresAt: string }) => void;
  /** Not in the first contract: lets a banned or timed-out user's page enable its input again. */
  'user-unbanned': (event: { channel: string; userId: string }) => void;
  /** Moderators' sockets get bannedWords in it; everyone else's don't. */
  settings: (event: { channel: string; settings: ChatSettings }) => void;
}
