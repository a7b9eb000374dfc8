import { createPinia, setActivePinia } from 'pinia';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tests/support/wait.ts';
import { KEEP_MESSAGES, useChatStore, type ChatMessage, type ChatSettings } from './chat.ts';

// The store against a real socket.io server on loopback that speaks the /chat protocol of the
// contract: a stand-in for the platform's chat, small enough to steer each case from the test.

function message(id: string, body = `message ${id}`): ChatMessage {
  return {
    id,
    channel: 'ada',
    body,
    createdAt: new Date().toISOString(),
    user: { id: 'u-bob', username: 'bob', name: 'Bob' },
    badges: [],
  };
}

interface SendRequest {
  channel: string;
  body: string;
}

class ChatServer {
  readonly io: Server;
  history: ChatMessage[] = [];
  settings: ChatSettings = { slowModeSeconds: 0, followersOnly: false, subscribersOnly: false };
  joins = 0;
  /** How the next `send` is answered; by default the message is accepted and broadcast. */
  onSend: (request: SendRequest) => { ok: true; message: ChatMessage } | { ok: false; error: Record<string, unknown> } =
    (request) => {
      const sent = { ...message(`m${Date.now()}`, request.body), user: { id: 'u-me', username: 'me', name: 'Me' } };
      this.io.of('/chat').to(request.channel).emit('message', sent);
      return { ok: true, message: sent };
    };

  constructor(readonly http: HttpServer) {
    this.io = new Server(http);
    this.io.of('/chat').on('connection', (socket: ServerSocket) => {
      socket.on('join', (data: { channel: string }, ack: (reply: unknown) => void) => {
        this.joins++;
        if (data.channel === 'missing')
          return ack({ ok: false, error: { status: 404, code: 'not_found', detail: 'no such channel' } });
        void socket.join(data.channel);
        ack({
          ok: true,
          history: this.history,
          settings: this.settings,
          emotes: [{ name: 'wave', url: '/uploads/wave.png' }],
          me: { canChat: true, canModerate: false, timedOutUntil: null, banned: false },
        });
      });
      socket.on('send', (data: SendRequest, ack: (reply: unknown) => void) => ack(this.onSend(data)));
    });
  }

  emit(event: string, data: unknown): void {
    this.io.of('/chat').to('ada').emit(event, data);
  }

  close(): Promise<void> {
    return new Promise((resolve) => void this.io.close(() => resolve()));
  }
}

describe('useChatStore', () => {
  let server: ChatServer;
  let url: string;

  beforeEach(async () => {
    setActivePinia(createPinia());
    const http = createServer();
    server = new ChatServer(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    useChatStore().close();
    await server.close();
  });

  it('joins with the history, then appends live messages and drops deleted ones', async () => {
    server.history = [message('a'), message('b')];
    const chat = useChatStore();
    chat.open('ada', { url });
    await waitFor(() => chat.connection === 'live', { what: 'the chat to join' });
    expect(chat.messages.map((m) => m.id)).toEqual(['a', 'b']);
    expect(chat.emotes).toEqual([{ name: 'wave', url: '/uploads/wave.png' }]);

    server.emit('message', message('c'));
    // A message of another channel on the same socket is not this chat's.
    server.emit('message', { ...message('x'), channel: 'other' });
    await waitFor(() => chat.messages.length === 3, { what: 'the live message' });
    server.emit('message-deleted', { channel: 'ada', id: 'b' });
    await waitFor(() => chat.messages.length === 2, { what: 'the deletion' });
    expect(chat.messages.map((m) => m.id)).toEqual(['a', 'c']);
  });

  it('keeps only the newest messages', async () => {
    server.history = Array.from({ length: KEEP_MESSAGES }, (_, i) => message(`h${i}`));
    const chat = useChatStore();
    chat.open('ada', { url });
    await waitFor(() => chat.connection === 'live', { what: 'the chat to join' });
    server.emit('message', message('new'));
    await waitFor(() => chat.messages.at(-1)?.id === 'new', { what: 'the live message' });
    expect(chat.messages).toHaveLength(KEEP_MESSAGES);
    expect(chat.messages[0]!.id).toBe('h1');
  });

  it('sends, shows its own message once, and counts slow mode down', async () => {
    server.settings = { slowModeSeconds: 30, followersOnly: false, subscribersOnly: false };
    const chat = useChatStore();
    chat.open('ada', { url });
    await waitFor(() => chat.connection === 'live', { what: 'the chat to join' });
    expect(await chat.send('  hello :wave:  ')).toBe(true);
    // The broadcast copy of our own message comes before this one (socket.io keeps the order).
    server.emit('message', message('marker'));
    await waitFor(() => chat.messages.at(-1)?.id === 'marker', { what: 'the marker message' });
    expect(chat.messages.map((m) => m.body)).toEqual(['hello :wave:', 'message marker']);
    expect(chat.cooldownUntil).toBeGreaterThan(Date.now() + 25_000);

    server.onSend = () => ({
      ok: false,
      error: { status: 429, code: 'slow_mode', detail: 'slow', retryAfterSeconds: 12 },
    });
    expect(await chat.send('again')).toBe(false);
    expect(chat.sendError?.code).toBe('slow_mode');
    expect(chat.cooldownUntil! - Date.now()).toBeLessThanOrEqual(12_000);
    expect(chat.cooldownUntil! - Date.now()).toBeGreaterThan(10_000);
  });

  it('refuses empty and over-long messages without asking the server', async () => {
    const chat = useChatStore();
    chat.open('ada', { url });
    await waitFor(() => chat.connection === 'live', { what: 'the chat to join' });
    let asked = 0;
    server.onSend = () => {
      asked++;
      return { ok: false, error: { code: 'internal' } };
    };
    expect(await chat.send('   ')).toBe(false);
    expect(chat.sendError?.code).toBe('empty');
    expect(await chat.send('x'.repeat(501))).toBe(false);
    expect(chat.sendError?.code).toBe('too_long');
    expect(asked).toBe(0);
  });

  it('learns from a refusal that it may not chat', async () => {
    const chat = useChatStore();
    chat.open('ada', { url });
    await waitFor(() => chat.connection === 'live', { what: 'the chat to join' });
    server.onSend = () => ({ ok: false, error: { status: 403, code: 'followers_only', detail: 'follow first' } });
    expect(await chat.send('hi')).toBe(false);
    expect(chat.me).toMatchObject({ canChat: false, reason: 'followers_only' });
  });

  it('follows the settings the server pushes', async () => {
    const chat = useChatStore();
    chat.open('ada', { url });
    await waitFor(() => chat.connection === 'live', { what: 'the chat to join' });
    server.emit('settings', {
      channel: 'ada',
      settings: { slowModeSeconds: 5, followersOnly: true, subscribersOnly: false },
    });
    await waitFor(() => chat.settings?.followersOnly, { what: 'the new settings' });
    expect(chat.settings?.slowModeSeconds).toBe(5);
  });

  it('reloads the history after the connection drops, without doubles', async () => {
    server.history = [message('a')];
    const chat = useChatStore();
    chat.open('ada', { url });
    await waitFor(() => chat.connection === 'live', { what: 'the chat to join' });
    server.history = [message('a'), message('b'), message('c')];
    // Cut the transport under the socket, as a network drop does.
    for (const socket of server.io.of('/chat').sockets.values()) socket.conn.close();
    await waitFor(() => chat.connection === 'reconnecting', { what: 'the drop to be seen' });
    await waitFor(() => chat.connection === 'live' && server.joins === 2, { what: 'the chat to join again' });
    expect(chat.messages.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('gives up at once on a server that runs no chat', async () => {
    const http = createServer();
    const bare = new Server(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const chat = useChatStore();
      chat.open('ada', { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` });
      await waitFor(() => chat.connection === 'failed', { what: 'the chat to give up' });
      expect(chat.joinError?.code).toBe('unavailable');
    } finally {
      await new Promise((resolve) => void bare.close(() => resolve(undefined)));
    }
  });

  it('says when the channel has no chat', async () => {
    const chat = useChatStore();
    chat.open('missing', { url });
    await waitFor(() => chat.connection === 'failed', { what: 'the join to fail' });
    expect(chat.joinError?.code).toBe('not_found');
  });
});
