import { createPinia, setActivePinia } from 'pinia';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tests/support/wait.ts';
import { usePollsStore, type Poll } from './polls.ts';

// The store against a real socket.io server on loopback that speaks the /polls protocol: a
// stand-in for the platform's polls, small enough to steer each case from the test.

const KEY = 'webinar:w1';

function poll(id: string, change: Partial<Poll> = {}): Poll {
  return {
    id,
    question: `Question ${id}?`,
    options: ['Yes', 'No'],
    multipleChoice: false,
    resultsVisibility: 'live',
    durationSeconds: null,
    state: 'open',
    openedAt: '2026-12-08T10:00:00.000Z',
    closesAt: null,
    closedAt: null,
    createdAt: `2026-12-08T10:00:0${id.length}.000Z`,
    results: { counts: [0, 0], voters: 0, countedAt: 1000 },
    myChoices: null,
    ...change,
  };
}

class PollServer {
  readonly io: Server;
  polls: Poll[] = [];
  votes: { pollId: string; choices: number[] }[] = [];

  constructor(readonly http: HttpServer) {
    this.io = new Server(http);
    this.io.of('/polls').on('connection', (socket: ServerSocket) => {
      socket.on('join', (_data: unknown, ack: (reply: unknown) => void) => {
        void socket.join(KEY);
        ack({ ok: true, scopeKey: KEY, polls: this.polls, canRun: false });
      });
      socket.on('vote', (data: { pollId: string; choices: number[] }, ack: (reply: unknown) => void) => {
        if (data.choices.length > 1)
          return ack({ ok: false, error: { status: 400, code: 'poll_single_choice', detail: 'One choice.' } });
        this.votes.push(data);
        const voted = this.polls.find((p) => p.id === data.pollId)!;
        ack({ ok: true, poll: { ...voted, myChoices: data.choices } });
      });
    });
  }

  emit(event: string, data: unknown): void {
    this.io.of('/polls').to(KEY).emit(event, data);
  }

  close(): Promise<void> {
    return new Promise((resolve) => void this.io.close(() => resolve()));
  }
}

describe('usePollsStore', () => {
  let server: PollServer;
  let url: string;

  beforeEach(async () => {
    setActivePinia(createPinia());
    const http = createServer();
    server = new PollServer(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    usePollsStore().stop();
    await server.close();
  });

  async function joined() {
    const polls = usePollsStore();
    polls.start({ kind: 'webinar', webinarId: 'w1' }, { url });
    await waitFor(() => polls.connection === 'live', { what: 'the polls to join' });
    return polls;
  }

  it('votes, keeps its own vote through broadcasts, and takes counts only when newer', async () => {
    server.polls = [poll('a')];
    const polls = await joined();
    await polls.vote('a', [1]);
    expect(polls.polls[0]!.myChoices).toEqual([1]);

    server.emit('results', { scopeKey: KEY, pollId: 'a', results: { counts: [0, 3], voters: 3, countedAt: 3000 } });
    // Counts from another process that were taken earlier arrive late: they don't undo newer ones.
    server.emit('results', { scopeKey: KEY, pollId: 'a', results: { counts: [0, 1], voters: 1, countedAt: 2000 } });
    server.emit('results', {
      scopeKey: 'webinar:other',
      pollId: 'a',
      results: { counts: [9, 9], voters: 9, countedAt: 9 },
    });
    const { myChoices: _mine, ...update } = poll('a', {
      state: 'closed',
      results: { counts: [0, 3], voters: 3, countedAt: 3000 },
    });
    server.emit('poll', { scopeKey: KEY, poll: update });
    await waitFor(() => polls.polls[0]!.state === 'closed', { what: 'the close' });
    expect(polls.polls[0]).toMatchObject({ myChoices: [1], results: { counts: [0, 3], voters: 3 } });
  });

  it('adds launched polls newest first and forgets removed drafts', async () => {
    server.polls = [poll('a')];
    const polls = await joined();
    const { myChoices: _mine, ...launched } = poll('bb', { results: null });
    server.emit('poll', { scopeKey: KEY, poll: launched });
    await waitFor(() => polls.polls.length === 2, { what: 'the new poll' });
    expect(polls.polls.map((p) => p.id)).toEqual(['bb', 'a']);
    server.emit('poll-removed', { scopeKey: KEY, pollId: 'bb' });
    await waitFor(() => polls.polls.length === 1, { what: 'the removal' });
  });

  it('throws the server’s refusal with its code', async () => {
    server.polls = [poll('a')];
    const polls = await joined();
    await expect(polls.vote('a', [0, 1])).rejects.toEqual({ code: 'poll_single_choice', detail: 'One choice.' });
    expect(server.votes).toEqual([]);
  });
});
