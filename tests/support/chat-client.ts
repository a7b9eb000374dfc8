// Helpers of the chat integration tests (chat*.test.ts, moderation*.test.ts): a real socket.io
// client of the /chat namespace that keeps every server event in arrival order, and a channel
// owned by a user signed up through the API.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { openSocket, SocketTestClient, type ConnectOptions, type ReceivedEvent } from './socket-test-client.ts';
import { runAdminCommand } from '../../api/admin/commands.ts';
import {
  CHAT_NAMESPACE,
  type ChatAck,
  type ChatMessage,
  type ChatServerEvents,
  type JoinResult,
} from '../../common/protocol/chat.ts';
import type { Platform } from '../../platform.ts';
import { signUp, type TestUser } from './api-client.ts';

export type ChatEvent = ReceivedEvent<ChatServerEvents>;

export class ChatTestClient extends SocketTestClient<ChatServerEvents> {
  /** Connects as a page of `origin` would, sending `cookie` (a session) with the handshake. */
  static connect(baseUrl: string, options: ConnectOptions = {}): Promise<ChatTestClient> {
    return new ChatTestClient(openSocket(baseUrl, CHAT_NAMESPACE, options)).ready();
  }

  private constructor(socket: Socket) {
    super(socket, 'chat');
  }

  join(channel: string): Promise<ChatAck<JoinResult>> {
    return this.emit('join', { channel }) as Promise<ChatAck<JoinResult>>;
  }

  /** Joins and fails the test unless the server accepted. */
  async joined(channel: string): Promise<JoinResult> {
    const reply = await this.join(channel);
    if (!reply.ok) throw new Error(`join ${channel} refused: ${JSON.stringify(reply.error)}`);
    return reply;
  }

  leave(channel: string): Promise<ChatAck> {
    return this.emit('leave', { channel }) as Promise<ChatAck>;
  }

  send(channel: string, body: string): Promise<ChatAck<{ message: ChatMessage }>> {
    return this.emit('send', { channel, body }) as Promise<ChatAck<{ message: ChatMessage }>>;
  }

  messagesReceived(): ChatMessage[] {
    return this.events.filter((e) => e.event === 'message').map((e) => e.data as ChatMessage);
  }
}

export interface ChatChannelFixture {
  slug: string;
  id: string;
  owner: TestUser;
}

/** A user signed up through the API and a channel of theirs (made with the operator command). */
export async function chatChannel(platform: Platform, prefix = 'chat'): Promise<ChatChannelFixture> {
  const owner = await signUp(platform.url, 'owner');
  const slug = `${prefix}-${randomBytes(4).toString('hex')}`;
  const created = (await runAdminCommand(
    { prisma: platform.database!.prisma, publicUrl: platform.url },
    { command: 'channel.create', owner: owner.email, slug },
  )) as { id: string };
  return { slug, id: created.id, owner };
}

/** Makes the user a moderator of the channel (as the moderators API does). */
export async function makeModerator(platform: Platform, channelId: string, userId: string): Promise<void> {
  await platform.database!.prisma.channelModerator.create({ data: { channelId, userId } });
}
