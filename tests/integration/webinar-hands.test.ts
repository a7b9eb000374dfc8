// Raised hands onto a webinar's stage, on the real platform (SFU, sockets, database): attendees
// raise and lower hands and the hosts' queue keeps the order they went up in, pushed live over
// /hands; an invitation can be declined, withdrawn or left to lapse; "Join stage" without a
// standing invitation is refused and changes nothing; accepting makes the attendee a guest who may
// publish, and "Move to audience" closes their producers on the server and takes the right away;
// with hand raising off, hands are refused. Producers carry synthetic RTP parameters.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpParameters } from '../../common/protocol/media-signaling.ts';
import type { HandQueue } from '../../common/protocol/rest/webinar-hands.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { HandsTestClient } from '../support/hands-client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';

let platform: TestPlatform;
let host: TestUser;
let ann: TestUser;
let bob: TestUser;
let cat: TestUser;
let webinarId: string;
const closers: { close(): void }[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  [host, ann, bob, cat] = await Promise.all([
    signUp(platform.url, 'host'),
    signUp(platform.url, 'ann'),
    signUp(platform.url, 'bob'),
    signUp(platform.url, 'cat'),
  ]);
  const slug = `hands-${randomBytes(4).toString('hex')}`;
  expect((await host.client.post('/api/v1/channels', { slug, title: 'Hands channel' })).status).toBe(201);
  const created = await host.client.post(`/api/v1/channels/${slug}/webinars`, {
    title: 'Town hall',
    scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 60,
  });
  expect(created.status).toBe(201);
  webinarId = created.body.id;
  expect((await host.client.post(`/api/v1/webinars/${webinarId}/backstage`)).body.state).toBe('backstage');
});

afterAll(async () => {
  for (const closer of closers) closer.close();
  await platform?.close();
});

const url = (path = '') => `/api/v1/webinars/${webinarId}/hands${path}`;
const prisma = () => platform.database!.prisma;
const names = (entries: { username: string }[]) => entries.map((e) => e.username);

async function hands(user?: TestUser) {
  const client = await HandsTestClient.connect(platform.url, user?.client.cookie);
  closers.push(client);
  return client;
}

async function signaling(user?: TestUser) {
  const client = await TestSignalingClient.connect(platform.url, {
    headers: { origin: platform.url, ...(user ? { cookie: user.client.cookie! } : {}) },
  });
  closers.push(client);
  return client;
}

let nextMid = 0;
function rtpParameters(kind: 'audio' | 'video'): RtpParameters {
  const codec =
    kind === 'audio'
      ? { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }
      : { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] };
  return {
    mid: String(nextMid++),
    codecs: [codec],
    headerExtensions: [],
    encodings: [{ ssrc: randomBytes(4).readUInt32BE() || 1 }],
    rtcp: { cname: 'hands-test', reducedSize: true },
  };
}

/** Asserts a refusal with `status` and `code`, and that no hand or stage-member row changed. */
async function expectRefused(request: Promise<{ status: number; body: any }>, status: number, code: string) {
  const snapshot = async () => ({
    hands: await prisma().webinarHand.findMany({ where: { webinarId }, orderBy: { userId: 'asc' } }),
    members: await prisma().webinarMember.findMany({ where: { webinarId }, orderBy: { userId: 'asc' } }),
    webinar: await prisma().webinar.findUnique({ where: { id: webinarId } }),
  });
  const before = await snapshot();
  const reply = await request;
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.code).toBe(code);
  expect(await snapshot()).toEqual(before);
}

describe('raised hands onto the stage', () => {
  let hostHands: HandsTestClient;
  let annHands: HandsTestClient;
  let attendee: TestSignalingClient;

  it('watches over /hands: the host gets the queue, an attendee their own hand; nobody signed out', async () => {
    hostHands = await hands(host);
    expect(await hostHands.watch(webinarId)).toMatchObject({ ok: true, role: 'host', queue: { hands: [] } });
    annHands = await hands(ann);
    expect(await annHands.watch(webinarId)).toMatchObject({
      ok: true,
      role: 'attendee',
      mine: { handRaising: true, raisedAt: null, invitation: null, guest: false },
    });
    const anonymous = await hands();
    expect((await anonymous.watch(webinarId)).error.code).toBe('unauthorized');
    expect((await annHands.watch(42)).error.code).toBe('bad_request');
    expect((await annHands.watch(randomBytes(16).toString('hex'))).error.code).toBe('not_found');
  });

  it('takes hands only while the webinar is live, from attendees', async () => {
    await expectRefused(ann.client.put(url('/me')), 409, 'webinar_not_live');
    const hostOnStage = await signaling(host);
    await hostOnStage.ok('join', { role: 'stage', webinar: webinarId });
    expect((await host.client.post(`/api/v1/webinars/${webinarId}/start`)).body.state).toBe('live');
    await expectRefused(host.client.put(url('/me')), 409, 'already_member');
    await expectRefused(new ApiClient(platform.url).put(url('/me')), 401, 'unauthorized');
    await expectRefused(ann.client.get(url()) as never, 403, 'forbidden');
    attendee = await signaling(cat);
    await attendee.ok('join', { role: 'attendee', webinar: webinarId });
  });

  it('queues hands by when they went up, live to the host; lowering takes one out', async () => {
    expect((await ann.client.put(url('/me'))).body.raisedAt).not.toBeNull();
    await annHands.waitFor('mine', (mine) => mine.raisedAt !== null);
    expect((await bob.client.put(url('/me'))).status).toBe(200);
    // Raising again keeps the place.
    expect((await ann.client.put(url('/me'))).status).toBe(200);
    await hostHands.waitFor('queue', (q) => q.hands.length === 2);
    expect(names((await host.client.get<HandQueue>(url())).body.hands)).toEqual([ann.username, bob.username]);

    expect((await bob.client.delete(url('/me'))).body.raisedAt).toBeNull();
    await hostHands.waitFor('queue', (q) => names(q.hands).join() === ann.username);
    expect((await bob.client.put(url('/me'))).status).toBe(200);
    const queue = await hostHands.waitFor('queue', (q) => q.hands.length === 2);
    expect(names(queue.hands)).toEqual([ann.username, bob.username]);
  });

  it('asks the attendee: an invitation reaches them, and declining it lowers their hand', async () => {
    const invited = await host.client.post(url('/invitations'), { username: ann.username });
    expect(invited.status).toBe(201);
    expect(invited.body.hands[0].invitation).not.toBeNull();
    const mine = await annHands.waitFor('mine', (m) => m.invitation !== null);
    expect(Date.parse(mine.invitation!.expiresAt) - Date.parse(mine.invitation!.invitedAt)).toBe(120_000);
    expect((await ann.client.post(url('/me/decline'))).body).toMatchObject({ raisedAt: null, invitation: null });
    await hostHands.waitFor('queue', (q) => names(q.hands).join() === bob.username);
    await expectRefused(ann.client.post(url('/me/decline')), 409, 'not_invited');
  });

  it('refuses "Join stage" without an invitation, and after it lapsed, changing nothing', async () => {
    await expectRefused(cat.client.post(url('/me/accept')), 409, 'not_invited');
    const refused = await (await signaling(cat)).request('join', { role: 'stage', webinar: webinarId });
    expect(refused.ok ? '' : refused.error.code).toBe('not_on_stage');

    expect((await host.client.post(url('/invitations'), { username: bob.username })).status).toBe(201);
    // Two minutes pass (the row as it would be then).
    await prisma().webinarHand.update({
      where: { webinarId_userId: { webinarId, userId: bob.id } },
      data: { invitedAt: new Date(Date.now() - 130_000), invitationExpiresAt: new Date(Date.now() - 10_000) },
    });
    await expectRefused(bob.client.post(url('/me/accept')), 409, 'invitation_expired');
    expect((await host.client.get<HandQueue>(url())).body.hands[0]).toMatchObject({
      username: bob.username,
      invitation: null,
    });
  });

  it('lets hosts invite anyone by name, and withdraw it', async () => {
    await expectRefused(host.client.post(url('/invitations'), { username: 'nobody_here' }), 404, 'not_found');
    await expectRefused(host.client.post(url('/invitations'), { username: host.username }), 409, 'already_member');
    await expectRefused(bob.client.post(url('/invitations'), { username: cat.username }), 403, 'forbidden');
    const invited = await host.client.post<HandQueue>(url('/invitations'), { username: cat.username });
    expect(names(invited.body.invited)).toEqual([cat.username]);
    const withdrawn = await host.client.delete<HandQueue>(url(`/invitations/${cat.username}`));
    expect(withdrawn.body.invited).toEqual([]);
    await expectRefused(host.client.delete(url(`/invitations/${cat.username}`)), 404, 'not_found');
    await expectRefused(cat.client.post(url('/me/accept')), 409, 'not_invited');
  });

  let annStage: TestSignalingClient;
  let annCamera: string;

  it('makes an attendee who accepts a guest who may publish; others see their camera', async () => {
    expect((await ann.client.put(url('/me'))).status).toBe(200);
    expect((await host.client.post(url('/invitations'), { username: ann.username })).status).toBe(201);
    const accepted = await ann.client.post(url('/me/accept'));
    expect(accepted.body).toMatchObject({ guest: true, raisedAt: null, invitation: null });
    await annHands.waitFor('mine', (m) => m.guest);
    const queue = await hostHands.waitFor('queue', (q) => q.guests.length === 1);
    expect(names(queue.guests)).toEqual([ann.username]);
    expect(names(queue.hands)).toEqual([bob.username]);
    await expectRefused(ann.client.post(url('/me/accept')), 409, 'already_on_stage');

    annStage = await signaling(ann);
    const joined = await annStage.ok('join', { role: 'stage', webinar: webinarId });
    expect(joined.stage).toMatchObject({ role: 'panelist', onStage: true });
    const transport = await annStage.ok('createTransport', { direction: 'send' });
    annCamera = (
      await annStage.ok('produce', {
        transportId: transport.id,
        kind: 'video',
        rtpParameters: rtpParameters('video'),
        source: 'camera',
      })
    ).producerId;
    const added = await attendee.waitForNotification('producerAdded', (p) => p.producerId === annCamera);
    expect(added.owner?.userId).toBe(ann.id);
  });

  it('moves a guest back to the audience: the server closes their producers and the right goes', async () => {
    await expectRefused(host.client.delete(url(`/guests/${bob.username}`)), 404, 'not_found');
    const moved = await host.client.delete<HandQueue>(url(`/guests/${ann.username}`));
    expect(moved.status).toBe(200);
    expect(moved.body.guests).toEqual([]);
    await attendee.waitForNotification('producerClosed', (p) => p.producerId === annCamera);
    expect(await annStage.waitForNotification('stagePlace', (p) => !p.onStage)).toMatchObject({ role: 'attendee' });
    const room = platform.rooms!.rooms().find((r) => r.id === `webinar:${webinarId}`)!;
    expect(room.producers().map((p) => p.producer.id)).not.toContain(annCamera);
    expect(await prisma().webinarMember.count({ where: { webinarId, userId: ann.id } })).toBe(0);
    await annHands.waitFor('mine', (m) => !m.guest && m.invitation === null);
    const again = await annStage.request('produce', {
      transportId: (await annStage.ok('createTransport', { direction: 'send' }).catch(() => ({ id: 'none' }))).id,
      kind: 'video',
      rtpParameters: rtpParameters('video'),
      source: 'camera',
    });
    expect(again.ok).toBe(false);
    await expectRefused(ann.client.post(url('/me/accept')), 409, 'not_invited');
  });

  it('refuses hands once the host turns hand raising off, and lowers the raised ones', async () => {
    await expectRefused(bob.client.put(url('/settings'), { handRaising: false }), 403, 'forbidden');
    const off = await host.client.put<HandQueue>(url('/settings'), { handRaising: false });
    expect(off.body).toMatchObject({ handRaising: false, hands: [] });
    await annHands.waitFor('handRaising', (change) => change.handRaising === false);
    await expectRefused(ann.client.put(url('/me')), 409, 'hand_raising_off');
    expect((await ann.client.get(url('/me'))).body.handRaising).toBe(false);
    // Invitations still work: the host may bring anyone up.
    expect((await host.client.post(url('/invitations'), { username: bob.username })).status).toBe(201);
    expect((await host.client.put(url('/settings'), { handRaising: true })).body.handRaising).toBe(true);
    await waitFor(async () => (await ann.client.put(url('/me'))).status === 200, { what: 'hands back on' });
    // The same setting in the webinar's edit form (PATCH /webinars/:id): off lowers the hands too.
    const edited = await host.client.patch(`/api/v1/webinars/${webinarId}`, { handRaising: false });
    expect(edited.body.handRaising).toBe(false);
    expect((await host.client.get<HandQueue>(url())).body).toMatchObject({ handRaising: false, hands: [] });
    await expectRefused(ann.client.put(url('/me')), 409, 'hand_raising_off');
  });
});
