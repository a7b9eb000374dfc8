// The creator's live session as the studio drives it, on a real platform (api, signaling, sfu) and
// database: a publisher that drops and comes back within the grace period is the same stream and
// notifies followers once; "End stream" from another device (POST .../live-stream/end) lets the
// publishing session go and ends the Stream row at once; the summary of a stream counts what the
// database holds of it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpParameters } from '../../common/protocol/media-signaling.ts';
import type { StreamSummary } from '../../common/protocol/rest/streams.ts';
import { ApiClient, signUp } from '../support/api-client.ts';
import { createTestChannel, OWNER_PASSWORD, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';

/** What a browser's camera producer announces (no media needs to flow for the stream to go live). */
function cameraParameters(): RtpParameters {
  return {
    mid: '0',
    codecs: [
      { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }] },
    ],
    headerExtensions: [],
    encodings: [{ ssrc: randomBytes(4).readUInt32BE() || 1 }],
    rtcp: { cname: 'studio', reducedSize: true },
  } as RtpParameters;
}

describe('the live session', () => {
  let platform: TestPlatform;
  const clients: TestSignalingClient[] = [];

  beforeAll(async () => {
    // No stream ends by its grace period during a test: what ends one is the test's doing.
    platform = await startTestPlatform({
      PUBLISHER_TAKEOVER: 'replace',
      STREAM_END_GRACE_MS: '60000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await platform?.close();
  });

  const prisma = () => platform.database!.prisma;

  async function goLive(channel: TestChannel): Promise<TestSignalingClient> {
    const client = await TestSignalingClient.connect(platform.url);
    clients.push(client);
    await client.ok('join', { role: 'publisher', streamKey: channel.streamKey });
    const send = await client.ok('createTransport', { direction: 'send' });
    await client.ok('produce', {
      transportId: send.id,
      kind: 'video',
      rtpParameters: cameraParameters(),
      source: 'camera',
    });
    return client;
  }

  async function streamsOf(channel: TestChannel) {
    return prisma().stream.findMany({ where: { channel: { slug: channel.slug } }, orderBy: { createdAt: 'asc' } });
  }

  async function signInAsOwner(channel: TestChannel): Promise<ApiClient> {
    const client = new ApiClient(platform.url);
    const reply = await client.post('/api/v1/auth/login', { login: channel.ownerEmail, password: OWNER_PASSWORD });
    expect(reply.status).toBe(200);
    return client;
  }

  it('notifies followers once when the publisher drops and comes back within the grace period', async () => {
    const channel = await createTestChannel(platform);
    const fan = await signUp(platform.url, 'fan');
    expect((await fan.client.put(`/api/v1/channels/${channel.slug}/follow`)).status).toBe(204);

    const first = await goLive(channel);
    const [stream] = await waitFor(
      async () => ((await streamsOf(channel)).length === 1 ? streamsOf(channel) : undefined),
      {
        what: 'the live Stream row',
      },
    );
    await waitFor(async () => (await prisma().notification.count({ where: { userId: fan.id } })) === 1, {
      what: "the follower's notification",
    });

    // The studio's connection drops (a network change, a closed laptop lid) and comes back.
    first.close();
    // Let the server see the socket go (publisherLost: the grace period starts), then come back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await goLive(channel);

    // Still the one stream, live; and followers heard of it once.
    const streams = await streamsOf(channel);
    expect(streams.map((s) => [s.id, s.state])).toEqual([[stream!.id, 'live']]);
    // Give a second fan-out, were there one, the time to land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await prisma().notification.count({ where: { userId: fan.id } })).toBe(1);
  });

  it('ends the stream from another device: the publisher is let go and the Stream row ends at once', async () => {
    const channel = await createTestChannel(platform);
    const publisher = await goLive(channel);
    const live = await waitFor(async () => (await streamsOf(channel)).find((s) => s.state === 'live'), {
      what: 'the live Stream row',
    });
    const owner = await signInAsOwner(channel);

    // Not theirs: refused, and the stream goes on.
    const stranger = await signUp(platform.url, 'stranger');
    expect((await stranger.client.post(`/api/v1/channels/${channel.slug}/live-stream/end`)).status).toBe(403);
    expect((await new ApiClient(platform.url).post(`/api/v1/channels/${channel.slug}/live-stream/end`)).status).toBe(
      401,
    );

    const ended = await owner.post(`/api/v1/channels/${channel.slug}/live-stream/end`);
    expect(ended).toMatchObject({ status: 202, body: { streamId: live.id } });
    const row = await waitFor(
      async () => {
        const found = await prisma().stream.findUniqueOrThrow({ where: { id: live.id } });
        return found.state === 'ended' ? found : undefined;
      },
      { timeoutMs: 3000, what: 'the Stream row ended' },
    );
    expect(row.endedAt).not.toBeNull();
    // The publishing session is told to stop, so it doesn't start a new stream by itself.
    await publisher.waitForNotification('kicked');
    expect((await streamsOf(channel)).filter((s) => s.state === 'live')).toEqual([]);

    // Nothing left to end.
    expect((await owner.post(`/api/v1/channels/${channel.slug}/live-stream/end`)).body).toMatchObject({
      status: 409,
      code: 'not_live',
    });
  });

  it('sums up a stream from the database: span, peak, follows, chat messages, clips and the VOD', async () => {
    const channel = await createTestChannel(platform);
    const channelRow = await prisma().channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const startedAt = new Date(Date.now() - 3_600_000);
    const endedAt = new Date(startedAt.getTime() + 1_234_000);
    const stream = await prisma().stream.create({
      data: { channelId: channelRow.id, state: 'ended', startedAt, endedAt, peakViewers: 17, title: 'Synth night' },
    });
    const other = await prisma().stream.create({
      data: { channelId: channelRow.id, state: 'ended', startedAt: new Date(0), endedAt: new Date(1000) },
    });
    const during = new Date(startedAt.getTime() + 60_000);
    const fans = await Promise.all([signUp(platform.url, 'a'), signUp(platform.url, 'b'), signUp(platform.url, 'c')]);
    // Two follow during the stream, one before it: only the two are new followers of this stream.
    await prisma().follow.createMany({
      data: [
        { userId: fans[0]!.id, channelId: channelRow.id, createdAt: during },
        { userId: fans[1]!.id, channelId: channelRow.id, createdAt: endedAt },
        { userId: fans[2]!.id, channelId: channelRow.id, createdAt: new Date(startedAt.getTime() - 1) },
      ],
    });
    await prisma().chatMessage.createMany({
      data: [
        ...[1, 2, 3].map((n) => ({
          channelId: channelRow.id,
          streamId: stream.id,
          userId: fans[0]!.id,
          body: `hi ${n}`,
        })),
        { channelId: channelRow.id, streamId: other.id, userId: fans[0]!.id, body: 'another stream' },
      ],
    });
    await prisma().clip.createMany({
      data: [
        { channelId: channelRow.id, streamId: stream.id, startSeconds: 10, durationSeconds: 20, path: 'c/1.mp4' },
        { channelId: channelRow.id, streamId: other.id, startSeconds: 0, durationSeconds: 5, path: 'c/2.mp4' },
      ],
    });
    const owner = await signInAsOwner(channel);
    const path = `/api/v1/streams/${stream.id}/summary`;

    const before = await owner.get<StreamSummary>(path);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      id: stream.id,
      channel: channel.slug,
      title: 'Synth night',
      live: false,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationSeconds: 1234,
      peakViewers: 17,
      newFollowers: 2,
      chatMessages: 3,
      clips: 1,
      vod: null,
    });

    const vod = await prisma().vod.create({
      data: { channelId: channelRow.id, streamId: stream.id, durationSeconds: 1233.5, playlistPath: 'v/index.m3u8' },
    });
    expect((await owner.get<StreamSummary>(path)).body.vod).toEqual({ id: vod.id, durationSeconds: 1233.5 });

    expect((await fans[0]!.client.get(path)).status).toBe(403);
    expect((await new ApiClient(platform.url).get(path)).status).toBe(401);
    expect(
      (
        await owner.get(
          `/api/v1/streams/${randomBytes(16)
            .toString('hex')
            .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}/summary`,
        )
      ).status,
    ).toBe(404);
    expect((await owner.get('/api/v1/streams/not-an-id/summary')).status).toBe(400);
  });
});
