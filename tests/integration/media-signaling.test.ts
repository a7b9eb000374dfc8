// Media signaling over a real socket.io connection to the whole platform (real mediasoup worker,
// real database): what a join answers, and that every way a client can get it wrong is answered
// `{ ok: false, error: { code, message } }` with the documented stable code, and leaves no trace:
// no Stream row, no publisher in a room, no half-made transport.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { SESSION_COOKIE } from '../../api/accounts/auth.ts';
import { createSession, invalidateSession, sessionIdOf } from '../../api/accounts/sessions.ts';
import { createUser, type UserRole } from '../../api/accounts/users.ts';
import {
  MEDIA_NAMESPACE,
  type Ack,
  type JoinResult,
  type MediaMethod,
  type MediaResponses,
  type RtpParameters,
} from '../../common/protocol/media-signaling.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import { databaseTargets } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';

const DTLS = {
  role: 'client' as const,
  fingerprints: [
    {
      algorithm: 'sha-256' as const,
      value: Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase()).join(':'),
    },
  ],
};

/** RTP parameters a real sender could announce: one codec the router offers, one SSRC. */
function rtpParameters(kind: 'audio' | 'video', mid: string): RtpParameters {
  const codec =
    kind === 'audio'
      ? {
          mimeType: 'audio/opus',
          payloadType: 111,
          clockRate: 48000,
          channels: 2,
          parameters: { useinbandfec: 1 },
          rtcpFeedback: [],
        }
      : {
          mimeType: 'video/VP8',
          payloadType: 96,
          clockRate: 90000,
          parameters: {},
          rtcpFeedback: [{ type: 'nack' }, { type: 'ccm', parameter: 'fir' }],
        };
  return {
    mid,
    codecs: [codec],
    headerExtensions: [],
    encodings: [{ ssrc: randomBytes(4).readUInt32BE() || 1 }],
    rtcp: { cname: 'test-sender', reducedSize: true },
  } as RtpParameters;
}

function errorOf(ack: Ack<unknown>): { code: string; message: string } {
  if (ack.ok) throw new Error(`expected an error ack, got success with ${JSON.stringify(ack.data).slice(0, 300)}`);
  expect(typeof ack.error.message).toBe('string');
  expect(ack.error.message.length).toBeGreaterThan(0);
  return ack.error;
}

describe.each(databaseTargets())('media signaling on $name', (target) => {
  let platform: TestPlatform;
  let dispose: () => Promise<void>;
  const clients: TestSignalingClient[] = [];
  /** Connections opened with a browser's handshake headers (cookie, Origin), which TestSignalingClient does not send. */
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    const env: Record<string, string> = { MEDIA_WORKERS: '1', PUBLISHER_TAKEOVER: 'refuse' };
    if (created.options.kind === 'postgresql') env.DATABASE_URL = created.options.url;
    platform = await startTestPlatform(env);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await platform?.close();
    await dispose?.();
  });

  async function connect(): Promise<TestSignalingClient> {
    const client = await TestSignalingClient.connect(platform.url);
    clients.push(client);
    return client;
  }

  const prisma = () => platform.database!.prisma;
  const channelId = async (slug: string) => (await prisma().channel.findUniqueOrThrow({ where: { slug } })).id;
  const streamsOf = async (slug: string) => prisma().stream.findMany({ where: { channelId: await channelId(slug) } });
  const peersIn = async (slug: string) => platform.rooms!.get(await channelId(slug))?.peers() ?? [];
  const publishersIn = async (slug: string) => (await peersIn(slug)).filter((peer) => peer.role === 'publisher');
  const publisherIdsEverywhere = () =>
    new Set(
      platform.rooms!.rooms().flatMap((room) =>
        room
          .peers()
          .filter((peer) => peer.role === 'publisher')
          .map((peer) => peer.id),
      ),
    );

  /** No Stream row, and no publisher in the channel's room: a failed publish left nothing behind. */
  async function expectNothingPublished(channel: TestChannel): Promise<void> {
    expect(await streamsOf(channel.slug)).toEqual([]);
    expect(await publishersIn(channel.slug)).toEqual([]);
  }

  async function joinAsViewer(channel: TestChannel): Promise<{ client: TestSignalingClient; joined: JoinResult }> {
    const client = await connect();
    const joined = await client.ok('join', { role: 'viewer', channel: channel.slug });
    return { client, joined };
  }

  async function joinAsPublisher(channel: TestChannel): Promise<{ client: TestSignalingClient; joined: JoinResult }> {
    const client = await connect();
    const joined = await client.ok('join', { role: 'publisher', streamKey: channel.streamKey });
    return { client, joined };
  }

  /** Goes live on `channel` with a microphone producer (no media flows); answers its id. */
  async function publishMicrophone(channel: TestChannel): Promise<string> {
    const { client: publisher } = await joinAsPublisher(channel);
    const send = await publisher.ok('createTransport', { direction: 'send' });
    const { producerId } = await publisher.ok('produce', {
      transportId: send.id,
      kind: 'audio',
      rtpParameters: rtpParameters('audio', '0'),
      source: 'microphone',
    });
    return producerId;
  }

  describe('join', () => {
    it('gives a viewer of an offline channel the router capabilities (Opus, VP8, H.264), no producers, and an offline status', async () => {
      const channel = await createTestChannel(platform);
      const { client, joined } = await joinAsViewer(channel);

      expect(joined).toMatchObject({ role: 'viewer', channel: channel.slug, producers: [] });
      expect(joined.peerId).toMatch(new RegExp(`^${client.id}:`));
      const mimeTypes = joined.routerRtpCapabilities.codecs!.map((codec) => codec.mimeType.toLowerCase());
      expect(mimeTypes).toEqual(expect.arrayContaining(['audio/opus', 'video/vp8', 'video/h264']));
      expect(joined.stream).toEqual({
        channel: channel.slug,
        live: false,
        streamId: null,
        viewers: 1,
        startedAt: null,
      });
      expect((await peersIn(channel.slug)).map((peer) => peer.id)).toEqual([joined.peerId]);
    });

    it('finds the channel whatever the case of the slug', async () => {
      const channel = await createTestChannel(platform);
      const client = await connect();

      const joined = await client.ok('join', { role: 'viewer', channel: channel.slug.toUpperCase() });

      expect(joined.channel).toBe(channel.slug);
    });

    it('answers createTransport with ICE candidates on 127.0.0.1, one UDP and one TCP', async () => {
      const channel = await createTestChannel(platform);
      const { client } = await joinAsViewer(channel);

      const transport = await client.ok('createTransport', { direction: 'recv' });

      expect(transport.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(transport.iceParameters.usernameFragment).toEqual(expect.any(String));
      expect(transport.iceParameters.password).toEqual(expect.any(String));
      expect(transport.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
      const candidates = transport.iceCandidates as unknown as {
        ip?: string;
        address?: string;
        protocol: string;
        port: number;
      }[];
      expect(candidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
      for (const candidate of candidates) {
        // mediasoup 3.12 names the field `ip`; newer versions and mediasoup-client say `address`.
        expect(candidate.address ?? candidate.ip).toBe('127.0.0.1');
        expect(candidate.port).toBeGreaterThan(0);
      }
    });

    it('puts the media of a publisher on the air: one live Stream row, and viewers hear of the producer and the status', async () => {
      const channel = await createTestChannel(platform);
      const { client: viewer } = await joinAsViewer(channel);
      const { client: publisher } = await joinAsPublisher(channel);
      const send = await publisher.ok('createTransport', { direction: 'send' });

      const { producerId } = await publisher.ok('produce', {
        transportId: send.id,
        kind: 'video',
        rtpParameters: rtpParameters('video', '0'),
        source: 'camera',
      });

      // produce is answered once the stream is recorded as live.
      const rows = await streamsOf(channel.slug);
      expect(rows).toHaveLength(1);
      const [row] = rows;
      expect(row).toMatchObject({ state: 'live', endedAt: null });
      await viewer.waitForNotification('producerAdded', (p) => p.producerId === producerId);
      expect(viewer.notificationsOf('producerAdded')).toEqual([
        { producerId, kind: 'video', source: 'camera', paused: false },
      ]);
      await viewer.waitForNotification('streamStatus', (s) => s.live && s.streamId === row!.id);
    });

    it('makes one Stream row when a publisher starts all its sources at once', async () => {
      const channel = await createTestChannel(platform);
      const { client: publisher } = await joinAsPublisher(channel);
      const send = await publisher.ok('createTransport', { direction: 'send' });

      // A browser sends camera and microphone (and a screen share) together, without waiting.
      await Promise.all([
        publisher.ok('produce', {
          transportId: send.id,
          kind: 'audio',
          rtpParameters: rtpParameters('audio', '0'),
          source: 'microphone',
        }),
        publisher.ok('produce', {
          transportId: send.id,
          kind: 'video',
          rtpParameters: rtpParameters('video', '1'),
          source: 'camera',
        }),
        publisher.ok('produce', {
          transportId: send.id,
          kind: 'video',
          rtpParameters: rtpParameters('video', '2'),
          source: 'screen',
        }),
        publisher.ok('produce', {
          transportId: send.id,
          kind: 'audio',
          rtpParameters: rtpParameters('audio', '3'),
          source: 'screen-audio',
        }),
      ]);

      const rows = await streamsOf(channel.slug);
      expect(rows.map((r) => r.state)).toEqual(['live']);
    });
  });

  describe('refuses, with a stable code, and changes nothing', () => {
    it('a second producer announced with the MID of the first: media_parameters_in_use, not a 500', async () => {
      const channel = await createTestChannel(platform);
      const { client: publisher } = await joinAsPublisher(channel);
      const send = await publisher.ok('createTransport', { direction: 'send' });
      const first = await publisher.ok('produce', {
        transportId: send.id,
        kind: 'video',
        rtpParameters: rtpParameters('video', '1'),
        source: 'camera',
      });
      const clash = await publisher.request('produce', {
        transportId: send.id,
        kind: 'video',
        rtpParameters: rtpParameters('video', '1'),
        source: 'screen',
      });
      expect(clash.ok ? '' : clash.error.code).toBe('media_parameters_in_use');
      const room = platform.rooms!.rooms().find((r) => r.producers().some((p) => p.producer.id === first.producerId));
      expect(room?.producers().map((p) => p.source)).toEqual(['camera']);
    });

    it("a publisher with a key that isn't one: unauthorized", async () => {
      const channel = await createTestChannel(platform);
      const client = await connect();
      const wrongKeys = [
        `live_${randomBytes(20).toString('base64url')}`,
        `${channel.streamKey.slice(0, -1)}${channel.streamKey.endsWith('A') ? 'B' : 'A'}`,
        channel.streamKey.toUpperCase(),
        'x',
      ];

      const publishersBefore = publisherIdsEverywhere();

      for (const streamKey of wrongKeys) {
        expect(errorOf(await client.request('join', { role: 'publisher', streamKey })).code, streamKey).toBe(
          'unauthorized',
        );
      }

      await expectNothingPublished(channel);
      // Nor in any other channel's room.
      expect([...publisherIdsEverywhere()].filter((id) => !publishersBefore.has(id))).toEqual([]);
      // The refused session is not half-joined: it can still join as a viewer.
      await client.ok('join', { role: 'viewer', channel: channel.slug });
    });

    it('a publisher whose key was revoked: unauthorized', async () => {
      const channel = await createTestChannel(platform);
      const client = await connect();
      await client.ok('join', { role: 'publisher', streamKey: channel.streamKey });
      await client.ok('leave', {});
      await waitFor(async () => (await peersIn(channel.slug)).length === 0, {
        what: 'the publisher to leave the room',
      });

      await runAdminCommand(
        { prisma: prisma(), publicUrl: platform.url },
        { command: 'stream-key.revoke', channel: channel.slug },
      );

      expect(errorOf(await client.request('join', { role: 'publisher', streamKey: channel.streamKey })).code).toBe(
        'unauthorized',
      );
      const other = await connect();
      expect(errorOf(await other.request('join', { role: 'publisher', streamKey: channel.streamKey })).code).toBe(
        'unauthorized',
      );
      await expectNothingPublished(channel);
    });

    it('a viewer of a channel that does not exist: not_found', async () => {
      const client = await connect();
      const slug = `missing-${randomBytes(4).toString('hex')}`;
      const roomsBefore = new Set(platform.rooms!.rooms().map((room) => room.id));

      const error = errorOf(await client.request('join', { role: 'viewer', channel: slug }));

      expect(error.code).toBe('not_found');
      expect(error.message).toContain(slug);
      expect(platform.rooms!.rooms().filter((room) => !roomsBefore.has(room.id))).toEqual([]);
    });

    it('any request but join before joining: bad_request', async () => {
      const client = await connect();
      const id = randomUUID();
      const beforeJoin = [
        client.request('createTransport', { direction: 'recv' }),
        client.request('createTransport', { direction: 'send' }),
        client.request('connectTransport', { transportId: id, dtlsParameters: DTLS }),
        client.request('restartIce', { transportId: id }),
        client.request('produce', {
          transportId: id,
          kind: 'audio',
          rtpParameters: rtpParameters('audio', '0'),
          source: 'microphone',
        }),
        client.request('closeProducer', { producerId: id }),
        client.request('pauseProducer', { producerId: id }),
        client.request('resumeProducer', { producerId: id }),
        client.request('consume', { transportId: id, producerId: id, rtpCapabilities: { codecs: [] } }),
        client.request('resumeConsumer', { consumerId: id }),
        client.request('setPreferredLayers', { consumerId: id, spatialLayer: 0 }),
      ];

      const codes = (await Promise.all(beforeJoin)).map((ack) => errorOf(ack).code);

      expect(codes).toEqual(beforeJoin.map(() => 'bad_request'));
      // Leaving without having joined is harmless, not an error.
      expect(await client.request('leave', {})).toEqual({ ok: true, data: {} });
    });

    it('a malformed request: bad_request, and the connection stays usable', async () => {
      const channel = await createTestChannel(platform);
      const client = await connect();
      const malformed: unknown[] = [
        'join',
        42,
        null,
        [],
        [{ method: 'join', data: { role: 'viewer', channel: channel.slug } }],
        { method: 'nope', data: {} },
        { method: 'join', data: 'viewer' },
        { method: 'join', data: { role: 'admin', channel: channel.slug } },
        { method: 'join', data: { role: 'viewer', channel: 'x'.repeat(100_000) } },
        { method: 'createTransport', data: { direction: 'both' } },
        { method: 'setPreferredLayers', data: { consumerId: 'c', spatialLayer: 99 } },
      ];

      for (const payload of malformed) {
        expect(errorOf(await client.send(payload)).code, JSON.stringify(payload).slice(0, 80)).toBe('bad_request');
      }

      expect(client.connected).toBe(true);
      expect(await peersIn(channel.slug)).toEqual([]);
      await client.ok('join', { role: 'viewer', channel: channel.slug });
    });

    it('a viewer asking to send: forbidden, and no transport is spent on it', async () => {
      const channel = await createTestChannel(platform);
      const { client } = await joinAsViewer(channel);

      expect(errorOf(await client.request('createTransport', { direction: 'send' })).code).toBe('forbidden');
      const recv = await client.ok('createTransport', { direction: 'recv' });
      expect(
        errorOf(
          await client.request('produce', {
            transportId: recv.id,
            kind: 'audio',
            rtpParameters: rtpParameters('audio', '0'),
            source: 'microphone',
          }),
        ).code,
      ).toBe('forbidden');

      // The refused send transport did not count against the peer's two.
      await client.ok('createTransport', { direction: 'recv' });
      expect(errorOf(await client.request('createTransport', { direction: 'recv' })).code).toBe('too_many_transports');
      expect(await streamsOf(channel.slug)).toEqual([]);
    });

    it('a second publisher while the first is on: already_live, and the first carries on alone', async () => {
      const channel = await createTestChannel(platform);
      const { client: first, joined } = await joinAsPublisher(channel);
      const second = await connect();

      expect(errorOf(await second.request('join', { role: 'publisher', streamKey: channel.streamKey })).code).toBe(
        'already_live',
      );

      expect((await publishersIn(channel.slug)).map((peer) => peer.id)).toEqual([joined.peerId]);
      expect(await streamsOf(channel.slug)).toEqual([]);
      // The refused session did not join anything...
      expect(errorOf(await second.request('createTransport', { direction: 'send' })).code).toBe('bad_request');
      // ...and the first publisher's session still works.
      await first.ok('createTransport', { direction: 'send' });
    });

    it('publishers joining at the same moment: one gets in, the others already_live', async () => {
      const channel = await createTestChannel(platform);
      const sessions = await Promise.all(Array.from({ length: 4 }, () => connect()));

      const acks = await Promise.all(
        sessions.map((session) => session.request('join', { role: 'publisher', streamKey: channel.streamKey })),
      );

      expect(acks.filter((ack) => ack.ok)).toHaveLength(1);
      expect(acks.filter((ack) => !ack.ok).map((ack) => errorOf(ack).code)).toEqual([
        'already_live',
        'already_live',
        'already_live',
      ]);
      expect(await publishersIn(channel.slug)).toHaveLength(1);
    });

    it('joining twice on one connection: already_joined, as a viewer or as a publisher', async () => {
      const channel = await createTestChannel(platform);
      const { client, joined } = await joinAsViewer(channel);

      expect(errorOf(await client.request('join', { role: 'viewer', channel: channel.slug })).code).toBe(
        'already_joined',
      );
      expect(errorOf(await client.request('join', { role: 'publisher', streamKey: channel.streamKey })).code).toBe(
        'already_joined',
      );

      expect((await peersIn(channel.slug)).map((peer) => peer.id)).toEqual([joined.peerId]);
      await expectNothingPublished(channel);
    });

    it("connecting a transport that isn't yours: not_found, and its owner still can", async () => {
      const channel = await createTestChannel(platform);
      const { client: owner } = await joinAsViewer(channel);
      const { client: intruder } = await joinAsViewer(channel);
      const transport = await owner.ok('createTransport', { direction: 'recv' });

      expect(
        errorOf(await intruder.request('connectTransport', { transportId: transport.id, dtlsParameters: DTLS })).code,
      ).toBe('not_found');
      expect(errorOf(await intruder.request('restartIce', { transportId: transport.id })).code).toBe('not_found');

      await owner.ok('connectTransport', { transportId: transport.id, dtlsParameters: DTLS });
    });

    it('producing with garbage RTP parameters on a real send transport: bad_request, and nothing goes live', async () => {
      const channel = await createTestChannel(platform);
      const { client } = await joinAsPublisher(channel);
      const send = await client.ok('createTransport', { direction: 'send' });
      const garbage = [
        { codecs: 'opus' },
        { codecs: [{ mimeType: 42, payloadType: 'x' }] },
        { codecs: [], encodings: [{ ssrc: 'one' }] },
        { mid: 7, codecs: [] },
      ];

      for (const params of garbage) {
        const ack = await client.request('produce', {
          transportId: send.id,
          kind: 'audio',
          rtpParameters: params as never,
          source: 'microphone',
        });
        expect(errorOf(ack).code, JSON.stringify(params)).toBe('bad_request');
      }

      expect(platform.rooms!.get(await channelId(channel.slug))!.producers()).toEqual([]);
      expect(await streamsOf(channel.slug)).toEqual([]);
      // The microphone slot is still free.
      await client.ok('produce', {
        transportId: send.id,
        kind: 'audio',
        rtpParameters: rtpParameters('audio', '0'),
        source: 'microphone',
      });
    });

    it('producing a codec the server does not offer: bad_request (the client chose it), not internal', async () => {
      const channel = await createTestChannel(platform);
      const { client } = await joinAsPublisher(channel);
      const send = await client.ok('createTransport', { direction: 'send' });
      const av1 = {
        mid: '0',
        codecs: [{ mimeType: 'video/AV1', payloadType: 45, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
        headerExtensions: [],
        encodings: [{ ssrc: 1234 }],
        rtcp: { cname: 'x' },
      };

      const ack = await client.request('produce', {
        transportId: send.id,
        kind: 'video',
        rtpParameters: av1 as never,
        source: 'camera',
      });

      expect(errorOf(ack).code).toBe('bad_request');
      expect(await streamsOf(channel.slug)).toEqual([]);
    });

    it('consuming a producer that does not exist: not_found (while a real one can be consumed)', async () => {
      const channel = await createTestChannel(platform);
      const producerId = await publishMicrophone(channel);
      const { client: viewer, joined } = await joinAsViewer(channel);
      const recv = await viewer.ok('createTransport', { direction: 'recv' });
      const rtpCapabilities = joined.routerRtpCapabilities;

      expect(
        errorOf(await viewer.request('consume', { transportId: recv.id, producerId: randomUUID(), rtpCapabilities }))
          .code,
      ).toBe('not_found');
      expect(errorOf(await viewer.request('resumeConsumer', { consumerId: randomUUID() })).code).toBe('not_found');

      const consumer = await viewer.ok('consume', { transportId: recv.id, producerId, rtpCapabilities });
      expect(consumer).toMatchObject({ producerId, kind: 'audio', source: 'microphone' });
    });

    it('resuming a consumer whose producer closed on the way to the worker: not_found, not a failure', async () => {
      const channel = await createTestChannel(platform);
      const producerId = await publishMicrophone(channel);
      // In-process, to order the two worker requests: the close is sent first, the resume right
      // behind it, while this side still holds the consumer as open.
      const room = platform.rooms!.get(await channelId(channel.slug))!;
      const viewer = await room.join(`in-process-${randomUUID()}`, 'viewer');
      try {
        const recv = await viewer.createTransport('recv');
        const consumer = await viewer.consume(recv.id, producerId, 'microphone', viewer.rtpCapabilities);
        room
          .producers()
          .find((entry) => entry.producer.id === producerId)!
          .producer.close();
        expect(consumer.closed).toBe(false);

        await expect(viewer.resumeConsumer(consumer.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
        await waitFor(() => consumer.closed, { what: 'the consumer to close' });
      } finally {
        viewer.close();
      }
    });

    it('more than 50 requests in a second: rate_limited, and a limited request does nothing', async () => {
      const channel = await createTestChannel(platform);
      const client = await connect();
      const flood = [
        ...Array.from({ length: 50 }, () => client.request('createTransport', { direction: 'recv' })),
        ...Array.from({ length: 10 }, () => client.request('join', { role: 'viewer', channel: channel.slug })),
      ];

      const codes = (await Promise.all(flood)).map((ack) => errorOf(ack).code);

      expect(codes.slice(0, 50).every((code) => code === 'bad_request')).toBe(true);
      expect(codes.slice(50)).toContain('rate_limited');
      expect(
        codes.slice(50).every((code) => code === 'rate_limited'),
        codes.slice(50).join(),
      ).toBe(true);
      expect(await peersIn(channel.slug)).toEqual([]);
      // The limit is per second: the session answers again, and it never joined.
      const after = await waitFor(
        async () => {
          const ack = await client.request('createTransport', { direction: 'recv' });
          return !ack.ok && ack.error.code !== 'rate_limited' && ack;
        },
        { timeoutMs: 5_000, intervalMs: 200, what: 'the rate limit to lift' },
      );
      expect(errorOf(after).code).toBe('bad_request');
    });

    it('connecting with DTLS parameters the worker rejects: bad_request', async () => {
      const channel = await createTestChannel(platform);
      const { client } = await joinAsViewer(channel);
      const transport = await client.ok('createTransport', { direction: 'recv' });

      const ack = await client.request('connectTransport', {
        transportId: transport.id,
        dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'md5' as never, value: 'nope' }] },
      });

      expect(errorOf(ack).code).toBe('bad_request');
      // The transport is not spent: a correct connect still works.
      await client.ok('connectTransport', { transportId: transport.id, dtlsParameters: DTLS });
    });
  });

  describe('publishing with the session (the studio, no stream key)', () => {
    /** A socket.io connection whose handshake carries what a page's would: its cookie and its Origin. */
    async function connectAs(headers: { cookie?: string; origin?: string }): Promise<Socket> {
      const socket = connectSocket(`${platform.url}${MEDIA_NAMESPACE}`, {
        forceNew: true,
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<
          string,
          string
        >,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    }

    function request<M extends MediaMethod>(socket: Socket, method: M, data: unknown): Promise<Ack<MediaResponses[M]>> {
      return socket.timeout(10_000).emitWithAck('request', { method, data }) as Promise<Ack<MediaResponses[M]>>;
    }

    /** A signed-in user's session cookie, made as log-in makes it. */
    async function sessionCookie(userId: string): Promise<string> {
      const { token } = await createSession(prisma(), userId);
      return `${SESSION_COOKIE}=${token}`;
    }

    async function userWithRole(role: UserRole) {
      return createUser(prisma(), {
        email: `${role}-${randomBytes(4).toString('hex')}@example.test`,
        password: 'correct horse battery',
        role,
      });
    }

    const ownerOf = async (channel: TestChannel) =>
      prisma().user.findUniqueOrThrow({ where: { email: channel.ownerEmail } });

    it("lets the channel's owner publish from our page with their session: live Stream row, producer in the room", async () => {
      const channel = await createTestChannel(platform);
      const socket = await connectAs({
        cookie: await sessionCookie((await ownerOf(channel)).id),
        origin: platform.url,
      });

      const joined = await request(socket, 'join', { role: 'publisher', channel: channel.slug.toUpperCase() });

      expect(joined.ok, JSON.stringify(joined)).toBe(true);
      expect(joined.ok && joined.data).toMatchObject({ role: 'publisher', channel: channel.slug });
      const send = await request(socket, 'createTransport', { direction: 'send' });
      if (!send.ok) throw new Error(send.error.message);
      const produced = await request(socket, 'produce', {
        transportId: send.data.id,
        kind: 'video',
        rtpParameters: rtpParameters('video', '0'),
        source: 'camera',
      });
      expect(produced.ok, JSON.stringify(produced)).toBe(true);
      expect((await streamsOf(channel.slug)).map((row) => row.state)).toEqual(['live']);
      expect(await publishersIn(channel.slug)).toHaveLength(1);
    });

    it('lets an admin publish to any channel with their session', async () => {
      const channel = await createTestChannel(platform);
      const admin = await userWithRole('admin');
      const socket = await connectAs({ cookie: await sessionCookie(admin.id), origin: platform.url });

      const joined = await request(socket, 'join', { role: 'publisher', channel: channel.slug });

      expect(joined.ok, JSON.stringify(joined)).toBe(true);
      expect(await publishersIn(channel.slug)).toHaveLength(1);
    });

    it("refuses another user's session, no session, and a session ended by log-out: unauthorized, nothing published", async () => {
      const channel = await createTestChannel(platform);
      const stranger = await userWithRole('creator');
      const loggedOut = await sessionCookie((await ownerOf(channel)).id);
      await invalidateSession(prisma(), sessionIdOf(loggedOut.split('=')[1]!));
      const handshakes = [
        { cookie: await sessionCookie(stranger.id), origin: platform.url },
        { origin: platform.url },
        { cookie: `${SESSION_COOKIE}=${'a'.repeat(32)}`, origin: platform.url },
        { cookie: loggedOut, origin: platform.url },
      ];

      for (const handshake of handshakes) {
        const socket = await connectAs(handshake);
        const ack = await request(socket, 'join', { role: 'publisher', channel: channel.slug });
        expect(errorOf(ack).code, JSON.stringify(handshake)).toBe('unauthorized');
        // Refused, not half-joined: it may still watch.
        expect((await request(socket, 'join', { role: 'viewer', channel: channel.slug })).ok).toBe(true);
      }

      await expectNothingPublished(channel);
    });

    it("refuses the owner's session when the handshake is not from our page (cross-site WebSocket): unauthorized", async () => {
      const channel = await createTestChannel(platform);
      const cookie = await sessionCookie((await ownerOf(channel)).id);

      for (const origin of [undefined, 'https://evil.example', 'null', `${platform.url}.evil.example`]) {
        const socket = await connectAs({ cookie, ...(origin !== undefined && { origin }) });
        const ack = await request(socket, 'join', { role: 'publisher', channel: channel.slug });
        expect(errorOf(ack).code, String(origin)).toBe('unauthorized');
      }

      await expectNothingPublished(channel);
    });

    it('refuses a channel that does not exist the same way, and leaves the key path as it was', async () => {
      const channel = await createTestChannel(platform);
      const socket = await connectAs({
        cookie: await sessionCookie((await ownerOf(channel)).id),
        origin: platform.url,
      });

      const ack = await request(socket, 'join', {
        role: 'publisher',
        channel: `missing-${randomBytes(4).toString('hex')}`,
      });

      expect(errorOf(ack).code).toBe('unauthorized');
      // The stream key still works on its own, with no session at all.
      const { joined } = await joinAsPublisher(channel);
      expect(joined.role).toBe('publisher');
    });
  });

  describe('viewer count', () => {
    it('counts the viewers on the channel and tells them when one leaves', async () => {
      const channel = await createTestChannel(platform);
      const { client: first } = await joinAsViewer(channel);
      const { client: second } = await joinAsViewer(channel);

      const { client: third, joined } = await joinAsViewer(channel);

      expect(joined.stream.viewers).toBeGreaterThanOrEqual(2);
      expect(joined.stream.viewers).toBeLessThanOrEqual(3);
      await first.waitForNotification('streamStatus', (s) => s.channel === channel.slug && s.viewers === 3);
      await second.waitForNotification('streamStatus', (s) => s.viewers === 3);

      third.close();

      await first.waitForNotification(
        'streamStatus',
        (s) => s.viewers === 2 && first.notificationsOf('streamStatus').at(-1) === s,
      );
      await waitFor(async () => (await peersIn(channel.slug)).length === 2, {
        what: 'the room to drop the third viewer',
      });
      expect(platform.rooms!.get(await channelId(channel.slug))!.viewerCount()).toBe(2);
    });
  });
});
