// GET /api/v1/channels/:slug over real HTTP: the public shape of a channel, offline and live, and
// problem+json with a stable code when there is no such channel or the slug is not one. What the
// answer says about the caller (following, canManage...) is in channel-management.test.ts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestChannel } from '../support/channels.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

interface Reply {
  status: number;
  contentType: string | null;
  body: Record<string, unknown>;
}

describe.each(databaseTargets())('channel API on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api' }, (started) => (platform = started));

  async function getChannel(slug: string): Promise<Reply> {
    const response = await fetch(`${platform.url}/api/v1/channels/${encodeURIComponent(slug)}`, {
      signal: AbortSignal.timeout(5000),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  it('describes an offline channel', async () => {
    const channel = await createTestChannel(platform);

    const reply = await getChannel(channel.slug);

    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(reply.body).toEqual({
      slug: channel.slug,
      title: expect.stringMatching(/^Test stream /),
      description: '',
      category: null,
      categoryName: null,
      tags: [],
      live: false,
      viewers: 0,
      streamId: null,
      startedAt: null,
      avatarUrl: null,
      bannerUrl: null,
      owner: { id: expect.any(String), username: expect.stringMatching(/^creator_/), name: expect.any(String) },
      followers: 0,
      // Asked signed out.
      following: false,
      canManage: false,
      canModerate: false,
      chat: { slowModeSeconds: 0, followersOnly: false, subscribersOnly: false },
      emotes: [],
      private: false,
      canWatch: true,
      webrtcSeats: null,
      mode: 'default',
      audioKbps: 256,
    });
    const owner = await platform.database!.prisma.user.findUniqueOrThrow({ where: { email: channel.ownerEmail } });
    expect((reply.body.owner as { id: string }).id).toBe(owner.id);
  });

  it('finds the channel whatever the case of the slug', async () => {
    const channel = await createTestChannel(platform);

    const reply = await getChannel(channel.slug.toUpperCase());

    expect(reply.status).toBe(200);
    expect(reply.body.slug).toBe(channel.slug);
  });

  it('describes a live channel with its current stream', async () => {
    const channel = await createTestChannel(platform);
    const prisma = platform.database!.prisma;
    const { id: channelId } = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const startedAt = new Date(Date.now() - 60_000);
    const ended = await prisma.stream.create({
      data: { channelId, state: 'ended', startedAt: new Date(Date.now() - 7_200_000), endedAt: new Date() },
    });
    const live = await prisma.stream.create({
      data: {
        channelId,
        state: 'live',
        startedAt,
        title: 'Speedrun tonight',
        category: 'gaming',
        viewers: 4,
        peakViewers: 6,
      },
    });

    const reply = await getChannel(channel.slug);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      slug: channel.slug,
      title: 'Speedrun tonight',
      category: 'gaming',
      categoryName: 'Gaming',
      live: true,
      viewers: 4,
      streamId: live.id,
      startedAt: startedAt.toISOString(),
    });
    expect(reply.body.streamId).not.toBe(ended.id);
  });

  it('answers 404 problem+json with code not_found for a channel that does not exist', async () => {
    const slug = `missing-${randomBytes(4).toString('hex')}`;

    const reply = await getChannel(slug);

    expect(reply.status).toBe(404);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 404, code: 'not_found', detail: expect.stringContaining(slug) });
  });

  it('answers 400 problem+json with code bad_request for a slug longer than any channel can have', async () => {
    const reply = await getChannel('s'.repeat(65));

    expect(reply.status).toBe(400);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 400, code: 'bad_request' });
  });
});
