// Helpers of the chat integration tests (chat*.test.ts, moderation*.test.ts): a real socket.io
// client of the /chat namespace that keeps every server event in arrival order, and a channel
// owned by a user signed up through the API.
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { runAdminCommand } from '../../api/admin/commands.ts';
import {
  CHAT_NAMESPACE,
  type ChatAck,
  type ChatClientEvents,
  type ChatMessage,
  type ChatServerEvents,
  type JoinResult,
} from '../../common/protocol/chat.ts';
import type { Platform } from '../../platform.ts';
import { signUp, type TestUser } from './api-client.ts';
import { waitFor } from './wait.ts';

export interface ChatEvent {
  event: keyof ChatServerEvents;
  data: any;
}

export class ChatTestClient {
  /** Every server event, oldest first. */
  readonly events: ChatEvent[] = [];
  readonly #socket: Socket<ChatServerEvents, ChatClientEvents>;

  /**
   * Connects as a browser page of `origin` would, sending `cookie` (a signed-in user's session)
   * with the handshake. Without a cookie the client is anonymous.
   */
  static async connect(
    baseUrl: string,
    { cookie, origin = baseUrl }: { cookie?: string | undefined; origin?: string } = {},
  ): Promise<ChatTestClient> {
    const socket: Socket<ChatServerEvents, ChatClientEvents> = io(`${baseUrl}${CHAT_NAMESPACE}`, {
      forceNew: true,
      transports: ['websocket'],
      reconnection: false,
      timeout: 10_000,
      extraHeaders: { origin, ...(cookie ? { cookie } : {}) },
    });
    const client = new ChatTestClient(socket);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    } catch (error) {
      socket.disconnect();
      throw error;
    }
    return client;
  }

  private constructor(socket: Socket<ChatServerEvents, ChatClientEvents>) {
    this.#socket = socket;
    socket.onAny((event: keyof ChatServerEvents, data: unknown) => this.events.push({ event, data }));
  }

  get connected(): boolean {
    return this.#socket.connected;
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

  /** Any event with any arguments (malformed payloads included), answered through the ack. */
  emit(event: string, ...args: unknown[]): Promise<any> {
    return (this.#socket as unknown as Socket).timeout(10_000).emitWithAck(event, ...args);
  }

  /** Waits for a server event matching `match`, already received or to come. */
  waitForEvent<E extends keyof ChatServerEvents>(
    event: E,
    match: (data: Parameters<ChatServerEvents[E]>[0]) => boolean = () => true,
    timeoutMs = 10_000,
  ) {
    return waitFor(
      () =>
        this.events.find((e) => e.event === event && match(e.data))?.data as
          Parameters<ChatServerEvents[E]>[0] | undefined,
      {
        timeoutMs,
        intervalMs: 20,
        what: `chat event '${event}'`,
      },
    );
  }

  messagesReceived(): ChatMessage[] {
    return this.events.filter((e) => e.event === 'message').map((e) => e.data as ChatMessage);
  }

  close(): void {
    this.#socket.disconnect();
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
