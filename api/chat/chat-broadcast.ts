// Everything the server pushes to chat rooms, from the socket handlers and from REST routes alike.
// It goes through the namespace of the shared socket.io server: with REDIS_URL that server uses the
// Redis adapter, so an emit here reaches the room's clients in every process.
import type { Namespace, Server as SocketServer } from 'socket.io';
import {
  CHAT_NAMESPACE,
  type ChatClientEvents,
  type ChatMessage,
  type ChatServerEvents,
} from '../../common/protocol/chat.ts';
import { settingsOf, type ChatChannelSettings } from './chat-settings.ts';

export interface ChatSocketData {
  /** The Cookie header of the handshake, kept only when its Origin is ours (see chat-socket.ts). */
  cookieHeader: string | undefined;
  /** Channels this socket joined: slug → channel id (room names use the id, which never changes). */
  joined: Map<string, string>;
}

export type ChatNamespace = Namespace<ChatClientEvents, ChatServerEvents, Record<never, never>, ChatSocketData>;

export function chatNamespace(io: SocketServer): ChatNamespace {
  return io.of(CHAT_NAMESPACE) as ChatNamespace;
}

/** Every client in the channel's chat. */
export function channelRoom(channelId: string): string {
  return `channel:${channelId}`;
}

/** The moderators among them, who get the settings with the banned words. */
export function moderatorsRoom(channelId: string): string {
  return `channel:${channelId}:moderators`;
}

interface ChannelRef {
  id: string;
  slug: string;
}

export class ChatBroadcaster {
  readonly #namespace: ChatNamespace;

  constructor(namespace: ChatNamespace) {
    this.#namespace = namespace;
  }

  message(channel: ChannelRef, message: ChatMessage): void {
    this.#namespace.to(channelRoom(channel.id)).emit('message', message);
  }

  messageDeleted(channel: ChannelRef, id: string): void {
    this.#namespace.to(channelRoom(channel.id)).emit('message-deleted', { channel: channel.slug, id });
  }

  userBanned(channel: ChannelRef, userId: string, expiresAt: Date | null): void {
    const room = this.#namespace.to(channelRoom(channel.id));
    if (expiresAt === null) room.emit('user-banned', { channel: channel.slug, userId, expiresAt: null });
    else room.emit('user-timed-out', { channel: channel.slug, userId, expiresAt: expiresAt.toISOString() });
  }

  userUnbanned(channel: ChannelRef, userId: string): void {
    this.#namespace.to(channelRoom(channel.id)).emit('user-unbanned', { channel: channel.slug, userId });
  }

  settings(channel: ChannelRef & ChatChannelSettings): void {
    const moderators = moderatorsRoom(channel.id);
    this.#namespace
      .to(channelRoom(channel.id))
      .except(moderators)
      .emit('settings', { channel: channel.slug, settings: settingsOf(channel, { forModerator: false }) });
    this.#namespace
      .to(moderators)
      .emit('settings', { channel: channel.slug, settings: settingsOf(channel, { forModerator: true }) });
  }
}
