// A webinar's stage on the real SFU: the host and a panelist publish into the webinar's room and
// see each other's producers by name; attendees join only once it is live and see everyone on
// stage; nobody else can publish, whatever they send (an attendee's forged produce, a signed-in
// stranger joining the stage); the stage holds WEBINAR_MAX_STAGE people; moving the panelist off
// the stage closes their producers at once on the server; one person has one place on the stage
// (joining again lets the earlier session go); ending the webinar lets everyone go.
// Producers carry synthetic RTP parameters (no media flows): the rights are what is under test.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResult, RtpParameters } from '../../common/protocol/media-signaling.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';

let platform: TestPlatform;
let host: TestUser;
let panelist: TestUser;
let cohost: TestUser;
let stranger: TestUser;
let webinarId: string;
const clients: TestSignalingClient[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ AUTH_RATE_LIMIT_PER_MINUTE: '1000', WEBINAR_MAX_STAGE: '2' });
  [host, panelist, cohost, stranger] = await Promise.all([
    signUp(platform.url, 'host'),
    signUp(platform.url, 'panelist'),
    signUp(platform.url, 'cohost'),
    signUp(platform.url, 'stranger'),
  ]);
  const slug = `stage-${randomBytes(4).toString('hex')}`;
  expect((await host.client.post('/api/v1/channels', { slug, title: 'Stage channel' })).status).toBe(201);
  const created = await host.client.post(`/api/v1/channels/${slug}/webinars`, {
    title: 'Panel',
    scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 60,
  });
  expect(created.status).toBe(201);
  webinarId = created.body.id;
});

afterAll(async () => {
  for (const client of clients) client.close();
  await platform?.close();
});

/** A media-signaling connection from one of our pages, signed in as `user` (or anonymous). */
async function connect(user?: TestUser): Promise<TestSignalingClient> {
  const client = await TestSignalingClient.connect(platform.url, {
    headers: { origin: platform.url, ...(user ? { cookie: user.client.cookie! } : {}) },
  });
  clients.push(client);
  return client;
}

let nextMid = 0;

/** RTP parameters a real sender could announce; each producer gets its own MID, as a browser's would. */
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
    rtcp: { cname: 'stage-test', reducedSize: true },
  };
}

/** Joins the stage and publishes a camera (and a microphone); answers the producer ids. */
async function goOnStage(client: TestSignalingClient, withMicrophone: boolean) {
  const joined = await client.ok('join', { role: 'stage', webinar: webinarId });
  const transport = await client.ok('createTransport', { direction: 'send' });
  const camera = await client.ok('produce', {
    transportId: transport.id,
    kind: 'video',
    rtpParameters: rtpParameters('video'),
    source: 'camera',
  });
  const microphone = withMicrophone
    ? await client.ok('produce', {
        transportId: transport.id,
        kind: 'audio',
        rtpParameters: rtpParameters('audio'),
        source: 'microphone',
      })
    : undefined;
  return {
    joined,
    transportId: transport.id,
    camera: camera.producerId,
    microphone: microphone?.producerId,
    screen: undefined as string | undefined,
  };
}

const owners = (joined: JoinResult) => joined.producers.map((p) => `${p.owner?.name}:${p.source}`).sort();

describe('a webinar stage', () => {
  let hostClient: TestSignalingClient;
  let panelistClient: TestSignalingClient;
  let attendee: TestSignalingClient;
  let hostMedia: Awaited<ReturnType<typeof goOnStage>>;
  let panelistMedia: Awaited<ReturnType<typeof goOnStage>>;

  it('names its members: a panelist and a co-host, each once, by the host', async () => {
    const invite = (client: ApiClient, username: string, role: string) =>
      client.post(`/api/v1/webinars/${webinarId}/members`, { username, role });
    expect((await invite(host.client, panelist.username, 'panelist')).status).toBe(201);
    const again = await invite(host.client, panelist.username, 'panelist');
    expect([again.status, again.body.code]).toEqual([409, 'already_member']);
    expect((await invite(stranger.client, cohost.username, 'panelist')).status).toBe(403);
    expect((await invite(host.client, cohost.username, 'cohost')).status).toBe(201);
    const members = await host.client.get(`/api/v1/webinars/${webinarId}/members`);
    expect(members.body.map((m: { username: string; role: string }) => `${m.username}:${m.role}`)).toEqual([
      `${panelist.username}:panelist`,
      `${cohost.username}:cohost`,
    ]);
  });

  it('opens backstage to the stage only: the host and the panelist see each other by name', async () => {
    expect((await host.client.post(`/api/v1/webinars/${webinarId}/backstage`)).body.state).toBe('backstage');
    const early = await connect();
    const refused = await early.request('join', { role: 'attendee', webinar: webinarId });
    expect(refused.ok ? '' : refused.error.code).toBe('webinar_not_live');

    hostClient = await connect(host);
    hostMedia = await goOnStage(hostClient, true);
    expect(hostMedia.joined).toMatchObject({ role: 'publisher', stage: { webinarId, role: 'host', onStage: true } });

    panelistClient = await connect(panelist);
    panelistMedia = await goOnStage(panelistClient, false);
    expect(panelistMedia.joined.stage).toMatchObject({ role: 'panelist', onStage: true });
    const hostName = (await host.client.get('/api/v1/auth/me')).body.user.name;
    expect(owners(panelistMedia.joined)).toEqual([`${hostName}:camera`, `${hostName}:microphone`]);
    expect(panelistMedia.joined.producers.map((p) => p.owner?.userId)).toEqual([host.id, host.id]);
    // The host, already there, hears of the panelist's camera with the panelist's name.
    const added = await hostClient.waitForNotification('producerAdded', (p) => p.producerId === panelistMedia.camera);
    expect(added.owner?.name).toBe((await panelist.client.get('/api/v1/auth/me')).body.user.name);
  });

  it('holds WEBINAR_MAX_STAGE people, and nobody off the list', async () => {
    const third = await connect(cohost);
    const full = await third.request('join', { role: 'stage', webinar: webinarId });
    expect(full.ok ? '' : full.error.code).toBe('stage_full');
    const outsider = await connect(stranger);
    const notOn = await outsider.request('join', { role: 'stage', webinar: webinarId });
    expect(notOn.ok ? '' : notOn.error.code).toBe('not_on_stage');
  });

  it('gives a member who joins a full stage again (another window, a dropped network) their own place', async () => {
    const before = panelistMedia;
    const secondWindow = await connect(panelist);
    const again = await goOnStage(secondWindow, false);
    expect(again.joined.stage).toMatchObject({ role: 'panelist', onStage: true });
    // The earlier session is let go and told why; its camera is gone for everyone else.
    expect(await panelistClient.waitForNotification('kicked')).toMatchObject({
      code: 'joined_elsewhere',
      reason: expect.stringMatching(/another window or device/),
    });
    await hostClient.waitForNotification('producerClosed', (p) => p.producerId === before.camera);
    const room = platform.rooms!.rooms().find((r) => r.id === `webinar:${webinarId}`)!;
    const publishers = room.peers().filter((peer) => peer.role === 'publisher');
    expect(publishers.map((peer) => peer.label?.userId).sort()).toEqual([host.id, panelist.id].sort());
    expect(room.producers().map((p) => p.producer.id)).not.toContain(before.camera);
    // The host was not touched: a different person on the same stage.
    expect(hostClient.notificationsOf('kicked')).toEqual([]);
    panelistClient = secondWindow;
    panelistMedia = again;
  });

  it('gives a host alone on their stage their place back from a second window (the room outlives the first)', async () => {
    const slug = (await host.client.get('/api/v1/auth/me')).body.channels[0].slug;
    const created = await host.client.post(`/api/v1/channels/${slug}/webinars`, {
      title: 'Solo',
      scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 30,
    });
    const solo = created.body.id;
    expect((await host.client.post(`/api/v1/webinars/${solo}/backstage`)).body.state).toBe('backstage');
    const first = await connect(host);
    await first.ok('join', { role: 'stage', webinar: solo });
    const second = await connect(host);
    const joined = await second.ok('join', { role: 'stage', webinar: solo });
    expect(joined.stage).toMatchObject({ role: 'host', onStage: true });
    await first.waitForNotification('kicked');
    const room = platform.rooms!.rooms().find((r) => r.id === `webinar:${solo}`)!;
    expect(room.closed).toBe(false);
    expect(room.peers().map((peer) => peer.id)).toEqual([joined.peerId]);
    expect((await host.client.post(`/api/v1/webinars/${solo}/end`)).body.state).toBe('ended');
  });

  it('lets attendees in once live, with every producer on stage, and never lets them publish', async () => {
    expect((await host.client.post(`/api/v1/webinars/${webinarId}/start`)).body.state).toBe('live');
    attendee = await connect();
    const joined = await attendee.ok('join', { role: 'attendee', webinar: webinarId });
    expect(joined).toMatchObject({ role: 'viewer', stage: { role: 'attendee', onStage: false } });
    expect(joined.producers.map((p) => p.producerId).sort()).toEqual(
      [hostMedia.camera, hostMedia.microphone, panelistMedia.camera].sort(),
    );
    // A hand-crafted attempt to publish: no send transport for an attendee, and produce refused.
    const send = await attendee.request('createTransport', { direction: 'send' });
    expect(send.ok).toBe(false);
    const recv = await attendee.ok('createTransport', { direction: 'recv' });
    const forged = await attendee.request('produce', {
      transportId: recv.id,
      kind: 'video',
      rtpParameters: rtpParameters('video'),
      source: 'screen',
    });
    expect(forged.ok ? '' : forged.error.code).toBe('not_on_stage');
    const room = platform.rooms!.rooms().find((r) => r.id === `webinar:${webinarId}`)!;
    expect(room.producers()).toHaveLength(3);
  });

  it('lets the host, and nobody else, choose whose screen share is the main one', async () => {
    const screen = await panelistClient.ok('produce', {
      transportId: panelistMedia.transportId,
      kind: 'video',
      rtpParameters: rtpParameters('video'),
      source: 'screen',
    });
    const panelistPeer = panelistMedia.joined.peerId;
    const byAttendee = await attendee.request('setMainShare', { peerId: panelistPeer });
    expect(byAttendee.ok ? '' : byAttendee.error.code).toBe('not_host');
    const notSharing = await hostClient.request('setMainShare', { peerId: hostMedia.joined.peerId });
    expect(notSharing.ok ? '' : notSharing.error.code).toBe('not_sharing');
    await hostClient.ok('setMainShare', { peerId: panelistPeer });
    await attendee.waitForNotification('producerAdded', (p) => p.producerId === screen.producerId);
    expect(await attendee.waitForNotification('mainShare', (m) => m.peerId !== null)).toEqual({ peerId: panelistPeer });
    panelistMedia.screen = screen.producerId;
  });

  it('keeps a backstage chat for the stage: stored, pushed to the stage live, never to attendees', async () => {
    const url = `/api/v1/webinars/${webinarId}/backstage/messages`;
    const posted = await host.client.post(url, { body: '  Next slide in 10  ' });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ body: 'Next slide in 10', author: { userId: host.id } });
    const pushed = await panelistClient.waitForNotification('backstageMessage', (m) => m.id === posted.body.id);
    expect(pushed).toEqual(posted.body);
    // One more round trip on the attendee's connection: anything sent to it before has arrived.
    await attendee.request('setBackstage', { backstage: true });
    expect(attendee.notificationsOf('backstageMessage')).toEqual([]);

    const reply = await panelist.client.post(url, { body: 'Ready' });
    expect(reply.status).toBe(201);
    // Who joins later reads it all, oldest first.
    expect((await cohost.client.get(url)).body.map((m: { body: string }) => m.body)).toEqual([
      'Next slide in 10',
      'Ready',
    ]);
    // Nobody else reads or writes it; bad messages are refused and change nothing.
    expect((await stranger.client.get(url)).status).toBe(403);
    expect((await stranger.client.post(url, { body: 'hi' })).status).toBe(403);
    expect((await new ApiClient(platform.url).get(url)).status).toBe(401);
    const blank = await host.client.post(url, { body: ' \u200b ' });
    expect([blank.status, blank.body.code]).toEqual([400, 'empty']);
    const long = await host.client.post(url, { body: 'x'.repeat(501) });
    expect([long.status, long.body.code]).toEqual([400, 'too_long']);
    expect((await host.client.post(url, { body: 'a\u0000b' })).status).toBe(400);
    expect((await host.client.get(url)).body).toHaveLength(2);
  });

  it('hides a member who steps backstage from attendees, forged consumes included, and brings them back', async () => {
    const byAttendee = await attendee.request('setBackstage', { backstage: true });
    expect(byAttendee.ok ? '' : byAttendee.error.code).toBe('not_on_stage');
    const hostPeer = hostMedia.joined.peerId;
    await hostClient.ok('setBackstage', { backstage: true });
    await attendee.waitForNotification('producerClosed', (p) => p.producerId === hostMedia.camera);
    await attendee.waitForNotification('producerClosed', (p) => p.producerId === hostMedia.microphone);
    // The stage is told, to mark them, and so are they.
    await panelistClient.waitForNotification('backstage', (b) => b.peerId === hostPeer && b.backstage);
    await hostClient.waitForNotification('backstage', (b) => b.peerId === hostPeer && b.backstage);
    // An attendee asking for the host's camera by its id is refused; one joining now doesn't see it.
    const late = await connect();
    const lateJoin = await late.ok('join', { role: 'attendee', webinar: webinarId });
    const producers = lateJoin.producers.map((p) => p.producerId);
    expect(producers).toContain(panelistMedia.camera);
    expect(producers).not.toContain(hostMedia.camera);
    const recv = await late.ok('createTransport', { direction: 'recv' });
    const forged = await late.request('consume', {
      transportId: recv.id,
      producerId: hostMedia.camera,
      rtpCapabilities: lateJoin.routerRtpCapabilities,
    });
    expect(forged.ok ? '' : forged.error.code).toBe('not_found');
    // Back on stage: attendees get them again.
    await hostClient.ok('setBackstage', { backstage: false });
    await late.waitForNotification('producerAdded', (p) => p.producerId === hostMedia.camera);
    await attendee.waitForNotification('producerAdded', (p) => p.producerId === hostMedia.microphone);
    const consumed = await late.ok('consume', {
      transportId: recv.id,
      producerId: hostMedia.camera,
      rtpCapabilities: lateJoin.routerRtpCapabilities,
    });
    expect(consumed.producerId).toBe(hostMedia.camera);
  });

  it('closes what a panelist publishes the moment the host moves them off stage, and refuses more', async () => {
    const moved = await host.client.patch(`/api/v1/webinars/${webinarId}/members/${panelist.username}`, {
      onStage: false,
    });
    expect(moved.status).toBe(200);
    await attendee.waitForNotification('producerClosed', (p) => p.producerId === panelistMedia.camera);
    await attendee.waitForNotification('producerClosed', (p) => p.producerId === panelistMedia.screen);
    // Their share was the main one: players go back to their default.
    await attendee.waitForNotification('mainShare', (m) => m.peerId === null);
    expect(await panelistClient.waitForNotification('stagePlace')).toMatchObject({ onStage: false, role: 'panelist' });
    const room = platform.rooms!.rooms().find((r) => r.id === `webinar:${webinarId}`)!;
    expect(
      room
        .producers()
        .map((p) => p.producer.id)
        .sort(),
    ).toEqual([hostMedia.camera, hostMedia.microphone].sort());
    const again = await panelistClient.request('produce', {
      transportId: panelistMedia.transportId,
      kind: 'video',
      rtpParameters: rtpParameters('video'),
      source: 'camera',
    });
    expect(again.ok ? '' : again.error.code).toBe('not_on_stage');
  });

  it('lets everyone go when the host ends it', async () => {
    expect((await host.client.post(`/api/v1/webinars/${webinarId}/end`)).body.state).toBe('ended');
    for (const client of [attendee, panelistClient, hostClient])
      expect((await client.waitForNotification('kicked')).reason).toBe('The webinar has ended.');
    await waitFor(() => !platform.rooms!.rooms().some((r) => r.id === `webinar:${webinarId}`), {
      what: "the webinar's room to close",
    });
    // Its backstage chat is history now: read, not written.
    const url = `/api/v1/webinars/${webinarId}/backstage/messages`;
    expect((await host.client.get(url)).body).toHaveLength(2);
    const late = await host.client.post(url, { body: 'Thanks all' });
    expect([late.status, late.body.code]).toEqual([409, 'webinar_ended']);
  });
});
