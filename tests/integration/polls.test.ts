// Polls over real HTTP and real socket.io clients on both databases: a host prepares a draft,
// edits it and launches it; attendees vote and change their vote; counts reach everyone as
// aggregates; a timed poll closes at its stored deadline with no host connected; hidden counts
// never reach a voter before closing; a channel's moderator runs a poll on the channel stream;
// the host exports the results as CSV. Every refusal answers a stable code and changes nothing.
// With PostgreSQL and Redis, a vote cast on one process reaches a voter on another.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Poll, PollScope } from '../../common/protocol/polls.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets, postgresTarget } from '../support/databases.ts';
import { startPlatformOn, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { PollTestClient } from '../support/poll-client.ts';
import { waitFor } from '../support/wait.ts';

const draft = (change: Record<string, unknown> = {}) => ({
  question: 'Which topic next?',
  options: ['Pricing', 'Roadmap', 'Support'],
  ...change,
});

describe.each(databaseTargets())('polls on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, (started) => (platform = started));
  const sockets: PollTestClient[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  const prisma = () => platform.database!.prisma;

  async function connect(user?: TestUser): Promise<PollTestClient> {
    const socket = await PollTestClient.connect(platform.url, { cookie: user?.client.cookie });
    sockets.push(socket);
    return socket;
  }

  /** A channel of a new owner, and a webinar of it with its backstage open. */
  async function webinar() {
    const host = await signUp(platform.url, 'host');
    const slug = `polls-${randomBytes(4).toString('hex')}`;
    expect((await host.client.post('/api/v1/channels', { slug, title: 'Weekly training' })).status).toBe(201);
    const created = await host.client.post(`/api/v1/channels/${slug}/webinars`, {
      title: 'Onboarding',
      scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 60,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await host.client.post(`/api/v1/webinars/${id}/backstage`)).status).toBe(200);
    const scope: PollScope = { kind: 'webinar', webinarId: id };
    return { host, slug, id, scope, pollsPath: `/api/v1/webinars/${id}/polls` };
  }

  async function prepared(host: TestUser, pollsPath: string, change: Record<string, unknown> = {}): Promise<Poll> {
    const reply = await host.client.post(pollsPath, draft(change));
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body;
  }

  async function launched(host: TestUser, pollsPath: string, change: Record<string, unknown> = {}): Promise<Poll> {
    const poll = await prepared(host, pollsPath, change);
    const reply = await host.client.post(`/api/v1/polls/${poll.id}/launch`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  }

  /** Asserts a refusal with `status` and `code`, and that no poll or vote changed. */
  async function expectRefused(request: Promise<{ status: number; body: any }>, status: number, code: string) {
    const snapshot = async () => ({
      polls: await prisma().poll.findMany({ orderBy: { id: 'asc' } }),
      votes: await prisma().pollVote.findMany({ orderBy: [{ pollId: 'asc' }, { userId: 'asc' }] }),
    });
    const before = await snapshot();
    const reply = await request;
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    expect(reply.body.code).toBe(code);
    expect(await snapshot()).toEqual(before);
  }

  /** The same for a socket ack. */
  async function expectAckRefused(request: Promise<any>, status: number, code: string) {
    await expectRefused(
      request.then((ack) => ({ status: ack.ok ? 200 : ack.error.status, body: ack.ok ? ack : ack.error })),
      status,
      code,
    );
  }

  it('prepares a draft, edits it, launches it in one click; votes change and everyone sees the counts', async () => {
    const { host, scope, pollsPath } = await webinar();
    const [ann, bob] = [await signUp(platform.url, 'ann'), await signUp(platform.url, 'bob')];
    const poll = await prepared(host, pollsPath, { durationSeconds: null });
    expect(poll).toMatchObject({
      state: 'draft',
      multipleChoice: false,
      resultsVisibility: 'live',
      durationSeconds: null,
      results: null,
    });

    const hostSocket = await connect(host);
    const annSocket = await connect(ann);
    const bobSocket = await connect(bob);
    expect(await hostSocket.joined(scope)).toMatchObject({ canRun: true, polls: [{ id: poll.id, state: 'draft' }] });
    // A draft is the host's: attendees don't see it.
    expect(await annSocket.joined(scope)).toMatchObject({ canRun: false, polls: [] });
    await bobSocket.joined(scope);

    const edited = await host.client.patch(`/api/v1/polls/${poll.id}`, { options: ['Pricing', 'Roadmap'] });
    expect(edited.body.options).toEqual(['Pricing', 'Roadmap']);
    await hostSocket.waitForEvent('poll', (e) => e.poll.id === poll.id && e.poll.options.length === 2);

    const launch = await host.client.post(`/api/v1/polls/${poll.id}/launch`);
    expect(launch.body).toMatchObject({ state: 'open', closesAt: null, results: { counts: [0, 0], voters: 0 } });
    await annSocket.waitForEvent('poll', (e) => e.poll.id === poll.id && e.poll.state === 'open');

    const annVote = await annSocket.vote(poll.id, [0]);
    expect(annVote).toMatchObject({ ok: true, poll: { myChoices: [0] } });
    expect((await bobSocket.vote(poll.id, [1])).ok).toBe(true);
    // Ann changes her mind: her vote is replaced, not added.
    expect(await annSocket.vote(poll.id, [1])).toMatchObject({ ok: true, poll: { myChoices: [1] } });
    for (const socket of [hostSocket, annSocket, bobSocket]) {
      await socket.waitForEvent(
        'results',
        (e) => e.pollId === poll.id && e.results.voters === 2 && e.results.counts.join() === '0,2',
      );
    }
    expect(await prisma().pollVote.count({ where: { pollId: poll.id } })).toBe(2);
    // Counts, not votes: nobody hears who voted.
    expect(JSON.stringify(annSocket.events)).not.toContain(bob.id);

    const closed = await host.client.post(`/api/v1/polls/${poll.id}/close`);
    expect(closed.body).toMatchObject({ state: 'closed', results: { counts: [0, 2], voters: 2 } });
    await bobSocket.waitForEvent('poll', (e) => e.poll.state === 'closed' && e.poll.results?.counts.join() === '0,2');
    // Results are kept: read afterwards, each with the reader's own vote.
    const list = await ann.client.get(pollsPath);
    expect(list.body).toMatchObject({
      canRun: false,
      items: [{ id: poll.id, state: 'closed', results: { counts: [0, 2] }, myChoices: [1] }],
    });
  });

  it('counts a multiple-choice vote once per option and once as a voter', async () => {
    const { host, scope, pollsPath } = await webinar();
    const voter = await signUp(platform.url, 'multi');
    const poll = await launched(host, pollsPath, { multipleChoice: true });
    const socket = await connect(voter);
    await socket.joined(scope);
    expect(await socket.vote(poll.id, [2, 0])).toMatchObject({ ok: true, poll: { myChoices: [0, 2] } });
    await socket.waitForEvent('results', (e) => e.results.counts.join() === '1,0,1' && e.results.voters === 1);
  });

  it('refuses votes outside the options, after closing, twice on a single choice, or signed out', async () => {
    const { host, scope, pollsPath } = await webinar();
    const voter = await signUp(platform.url, 'voter');
    const poll = await launched(host, pollsPath);
    const socket = await connect(voter);
    await socket.joined(scope);
    expect((await socket.vote(poll.id, [0])).ok).toBe(true);

    await expectAckRefused(socket.vote(poll.id, [3]), 400, 'poll_choice_invalid');
    await expectAckRefused(socket.vote(poll.id, [-1]), 400, 'poll_choice_invalid');
    await expectAckRefused(socket.vote(poll.id, ['0']), 400, 'poll_choice_invalid');
    await expectAckRefused(socket.vote(poll.id, []), 400, 'poll_choice_empty');
    await expectAckRefused(socket.vote(poll.id, [0, 1]), 400, 'poll_single_choice');
    await expectAckRefused(socket.emit('vote', { pollId: 42 }), 400, 'bad_request');
    await expectAckRefused(socket.emit('vote', 'garbage'), 400, 'bad_request');
    await expectAckRefused(socket.vote(randomUuid(), [0]), 404, 'not_found');
    const anonymous = await connect();
    await expectAckRefused(anonymous.vote(poll.id, [1]), 401, 'unauthorized');
    await expectRefused(
      voter.client.put(`/api/v1/polls/${poll.id}/vote`, { choices: [9] }),
      400,
      'poll_choice_invalid',
    );
    // A draft is not there for a voter.
    const hidden = await prepared(host, pollsPath);
    await expectAckRefused(socket.vote(hidden.id, [0]), 404, 'not_found');

    expect((await host.client.post(`/api/v1/polls/${poll.id}/close`)).status).toBe(200);
    await expectAckRefused(socket.vote(poll.id, [1]), 409, 'poll_closed');
    await expectRefused(voter.client.put(`/api/v1/polls/${poll.id}/vote`, { choices: [1] }), 409, 'poll_closed');
    expect(await prisma().pollVote.findMany({ where: { pollId: poll.id }, select: { choices: true } })).toEqual([
      { choices: [0] },
    ]);
  });

  it('refuses bad drafts, and lets only the host and co-hosts create, launch and close', async () => {
    const { host, id, pollsPath } = await webinar();
    const stranger = await signUp(platform.url, 'stranger');
    const eleven = Array.from({ length: 11 }, (_, i) => `Option ${i}`);
    await expectRefused(host.client.post(pollsPath, draft({ options: eleven })), 400, 'poll_options_count');
    await expectRefused(host.client.post(pollsPath, draft({ options: ['Alone'] })), 400, 'poll_options_count');
    await expectRefused(host.client.post(pollsPath, draft({ question: '   ' })), 400, 'poll_question_empty');
    await expectRefused(host.client.post(pollsPath, draft({ options: ['Yes', ''] })), 400, 'poll_option_empty');
    await expectRefused(host.client.post(pollsPath, draft({ options: ['Yes', 'yes'] })), 400, 'poll_option_duplicate');
    await expectRefused(host.client.post(pollsPath, draft({ durationSeconds: 1 })), 400, 'poll_duration_invalid');
    await expectRefused(host.client.post(pollsPath, { ...draft(), extra: 1 }), 400, 'bad_request');
    await expectRefused(stranger.client.post(pollsPath, draft()), 403, 'forbidden');
    await expectRefused(new ApiClient(platform.url).post(pollsPath, draft()), 401, 'unauthorized');
    await expectRefused(host.client.post('/api/v1/webinars/not-a-webinar/polls', draft()), 404, 'not_found');

    const poll = await prepared(host, pollsPath);
    await expectRefused(stranger.client.post(`/api/v1/polls/${poll.id}/launch`), 403, 'forbidden');
    await expectRefused(stranger.client.patch(`/api/v1/polls/${poll.id}`, { question: 'Mine?' }), 403, 'forbidden');
    await expectRefused(stranger.client.delete(`/api/v1/polls/${poll.id}`), 403, 'forbidden');
    await expectRefused(host.client.post(`/api/v1/polls/${poll.id}/close`), 409, 'poll_state');
    // A co-host runs polls too.
    const cohost = await signUp(platform.url, 'cohost');
    expect(
      (await host.client.post(`/api/v1/webinars/${id}/members`, { username: cohost.username, role: 'cohost' })).status,
    ).toBe(201);
    expect((await cohost.client.post(`/api/v1/polls/${poll.id}/launch`)).body.state).toBe('open');
    await expectRefused(host.client.post(`/api/v1/polls/${poll.id}/launch`), 409, 'poll_state');
    await expectRefused(host.client.patch(`/api/v1/polls/${poll.id}`, { question: 'Changed?' }), 409, 'poll_state');
    await expectRefused(host.client.delete(`/api/v1/polls/${poll.id}`), 409, 'poll_state');
    await expectRefused(stranger.client.post(`/api/v1/polls/${poll.id}/close`), 403, 'forbidden');
    expect((await host.client.post(`/api/v1/polls/${poll.id}/close`)).body.state).toBe('closed');

    // After the webinar: results are read, nothing new is launched.
    const leftover = await prepared(host, pollsPath);
    const running = await launched(host, pollsPath, { question: 'Still open at the end?' });
    expect((await host.client.post(`/api/v1/webinars/${id}/end`)).body.state).toBe('ended');
    // A poll left open closes with its webinar, by the sweep: its results are final.
    await waitFor(
      async () => (await prisma().poll.findUniqueOrThrow({ where: { id: running.id } })).state === 'closed',
      { what: 'the open poll to close with its webinar' },
    );
    await expectRefused(stranger.client.put(`/api/v1/polls/${running.id}/vote`, { choices: [0] }), 409, 'poll_closed');
    await expectRefused(host.client.post(`/api/v1/polls/${leftover.id}/launch`), 409, 'poll_scope_ended');
    await expectRefused(host.client.post(pollsPath, draft()), 409, 'poll_scope_ended');
    expect((await stranger.client.get(pollsPath)).body.items.map((p: Poll) => p.id)).toEqual([running.id, poll.id]);
    expect((await host.client.delete(`/api/v1/polls/${leftover.id}`)).status).toBe(204);
  });

  it('closes a timed poll at its stored deadline with no host connected, refusing votes past it', async () => {
    const { host, scope, pollsPath } = await webinar();
    const voter = await signUp(platform.url, 'late');
    const poll = await launched(host, pollsPath, { durationSeconds: 600 });
    expect(Date.parse(poll.closesAt!) - Date.parse(poll.openedAt!)).toBe(600_000);
    const socket = await connect(voter);
    await socket.joined(scope);
    expect((await socket.vote(poll.id, [2])).ok).toBe(true);
    // Ten minutes pass (as after a restart, nobody's timer holds it): the stored deadline is what counts.
    await prisma().poll.update({ where: { id: poll.id }, data: { closesAt: new Date(Date.now() - 1000) } });
    await expectAckRefused(socket.vote(poll.id, [1]), 409, 'poll_closed');
    const closed = await socket.waitForEvent('poll', (e) => e.poll.id === poll.id && e.poll.state === 'closed');
    expect(closed.poll.results).toMatchObject({ counts: [0, 0, 1], voters: 1 });
    expect((await prisma().poll.findUniqueOrThrow({ where: { id: poll.id } })).closedAt).not.toBeNull();
  });

  it('closes a short poll on time from the launching process’s timer', async () => {
    const { host, scope, pollsPath } = await webinar();
    const socket = await connect(host);
    await socket.joined(scope);
    const poll = await launched(host, pollsPath, { durationSeconds: 10 });
    const closed = await socket.waitForEvent('poll', (e) => e.poll.id === poll.id && e.poll.state === 'closed', 15_000);
    const lateBy = Date.parse(closed.poll.closedAt!) - Date.parse(poll.closesAt!);
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThan(2_000);
  }, 20_000);

  it('never sends hidden counts to voters before the poll closes, on the socket or over HTTP', async () => {
    const { host, scope, pollsPath } = await webinar();
    const [ann, bob] = [await signUp(platform.url, 'ann'), await signUp(platform.url, 'bob')];
    const hostSocket = await connect(host);
    await hostSocket.joined(scope);
    const annSocket = await connect(ann);
    await annSocket.joined(scope);
    const poll = await launched(host, pollsPath, { resultsVisibility: 'closed' });
    await annSocket.waitForEvent('poll', (e) => e.poll.id === poll.id && e.poll.state === 'open');

    const annVote = await annSocket.vote(poll.id, [1]);
    expect(annVote).toMatchObject({ ok: true, poll: { results: null, myChoices: [1] } });
    const bobSocket = await connect(bob);
    const joined = await bobSocket.joined(scope);
    expect(joined.polls[0]).toMatchObject({ id: poll.id, results: null });
    expect((await bobSocket.vote(poll.id, [1])).ok).toBe(true);
    // The host sees them live...
    await hostSocket.waitForEvent('results', (e) => e.pollId === poll.id && e.results.counts.join() === '0,2,0');
    expect((await host.client.get(pollsPath)).body.items[0].results.counts).toEqual([0, 2, 0]);
    // ...voters see nothing of them, wherever they look.
    expect((await ann.client.get(pollsPath)).body.items[0].results).toBeNull();
    expect((await ann.client.put(`/api/v1/polls/${poll.id}/vote`, { choices: [1] })).body.results).toBeNull();
    const beforeClose = JSON.stringify([...annSocket.events, ...bobSocket.events]);
    expect(beforeClose).not.toContain('counts');
    expect(beforeClose).not.toContain('voters');

    expect((await host.client.post(`/api/v1/polls/${poll.id}/close`)).status).toBe(200);
    const closed = await annSocket.waitForEvent('poll', (e) => e.poll.state === 'closed');
    expect(closed.poll.results).toMatchObject({ counts: [0, 2, 0], voters: 2 });
  });

  it('lets a channel’s moderator run a poll for the channel stream’s viewers', async () => {
    const owner = await signUp(platform.url, 'owner');
    const slug = `stream-${randomBytes(4).toString('hex')}`;
    const created = await owner.client.post('/api/v1/channels', { slug, title: 'Evening stream' });
    expect(created.status).toBe(201);
    const moderator = await signUp(platform.url, 'mod');
    const viewer = await signUp(platform.url, 'viewer');
    expect((await owner.client.put(`/api/v1/channels/${slug}/moderators/${moderator.username}`)).status).toBeLessThan(
      300,
    );
    const pollsPath = `/api/v1/channels/${slug}/polls`;
    const scope: PollScope = { kind: 'channel', channel: slug };

    const viewerSocket = await connect(viewer);
    expect(await viewerSocket.joined(scope)).toMatchObject({ canRun: false, polls: [] });
    await expectRefused(viewer.client.post(pollsPath, draft()), 403, 'forbidden');
    const poll = await launched(moderator, pollsPath, { options: ['Speedrun', 'Chill'] });
    await viewerSocket.waitForEvent('poll', (e) => e.poll.id === poll.id && e.poll.state === 'open');
    expect((await viewerSocket.vote(poll.id, [0])).ok).toBe(true);
    await viewerSocket.waitForEvent('results', (e) => e.results.counts.join() === '1,0');
    expect((await owner.client.post(`/api/v1/polls/${poll.id}/close`)).body.state).toBe('closed');
    const row = await prisma().poll.findUniqueOrThrow({ where: { id: poll.id } });
    expect(row.webinarId).toBeNull();
    const csv = await moderator.client.get(`${pollsPath}/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain(`${slug}-polls.csv`);
  });

  it('exports the results as CSV for the host only, formula-safe', async () => {
    const { host, scope, pollsPath } = await webinar();
    const voters = [await signUp(platform.url, 'v1'), await signUp(platform.url, 'v2')];
    const poll = await launched(host, pollsPath, { question: '=Best "day"?', options: ['Monday', '-Friday'] });
    for (const [i, voter] of voters.entries()) {
      const socket = await connect(voter);
      await socket.joined(scope);
      expect((await socket.vote(poll.id, [i === 0 ? 1 : 0])).ok).toBe(true);
    }
    await prepared(host, pollsPath, { question: 'Still a draft' });
    const csv = await host.client.get(`${pollsPath}/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.body).toBe(
      [
        '"Poll","Question","Choice","State","Opened at (UTC)","Closed at (UTC)","Voters","Option","Votes","Share of voters (%)"',
        `"1","'=Best ""day""?","single","open","${poll.openedAt}","","2","Monday","1","50.0"`,
        `"1","'=Best ""day""?","single","open","${poll.openedAt}","","2","'-Friday","1","50.0"`,
        '',
      ].join('\r\n'),
    );
    expect((await voters[0]!.client.get(`${pollsPath}/results.csv`)).status).toBe(403);
    expect((await new ApiClient(platform.url).get(`${pollsPath}/results.csv`)).status).toBe(401);
  });

  it('refuses socket joins it can’t serve', async () => {
    const socket = await connect();
    expect(await socket.emit('join', { scope: { kind: 'room', id: 'x' } })).toMatchObject({
      ok: false,
      error: { status: 400, code: 'bad_request' },
    });
    expect(await socket.join({ kind: 'webinar', webinarId: randomUuid() })).toMatchObject({
      ok: false,
      error: { status: 404, code: 'not_found' },
    });
    expect(await socket.join({ kind: 'channel', channel: 'no-such-channel' })).toMatchObject({
      ok: false,
      error: { status: 404 },
    });
  });
});

const services =
  process.env.DATABASE_URL && process.env.REDIS_URL
    ? { databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL }
    : undefined;

describe.skipIf(!services)('polls across processes (PostgreSQL + Redis)', () => {
  let server1: TestPlatform;
  let server2: TestPlatform;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const created = await postgresTarget(services!.databaseUrl).create();
    dispose = created.dispose;
    const url = (created.options as { url: string }).url;
    server1 = await startTestPlatform({ ROLES: 'api', DATABASE_URL: url, REDIS_URL: services!.redisUrl });
    server2 = await startTestPlatform({ ROLES: 'api', DATABASE_URL: url, REDIS_URL: services!.redisUrl });
  });
  afterAll(async () => {
    await server2?.close();
    await server1?.close();
    await dispose?.();
  });

  it('brings a launch, the counts and the close to a voter connected to another process', async () => {
    const host = await signUp(server1.url, 'host');
    const slug = `cluster-${randomBytes(4).toString('hex')}`;
    expect((await host.client.post('/api/v1/channels', { slug, title: 'Cluster' })).status).toBe(201);
    const scope: PollScope = { kind: 'channel', channel: slug };
    const [near, far] = [await signUp(server1.url, 'near'), await signUp(server1.url, 'far')];
    const nearSocket = await PollTestClient.connect(server1.url, { cookie: near.client.cookie });
    const farSocket = await PollTestClient.connect(server2.url, { cookie: far.client.cookie });
    try {
      await nearSocket.joined(scope);
      await farSocket.joined(scope);
      const poll = (await host.client.post(`/api/v1/channels/${slug}/polls`, draft())).body as Poll;
      await host.client.post(`/api/v1/polls/${poll.id}/launch`);
      await farSocket.waitForEvent('poll', (e) => e.poll.id === poll.id && e.poll.state === 'open');
      expect((await nearSocket.vote(poll.id, [1])).ok).toBe(true);
      await farSocket.waitForEvent('results', (e) => e.results.counts.join() === '0,1,0');
      await host.client.post(`/api/v1/polls/${poll.id}/close`);
      await waitFor(() => farSocket.events.some((e) => e.event === 'poll' && e.data.poll.state === 'closed'));
    } finally {
      nearSocket.close();
      farSocket.close();
    }
  });
});

function randomUuid(): string {
  return crypto.randomUUID();
}
