// PUBLISHER_TAKEOVER: what a second publisher of a live channel gets. With 'replace' (OBS coming
// back after a crash or a network change, the creator going live from another tab) it ends the old
// session and the stream goes on as the same Stream; with 'refuse' it gets 409 and nothing changes.
// Real libwebrtc WHIP publishers, a real mediasoup-client viewer on libwebrtc, the studio's
// socket.io path with the owner's session, a real database.
import { randomBytes } from 'node:crypto';
import wrtc from '@roamhq/wrtc';
import { Device } from 'mediasoup-client';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../api/accounts/auth.ts';
import { createSession } from '../../api/accounts/sessions.ts';
import { createUser } from '../../api/accounts/users.ts';
import {
  MEDIA_NAMESPACE,
  type Ack,
  type MediaMethod,
  type MediaNotification,
  type MediaResponses,
  type RtpParameters,
} from '../../common/protocol/media-signaling.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';
import { completeOffer, publishOverWhip, type WhipPublication } from '../support/whip-publisher.ts';
import { RTCPeerConnection, syntheticMedia } from '../support/wrtc-media.ts';

// mediasoup-client's Chrome handler looks these up as globals, as it would in a browser.
Object.assign(globalThis, { RTCPeerConnection: wrtc.RTCPeerConnection, MediaStream: wrtc.MediaStream });

/** The two publishers send different sizes, so the viewer can tell whose frames it decodes. */
const FIRST_SIZE = { width: 640, height: 360 };
const SECOND_SIZE = { width: 320, height: 180 };

/** What a test started, ended newest first after it, whatever happened in it. */
const cleanups: (() => void)[] = [];
const defer = (cleanup: () => void) => cleanups.push(cleanup);
function cleanUp(): void {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
}

async function publish(platform: TestPlatform, channel: TestChannel, size = FIRST_SIZE): Promise<WhipPublication> {
  const publication = await publishOverWhip(platform.url, channel.streamKey, size);
  defer(() => publication.vanish());
  return publication;
}

function sessionRequest(
  platform: TestPlatform,
  channel: TestChannel,
  location: string,
  method: 'DELETE' | 'PATCH',
): Promise<Response> {
  // A trickled candidate (no new credentials, so no ICE restart): answered 204 by a live session.
  const trickle =
    'm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2113937151 127.0.0.1 50000 typ host\r\n';
  return fetch(`${platform.url}${location}`, {
    method,
    headers: {
      authorization: `Bearer ${channel.streamKey}`,
      ...(method === 'PATCH' && { 'content-type': 'application/trickle-ice-sdpfrag' }),
    },
    ...(method === 'PATCH' && { body: trickle }),
  });
}

async function channelRow(platform: TestPlatform, channel: TestChannel) {
  return platform.database!.prisma.channel.findUniqueOrThrow({
    where: { slug: channel.slug },
    include: { streams: { orderBy: { createdAt: 'asc' } } },
  });
}

async function liveStream(platform: TestPlatform, channel: TestChannel) {
  return waitFor(async () => (await channelRow(platform, channel)).streams.find((s) => s.state === 'live'), {
    what: 'a live Stream row',
  });
}

/** Every Stream row of the channel, as id and state. */
async function streamsOf(platform: TestPlatform, channel: TestChannel) {
  return (await channelRow(platform, channel)).streams.map(({ id, state }) => ({ id, state }));
}

async function publisherIdsIn(platform: TestPlatform, channel: TestChannel): Promise<string[]> {
  const room = platform.rooms!.get((await channelRow(platform, channel)).id);
  return (room?.peers() ?? []).filter((peer) => peer.role === 'publisher').map((peer) => peer.id);
}

/** The SFU peer id of a WHIP session, from its URL. */
const whipPeerId = (publication: WhipPublication) => `whip:${publication.location.split('/').pop()}`;

/** A signed-in follower of the channel, so a go-live notification is there to count. */
async function addFollower(platform: TestPlatform, channel: TestChannel): Promise<string> {
  const prisma = platform.database!.prisma;
  const user = await createUser(prisma, {
    email: `follower-${randomBytes(4).toString('hex')}@example.test`,
    password: 'correct horse battery',
  });
  await prisma.follow.create({ data: { userId: user.id, channelId: (await channelRow(platform, channel)).id } });
  return user.id;
}

const goLiveNotifications = (platform: TestPlatform, userId: string) =>
  platform.database!.prisma.notification.findMany({ where: { userId } });

/**
 * A viewer as the channel page's player is one: mediasoup-client on the signaling protocol, with
 * libwebrtc standing in for the browser. It consumes the video producers it is told about and
 * counts decoded frames by width.
 */
interface Viewer {
  signaling: TestSignalingClient;
  /** Consumes a producer, as the player does on join and on `producerAdded`. */
  consume(producerId: string): Promise<void>;
  framesOfWidth(width: number): number;
  close(): void;
}

async function watch(platform: TestPlatform, channel: TestChannel): Promise<Viewer> {
  const signaling = await TestSignalingClient.connect(platform.url);
  const joined = await signaling.ok('join', { role: 'viewer', channel: channel.slug });
  const device = await Device.factory({ handlerFactory: Chrome111.createFactory() });
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const transport = device.createRecvTransport(await signaling.ok('createTransport', { direction: 'recv' }));
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signaling.ok('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
  });
  const frames = new Map<number, number>();
  const sinks: { stop(): void }[] = [];
  const viewer: Viewer = {
    signaling,
    async consume(producerId) {
      const info = await signaling.ok('consume', {
        transportId: transport.id,
        producerId,
        rtpCapabilities: device.recvRtpCapabilities,
      });
      const consumer = await transport.consume({
        id: info.id,
        producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters,
      });
      const sink = new wrtc.nonstandard.RTCVideoSink(consumer.track);
      sink.onframe = ({ frame }: { frame: { width: number } }) =>
        frames.set(frame.width, (frames.get(frame.width) ?? 0) + 1);
      sinks.push(sink);
      await signaling.ok('resumeConsumer', { consumerId: info.id });
    },
    framesOfWidth: (width) => frames.get(width) ?? 0,
    close() {
      for (const sink of sinks) sink.stop();
      transport.close();
      signaling.close();
    },
  };
  defer(() => viewer.close());
  for (const producer of joined.producers.filter((p) => p.kind === 'video')) await viewer.consume(producer.producerId);
  return viewer;
}

/** The web studio's connection: the owner's session cookie and our own Origin in the handshake. */
interface Studio {
  socket: Socket;
  notifications: MediaNotification[];
  request<M extends MediaMethod>(method: M, data: unknown): Promise<Ack<MediaResponses[M]>>;
  /** Joins as the channel's publisher and starts a (synthetic) camera: the channel goes live. */
  goLive(): Promise<void>;
}

async function openStudio(platform: TestPlatform, channel: TestChannel): Promise<Studio> {
  const prisma = platform.database!.prisma;
  const owner = await prisma.user.findUniqueOrThrow({ where: { email: channel.ownerEmail } });
  const { token } = await createSession(prisma, owner.id);
  const socket = connectSocket(`${platform.url}${MEDIA_NAMESPACE}`, {
    forceNew: true,
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: `${SESSION_COOKIE}=${token}`, origin: platform.url },
  });
  defer(() => socket.disconnect());
  const notifications: MediaNotification[] = [];
  socket.on('notification', (notification: MediaNotification) => notifications.push(notification));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const request = <M extends MediaMethod>(method: M, data: unknown) =>
    socket.timeout(10_000).emitWithAck('request', { method, data }) as Promise<Ack<MediaResponses[M]>>;
  const ok = async <M extends MediaMethod>(method: M, data: unknown): Promise<MediaResponses[M]> => {
    const ack = await request(method, data);
    if (!ack.ok) throw new Error(`'${method}' failed: ${ack.error.code}: ${ack.error.message}`);
    return ack.data;
  };
  return {
    socket,
    notifications,
    request,
    async goLive() {
      await ok('join', { role: 'publisher', channel: channel.slug });
      const send = await ok('createTransport', { direction: 'send' });
      // What a browser's camera producer announces; produce is answered once the stream is live.
      const rtpParameters = {
        mid: '0',
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: 96,
            clockRate: 90000,
            parameters: {},
            rtcpFeedback: [{ type: 'nack' }],
          },
        ],
        headerExtensions: [],
        encodings: [{ ssrc: randomBytes(4).readUInt32BE() || 1 }],
        rtcp: { cname: 'studio', reducedSize: true },
      } as RtpParameters;
      await ok('produce', { transportId: send.id, kind: 'video', rtpParameters, source: 'camera' });
    },
  };
}

describe('PUBLISHER_TAKEOVER=replace', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // No stream ends by its grace period during a test: what happens to it is the takeover's doing.
    platform = await startTestPlatform({ PUBLISHER_TAKEOVER: 'replace', STREAM_END_GRACE_MS: '60000' });
  });
  afterAll(async () => {
    cleanUp();
    await platform?.close();
  });

  it('a second WHIP publish with the key takes over: the old session is gone, the stream goes on, viewers get the new media', async () => {
    const channel = await createTestChannel(platform);
    const follower = await addFollower(platform, channel);
    const first = await publish(platform, channel, FIRST_SIZE);
    const stream = await liveStream(platform, channel);
    await waitFor(async () => (await goLiveNotifications(platform, follower)).length === 1, {
      what: 'the go-live notification',
    });
    const viewer = await watch(platform, channel);
    await waitFor(() => viewer.framesOfWidth(FIRST_SIZE.width) > 10, {
      timeoutMs: 20_000,
      what: "the first publisher's frames at the viewer",
    });

    // OBS restarted: a new session with the same key, while the old one is still on the server.
    const second = await publish(platform, channel, SECOND_SIZE);

    // The old session's URL says why it is gone, so its encoder can stop rather than take back.
    for (const method of ['PATCH', 'DELETE'] as const) {
      const asked = await sessionRequest(platform, channel, first.location, method);
      expect(asked.status).toBe(409);
      expect(((await asked.json()) as { code: string }).code).toBe('taken_over');
    }
    expect(await publisherIdsIn(platform, channel)).toEqual([whipPeerId(second)]);
    // Viewers are told of the new producers as when a publisher comes back within the grace period.
    const added = await viewer.signaling.waitForNotification('producerAdded', (p) => p.kind === 'video');
    await viewer.consume(added.producerId);
    await waitFor(() => viewer.framesOfWidth(SECOND_SIZE.width) > 10, {
      timeoutMs: 20_000,
      what: "the new publisher's frames at the viewer",
    });

    expect(await streamsOf(platform, channel)).toEqual([{ id: stream.id, state: 'live' }]);
    expect(
      viewer.signaling.notificationsOf('streamStatus').every((status) => status.live && status.streamId === stream.id),
    ).toBe(true);
    expect(await goLiveNotifications(platform, follower)).toHaveLength(1);

    // The new session is the channel's publisher in every way: it ends the stream.
    expect((await sessionRequest(platform, channel, second.location, 'DELETE')).status).toBe(200);
    await waitFor(async () => (await streamsOf(platform, channel))[0]?.state === 'ended', {
      what: 'the stream to end',
    });
    cleanUp();
  });

  it('an offer that is refused takes nothing over: the running publisher stays, and so does its stream', async () => {
    const channel = await createTestChannel(platform);
    const first = await publish(platform, channel, FIRST_SIZE);
    const stream = await liveStream(platform, channel);

    // A garbage body and an offer with no codec we take, each with the right key.
    const video = 'm=video 9 UDP/TLS/RTP/SAVPF 45\r\na=mid:0\r\na=sendonly\r\na=rtpmap:45 AV1/90000\r\n';
    const av1Only = `v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 ${'AB:'.repeat(31)}AB\r\na=setup:actpass\r\n${video}`;
    for (const body of ['v=0\r\n', av1Only]) {
      const refused = await fetch(`${platform.url}/api/whip`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp', authorization: `Bearer ${channel.streamKey}` },
        body,
      });
      expect(refused.status, await refused.text()).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
    }

    // The first session still holds the channel: a trickle PATCH is answered as for a live session.
    expect((await sessionRequest(platform, channel, first.location, 'PATCH')).status).toBe(204);
    expect(await publisherIdsIn(platform, channel)).toEqual([whipPeerId(first)]);
    expect(await streamsOf(platform, channel)).toEqual([{ id: stream.id, state: 'live' }]);
    cleanUp();
  });

  it('publishers arriving at the same moment: the channel ends up with exactly one', async () => {
    const channel = await createTestChannel(platform);
    const pc = new RTCPeerConnection();
    const media = syntheticMedia();
    pc.addTransceiver(media.video, { direction: 'sendonly' });
    pc.addTransceiver(media.audio, { direction: 'sendonly' });
    const offer = await completeOffer(pc);
    media.stop();
    pc.close();

    const responses = await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(`${platform.url}/api/whip`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp', authorization: `Bearer ${channel.streamKey}` },
          body: offer,
        }),
      ),
    );

    // Each was either taken over later (its URL then answers 409 taken_over) or overtaken while
    // starting (409).
    for (const response of responses) expect([201, 409]).toContain(response.status);
    const locations = responses.filter((r) => r.status === 201).map((r) => r.headers.get('location')!);
    expect(await publisherIdsIn(platform, channel)).toHaveLength(1);
    const statuses = [];
    for (const location of locations)
      statuses.push((await sessionRequest(platform, channel, location, 'DELETE')).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(await publisherIdsIn(platform, channel)).toEqual([]);
    expect((await streamsOf(platform, channel)).map((s) => s.state)).toEqual(['ended']);
  });

  it('the studio takes over from OBS, and OBS takes it back: one stream throughout, the studio told why', async () => {
    const channel = await createTestChannel(platform);
    const obs = await publish(platform, channel);
    const stream = await liveStream(platform, channel);

    const studio = await openStudio(platform, channel);
    await studio.goLive();
    expect((await sessionRequest(platform, channel, obs.location, 'DELETE')).status).toBe(409);
    expect(await publisherIdsIn(platform, channel)).toEqual([
      expect.stringMatching(new RegExp(`^${studio.socket.id}:`)),
    ]);
    expect(await streamsOf(platform, channel)).toEqual([{ id: stream.id, state: 'live' }]);

    const obsAgain = await publish(platform, channel);
    const kicked = await waitFor(() => studio.notifications.find((n) => n.method === 'kicked'), {
      what: "the studio's kicked notification",
    });
    expect(kicked.data).toEqual({ reason: expect.stringMatching(/went live .* from somewhere else/) });
    expect(await publisherIdsIn(platform, channel)).toEqual([whipPeerId(obsAgain)]);
    // The replaced studio session holds nothing any more; its socket still answers.
    const ack = await studio.request('createTransport', { direction: 'send' });
    expect(!ack.ok && ack.error.code).toBe('bad_request');
    expect(await streamsOf(platform, channel)).toEqual([{ id: stream.id, state: 'live' }]);

    await sessionRequest(platform, channel, obsAgain.location, 'DELETE');
    cleanUp();
  });
});

describe('PUBLISHER_TAKEOVER=refuse', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ PUBLISHER_TAKEOVER: 'refuse', STREAM_END_GRACE_MS: '60000' });
  });
  afterAll(async () => {
    cleanUp();
    await platform?.close();
  });

  it('a second WHIP publish gets 409 saying how to take over or to wait, and nothing changes', async () => {
    const channel = await createTestChannel(platform);
    const first = await publish(platform, channel);
    const stream = await liveStream(platform, channel);
    const publishers = await publisherIdsIn(platform, channel);

    const pc = new RTCPeerConnection();
    defer(() => pc.close());
    pc.addTransceiver('video', { direction: 'sendonly' });
    const response = await fetch(`${platform.url}/api/whip`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${channel.streamKey}` },
      body: await completeOffer(pc),
    });

    expect(response.status).toBe(409);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('already_live');
    expect(problem.detail).toMatch(/PUBLISHER_TAKEOVER=replace/);
    expect(problem.detail).toMatch(/wait/);
    expect(await publisherIdsIn(platform, channel)).toEqual(publishers);
    expect(await streamsOf(platform, channel)).toEqual([{ id: stream.id, state: 'live' }]);
    expect((await sessionRequest(platform, channel, first.location, 'PATCH')).status).toBe(204);
    expect((await sessionRequest(platform, channel, first.location, 'DELETE')).status).toBe(200);
    cleanUp();
  });

  it("the owner's studio is refused the same way while OBS is on, and OBS carries on", async () => {
    const channel = await createTestChannel(platform);
    const obs = await publish(platform, channel);
    const stream = await liveStream(platform, channel);

    const studio = await openStudio(platform, channel);
    const ack = await studio.request('join', { role: 'publisher', channel: channel.slug });

    expect(ack.ok).toBe(false);
    expect(!ack.ok && ack.error).toEqual({
      code: 'already_live',
      message: expect.stringMatching(/PUBLISHER_TAKEOVER=replace/),
    });
    expect(await publisherIdsIn(platform, channel)).toEqual([whipPeerId(obs)]);
    expect(studio.notifications.filter((n) => n.method === 'kicked')).toEqual([]);
    expect(await streamsOf(platform, channel)).toEqual([{ id: stream.id, state: 'live' }]);
    expect((await sessionRequest(platform, channel, obs.location, 'DELETE')).status).toBe(200);
    cleanUp();
  });
});
