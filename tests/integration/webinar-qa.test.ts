// A webinar's live Q&A over real socket.io connections and a real database (both databases): the
// host and attendees as separate clients; asking (anonymous to attendees, never to hosts), votes
// (once each, removable, only on approved questions), moderation (pending → approved → answered
// or dismissed, reopen, delete), one pinned question, the per-attendee rate limit, refusals with
// stable codes that change nothing, the Q&A kept after the end and its CSV. Then across two
// processes sharing PostgreSQL and Redis: a change made on one reaches attendees on the other.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onPinnedQuestion, pinnedQuestionOf, type PinnedQuestionChange } from '../../api/webinars/qa-pins.ts';
import { signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets, postgresTarget } from '../support/databases.ts';
import { startPlatformOn, startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { QaTestClient } from '../support/qa-client.ts';
import { waitFor } from '../support/wait.ts';

async function newWebinar(platform: { url: string }, change: Record<string, unknown> = {}) {
  const host = await signUp(platform.url, 'host');
  const slug = `qa-${randomBytes(4).toString('hex')}`;
  expect((await host.client.post('/api/v1/channels', { slug, title: 'Weekly training' })).status).toBe(201);
  const created = await host.client.post(`/api/v1/channels/${slug}/webinars`, {
    title: 'Onboarding, part 2',
    scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 60,
    ...change,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id: string = created.body.id;
  expect((await host.client.post(`/api/v1/webinars/${id}/backstage`)).status).toBe(200);
  expect((await host.client.post(`/api/v1/webinars/${id}/start`)).status).toBe(200);
  return { host, id, slug };
}

describe.each(databaseTargets())('webinar Q&A on $name', (target) => {
  let platform: TestPlatform;
  const clients: QaTestClient[] = [];
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '10000' }, (started) => (platform = started));
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  const prisma = () => platform.database!.prisma;
  const connect = async (user?: TestUser) => {
    const client = await QaTestClient.connect(platform.url, { cookie: user?.client.cookie });
    clients.push(client);
    return client;
  };
  /** The webinar's Q&A rows, to check that a refusal changed nothing. */
  const snapshot = async (webinarId: string) => ({
    questions: await prisma().webinarQuestion.findMany({ where: { webinarId }, orderBy: { id: 'asc' } }),
    votes: await prisma().webinarQuestionVote.findMany({
      where: { question: { webinarId } },
      orderBy: [{ questionId: 'asc' }, { userId: 'asc' }],
    }),
    settings: await prisma().webinarQa.findUnique({ where: { webinarId } }),
  });
  async function expectRefused(webinarId: string, request: () => Promise<any>, status: number, code: string) {
    const before = await snapshot(webinarId);
    const reply = await request();
    expect(reply.ok, JSON.stringify(reply)).toBe(false);
    expect(reply.error.status).toBe(status);
    expect(reply.error.code).toBe(code);
    expect(await snapshot(webinarId)).toEqual(before);
  }

  /** A live webinar with its host and two signed-in attendees, all joined. */
  async function room() {
    const webinar = await newWebinar(platform);
    const [asker, voter] = await Promise.all([signUp(platform.url, 'asker'), signUp(platform.url, 'voter')]);
    const hostQa = await connect(webinar.host);
    const askerQa = await connect(asker);
    const voterQa = await connect(voter);
    const joins = await Promise.all([hostQa, askerQa, voterQa].map((client) => client.joined(webinar.id)));
    return { ...webinar, asker, voter, hostQa, askerQa, voterQa, joins };
  }

  it('lets attendees ask (anonymously to each other, never to the hosts) and upvote once each', async () => {
    const { id, asker, voter, hostQa, askerQa, voterQa, joins } = await room();
    expect(joins.map((j) => j.me.isHost)).toEqual([true, false, false]);
    expect(joins[1]).toMatchObject({ questions: [], moderated: false, closed: false, myVotes: [], mine: [] });

    const named = await askerQa.asked('  Will the slides be shared?  ');
    expect(named).toMatchObject({ body: 'Will the slides be shared?', state: 'approved', votes: 0, pinned: false });
    const hidden = await askerQa.asked('Is there a certificate?', true);
    const atVoter = await voterQa.waitForEvent('question', (q) => q.id === hidden.id);
    const atHost = await hostQa.waitForEvent('question', (q) => q.id === hidden.id);
    expect(atVoter).toMatchObject({ anonymous: true, author: null });
    expect(atHost).toMatchObject({ anonymous: true, author: { userId: asker.id, username: asker.username } });
    expect((await voterQa.waitForEvent('question', (q) => q.id === named.id)).author?.userId).toBe(asker.id);

    // Voting: once, not on one's own, removable; everyone hears the count.
    expect(await voterQa.emit('vote', { questionId: named.id })).toEqual({ ok: true, votes: 1 });
    expect((await askerQa.waitForEvent('votes', (e) => e.id === named.id)).votes).toBe(1);
    await expectRefused(id, () => voterQa.emit('vote', { questionId: named.id }), 409, 'already_voted');
    await expectRefused(id, () => askerQa.emit('vote', { questionId: named.id }), 403, 'own_question');
    await expectRefused(id, () => voterQa.emit('unvote', { questionId: hidden.id }), 409, 'not_voted');
    expect(await hostQa.emit('vote', { questionId: hidden.id })).toEqual({ ok: true, votes: 1 });
    expect(await hostQa.emit('unvote', { questionId: hidden.id })).toEqual({ ok: true, votes: 0 });

    // Joining again: the list in order, my votes, my own questions (the anonymous one too).
    const again = await connect(voter);
    const rejoined = await again.joined(id);
    expect(rejoined.questions.map((q) => [q.body, q.votes])).toEqual([
      ['Will the slides be shared?', 1],
      ['Is there a certificate?', 0],
    ]);
    expect(rejoined.questions[1]!.author).toBeNull();
    expect(rejoined.myVotes).toEqual([named.id]);
    expect((await (await connect(asker)).joined(id)).mine).toEqual([named.id, hidden.id]);
  });

  it('moderates: pending until approved, answered live or typed, pinned one at a time, dismissed for good', async () => {
    const { id, asker, voter, hostQa, askerQa, voterQa } = await room();
    await expectRefused(id, () => voterQa.emit('set-moderation', { moderated: true }), 403, 'forbidden');
    expect(await hostQa.emit('set-moderation', { moderated: true })).toEqual({ ok: true, moderated: true });
    await voterQa.waitForEvent('settings', (e) => e.moderated);

    const pending = await askerQa.asked('What about the budget?');
    expect(pending.state).toBe('pending');
    expect((await hostQa.waitForEvent('question', (q) => q.id === pending.id)).state).toBe('pending');
    await expectRefused(id, () => voterQa.emit('vote', { questionId: pending.id }), 409, 'not_votable');
    await expectRefused(id, () => voterQa.moderate(pending.id, 'approve'), 403, 'forbidden');
    await expectRefused(id, () => hostQa.moderate(pending.id, 'answer'), 409, 'invalid_transition');
    await expectRefused(id, () => hostQa.moderate(pending.id, 'pin'), 409, 'invalid_transition');
    expect(voterQa.eventsAbout(pending.id)).toEqual([]);
    expect((await (await connect(voter)).joined(id)).questions).toEqual([]);
    // Its asker sees it waiting.
    expect((await (await connect(asker)).joined(id)).questions.map((q) => q.state)).toEqual(['pending']);

    expect((await hostQa.moderate(pending.id, 'approve')).question.state).toBe('approved');
    expect((await voterQa.waitForEvent('question', (q) => q.id === pending.id)).state).toBe('approved');
    expect(await voterQa.emit('vote', { questionId: pending.id })).toEqual({ ok: true, votes: 1 });

    const typed = await hostQa.moderate(pending.id, 'answer', ' About 20% more than last year. ');
    expect(typed.question).toMatchObject({ state: 'answered', answer: 'About 20% more than last year.', votes: 1 });
    expect(await voterQa.waitForEvent('question', (q) => q.id === pending.id && q.state === 'answered')).toMatchObject({
      answer: 'About 20% more than last year.',
      answeredAt: expect.any(String),
    });
    await expectRefused(id, () => voterQa.emit('unvote', { questionId: pending.id }), 409, 'not_votable');
    await expectRefused(id, () => voterQa.emit('vote', { questionId: pending.id }), 409, 'not_votable');

    // One pin at a time: pinning another takes the first down, for everyone.
    expect((await hostQa.moderate(pending.id, 'pin')).question.pinned).toBe(true);
    await voterQa.waitForEvent('question', (q) => q.id === pending.id && q.pinned);
    const second = await askerQa.asked('Can we get the recording?');
    await hostQa.moderate(second.id, 'approve');
    expect((await hostQa.moderate(second.id, 'pin')).question.pinned).toBe(true);
    await voterQa.waitForEvent('question', (q) => q.id === second.id && q.pinned);
    await voterQa.waitForEvent('question', (q) => q.id === pending.id && !q.pinned && q.state === 'answered');
    expect(await prisma().webinarQuestion.count({ where: { webinarId: id, pinned: true } })).toBe(1);

    // Dismissed: attendees forget it (and its pin), and never get it again; the host can reopen.
    expect((await hostQa.moderate(second.id, 'dismiss')).question).toMatchObject({ state: 'dismissed', pinned: false });
    await voterQa.waitForEvent('question-removed', (e) => e.id === second.id);
    const later = await connect(voter);
    expect((await later.joined(id)).questions.map((q) => q.id)).toEqual([pending.id]);
    expect((await hostQa.moderate(pending.id, 'reopen')).question).toMatchObject({ state: 'approved', answer: null });
    expect((await hostQa.moderate(second.id, 'reopen')).question.state).toBe('approved');
    await later.waitForEvent('question', (q) => q.id === second.id && q.state === 'approved');

    // A pending question dismissed: its asker's page forgets it too.
    const third = await askerQa.asked('Off topic?');
    await hostQa.moderate(third.id, 'dismiss');
    await askerQa.waitForEvent('question-removed', (e) => e.id === third.id);

    expect((await hostQa.moderate(second.id, 'delete')).question).toBeNull();
    await voterQa.waitForEvent('question-removed', (e) => e.id === second.id);
    expect(await prisma().webinarQuestion.findUnique({ where: { id: second.id } })).toBeNull();
    await expectRefused(id, () => hostQa.moderate(second.id, 'approve'), 404, 'not_found');
  });

  it('announces the pinned question for the recording as it changes, anonymous as attendees see it', async () => {
    const { id, hostQa, askerQa } = await room();
    const changes: PinnedQuestionChange[] = [];
    const unsubscribe = await onPinnedQuestion(
      platform.pubsub,
      (change) => change.webinarId === id && changes.push(change),
    );
    try {
      const first = await askerQa.asked('First?', true);
      const second = await askerQa.asked('Second?');
      await hostQa.moderate(first.id, 'pin');
      await hostQa.moderate(first.id, 'answer', 'Yes.');
      await hostQa.moderate(second.id, 'pin');
      await hostQa.moderate(first.id, 'dismiss'); // not pinned any more: nothing to announce
      await hostQa.moderate(second.id, 'delete');
      await waitFor(() => changes.length >= 4, { what: 'four announcements' });
      expect(changes.map((c) => c.question)).toEqual([
        { asker: 'Anonymous', body: 'First?', answer: null },
        { asker: 'Anonymous', body: 'First?', answer: 'Yes.' },
        { asker: expect.stringMatching(/^asker /), body: 'Second?', answer: null },
        null,
      ]);
      expect(await pinnedQuestionOf(prisma(), id)).toBeNull();
      await hostQa.moderate((await askerQa.asked('Third?')).id, 'pin');
      expect(await pinnedQuestionOf(prisma(), id)).toEqual({
        asker: expect.stringMatching(/^asker /),
        body: 'Third?',
        answer: null,
      });
    } finally {
      unsubscribe();
    }
  });

  it('refuses bad input, flooding and the signed-out with stable codes, changing nothing', async () => {
    const { id, hostQa, askerQa, voterQa } = await room();
    const anonymous = await connect();
    expect((await anonymous.joined(id)).me).toEqual({ canAsk: false, isHost: false, userId: null });
    await expectRefused(id, () => anonymous.ask('Hello?'), 401, 'unauthorized');
    await expectRefused(id, () => askerQa.ask('x'.repeat(501)), 400, 'too_long');
    await expectRefused(id, () => askerQa.ask(' \u200b '), 400, 'empty');
    await expectRefused(id, () => askerQa.emit('ask', { body: 42 }), 400, 'bad_request');
    await expectRefused(id, () => askerQa.emit('ask', { body: 'ok?', anonymous: 'yes' }), 400, 'bad_request');
    await expectRefused(id, () => voterQa.emit('vote', { questionId: 'not-a-uuid' }), 404, 'not_found');
    await expectRefused(id, () => hostQa.moderate(crypto.randomUUID(), 'approve'), 404, 'not_found');
    await expectRefused(
      id,
      () => hostQa.emit('moderate', { questionId: crypto.randomUUID(), action: 'burn' }),
      400,
      'bad_request',
    );
    const outsider = await connect();
    await expectRefused(id, () => outsider.ask('Before joining?'), 409, 'not_joined');
    expect((await outsider.emit('join', { webinarId: crypto.randomUUID() })).error.code).toBe('not_found');

    // 500 characters pass; then the per-attendee limit: a burst of 3, the 4th refused.
    const long = await askerQa.asked('y'.repeat(500));
    expect([...long.body]).toHaveLength(500);
    await askerQa.asked('Second?');
    await askerQa.asked('Third?');
    const refused = await askerQa.ask('Fourth?');
    expect(refused).toMatchObject({ ok: false, error: { status: 429, code: 'rate_limited' } });
    expect(refused.ok || refused.error.retryAfterSeconds).toBeGreaterThan(0);
    expect(await prisma().webinarQuestion.count({ where: { webinarId: id } })).toBe(3);
    // Another attendee is not held back by it.
    await voterQa.asked('Mine is fine?');
  });

  it('follows the audience rules: a registered-only webinar refuses others', async () => {
    const webinar = await newWebinar(platform, { audience: 'registered' });
    const stranger = await signUp(platform.url, 'stranger');
    const client = await connect(stranger);
    expect((await client.emit('join', { webinarId: webinar.id })).error).toMatchObject({
      status: 403,
      code: 'registration_required',
    });
    expect((await (await connect()).emit('join', { webinarId: webinar.id })).error.code).toBe('unauthorized');
    expect((await (await connect(webinar.host)).joined(webinar.id)).me.isHost).toBe(true);
  });

  it('seats sockets again when the stage changes: a removed co-host stops hearing who asked', async () => {
    const { id, host, hostQa, askerQa, voterQa } = await room();
    const cohost = await signUp(platform.url, 'cohost');
    expect(
      (await host.client.post(`/api/v1/webinars/${id}/members`, { username: cohost.username, role: 'cohost' })).status,
    ).toBe(201);
    const cohostQa = await connect(cohost);
    expect((await cohostQa.joined(id)).me.isHost).toBe(true);
    const first = await askerQa.asked('Who am I?', true);
    expect((await cohostQa.waitForEvent('question', (q) => q.id === first.id)).author).not.toBeNull();

    expect((await host.client.delete(`/api/v1/webinars/${id}/members/${cohost.username}`)).status).toBe(200);
    await cohostQa.waitForEvent('rejoin', (e) => e.webinarId === id);
    expect(voterQa.events.some((e) => e.event === 'rejoin')).toBe(false);
    const second = await askerQa.asked('And now?', true);
    expect((await cohostQa.waitForEvent('question', (q) => q.id === second.id)).author).toBeNull();
    await expectRefused(id, () => cohostQa.moderate(second.id, 'dismiss'), 403, 'forbidden');
    expect((await cohostQa.joined(id)).me.isHost).toBe(false);

    // The end: everyone joins again and finds it closed.
    expect((await host.client.post(`/api/v1/webinars/${id}/end`)).status).toBe(200);
    await voterQa.waitForEvent('rejoin', (e) => e.webinarId === id);
    await hostQa.waitForEvent('rejoin', (e) => e.webinarId === id);
    expect((await voterQa.joined(id)).closed).toBe(true);
  });

  it('keeps the Q&A after the end, read-only, and exports it as CSV for the hosts only', async () => {
    const { id, host, asker, voter, hostQa, askerQa, voterQa } = await room();
    const first = await askerQa.asked('=HYPERLINK("x") first?', true);
    const second = await voterQa.asked('Second, "quoted"?');
    await voterQa.emit('vote', { questionId: first.id });
    await hostQa.moderate(first.id, 'answer', 'Yes.');
    await hostQa.moderate(second.id, 'dismiss');
    expect((await host.client.post(`/api/v1/webinars/${id}/end`)).status).toBe(200);

    await expectRefused(id, () => askerQa.ask('After?'), 409, 'webinar_ended');
    await expectRefused(id, () => hostQa.moderate(second.id, 'reopen'), 409, 'webinar_ended');
    const kept = await (await connect(voter)).joined(id);
    expect(kept.closed).toBe(true);
    expect(kept.questions.map((q) => [q.id, q.votes, q.answer])).toEqual([[first.id, 1, 'Yes.']]);

    expect((await voter.client.get(`/api/v1/webinars/${id}/questions.csv`)).status).toBe(403);
    const csv = await host.client.get(`/api/v1/webinars/${id}/questions.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('questions.csv');
    const lines = String(csv.body).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`"${asker.username}","yes","'=HYPERLINK(""x"") first?","answered","1","Yes."`);
    expect(lines[2]).toContain(`"${voter.username}","no","Second, ""quoted""?","dismissed","0",""`);
  });
});

const services =
  process.env.DATABASE_URL && process.env.REDIS_URL
    ? { databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL }
    : undefined;

describe.skipIf(!services)('webinar Q&A across processes (PostgreSQL + Redis)', () => {
  let server1: TestPlatform;
  let server2: TestPlatform;
  let dispose: () => Promise<void>;
  const clients: QaTestClient[] = [];

  beforeAll(async () => {
    const created = await postgresTarget(services!.databaseUrl).create();
    dispose = created.dispose;
    const url = (created.options as { url: string }).url;
    const env = { ROLES: 'api', DATABASE_URL: url, REDIS_URL: services!.redisUrl, AUTH_RATE_LIMIT_PER_MINUTE: '10000' };
    // One after the other: the first applies the migrations.
    server1 = await startTestPlatform(env);
    server2 = await startTestPlatform(env);
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await server2?.close();
    await server1?.close();
    await dispose?.();
  });

  it('reaches attendees connected to another process', async () => {
    const { host, id } = await newWebinar(server1);
    const asker = await signUp(server1.url, 'asker');
    const viewer = await signUp(server1.url, 'viewer');
    const connect = async (server: { url: string }, user: TestUser) => {
      const client = await QaTestClient.connect(server.url, { cookie: user.client.cookie });
      clients.push(client);
      await client.joined(id);
      return client;
    };
    const hostQa = await connect(server1, host);
    const askerQa = await connect(server1, asker);
    const viewerQa = await connect(server2, viewer);
    expect(await hostQa.emit('set-moderation', { moderated: true })).toMatchObject({ ok: true });
    await viewerQa.waitForEvent('settings', (e) => e.moderated);
    const question = await askerQa.asked('Heard on the other process?');
    await hostQa.moderate(question.id, 'approve');
    expect((await viewerQa.waitForEvent('question', (q) => q.id === question.id)).state).toBe('approved');
    expect(await viewerQa.emit('vote', { questionId: question.id })).toEqual({ ok: true, votes: 1 });
    await hostQa.waitForEvent('votes', (e) => e.id === question.id && e.votes === 1);
    await hostQa.moderate(question.id, 'pin');
    await viewerQa.waitForEvent('question', (q) => q.id === question.id && q.pinned);
    // The pending time before approval: the other process's attendee never heard of it.
    expect(viewerQa.eventsAbout(question.id).every((e) => e.data.state !== 'pending')).toBe(true);
  });
});
