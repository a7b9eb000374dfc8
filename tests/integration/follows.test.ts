// Following channels over real HTTP: follow and unfollow (both idempotent), the caller's list of
// followed channels as ChannelCards with cursor pages, and the refusals (own channel, unknown
// channel, signed out, cross-site write).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiClient, signUp, type ApiReply } from '../support/api-client.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

describe.each(databaseTargets())('follows on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api' }, (started) => (platform = started));

  const prisma = () => platform.database!.prisma;
  const followedSlugs = async (client: ApiClient) => {
    const reply = await client.get('/api/v1/me/follows?limit=100');
    expect(reply.status).toBe(200);
    return (reply.body.items as { slug: string }[]).map((card) => card.slug);
  };

  /** The channel's owner, signed in (createTestChannel makes the account with this password). */
  async function signInAsOwner(channel: TestChannel): Promise<ApiClient> {
    const client = new ApiClient(platform.url);
    const reply = await client.post('/api/v1/auth/login', {
      login: channel.ownerEmail,
      password: 'correct horse battery',
    });
    expect(reply.status).toBe(200);
    return client;
  }

  it('follows and unfollows a channel, and doing either twice changes nothing', async () => {
    const viewer = await signUp(platform.url, 'fan');
    const channel = await createTestChannel(platform);

    expect((await viewer.client.put(`/api/v1/channels/${channel.slug}/follow`)).status).toBe(204);
    const first = await prisma().follow.findFirstOrThrow({ where: { userId: viewer.id } });
    expect((await viewer.client.put(`/api/v1/channels/${channel.slug}/follow`)).status).toBe(204);

    expect(await followedSlugs(viewer.client)).toEqual([channel.slug]);
    const rows = await prisma().follow.findMany({ where: { userId: viewer.id } });
    expect(rows).toEqual([first]); // one row, and it keeps its first date

    expect((await viewer.client.delete(`/api/v1/channels/${channel.slug}/follow`)).status).toBe(204);
    expect(await followedSlugs(viewer.client)).toEqual([]);
    expect((await viewer.client.delete(`/api/v1/channels/${channel.slug}/follow`)).status).toBe(204);
    expect(await prisma().follow.count({ where: { userId: viewer.id } })).toBe(0);
  });

  it('finds the channel whatever the case of the slug', async () => {
    const viewer = await signUp(platform.url, 'fan');
    const channel = await createTestChannel(platform);

    expect((await viewer.client.put(`/api/v1/channels/${channel.slug.toUpperCase()}/follow`)).status).toBe(204);

    expect(await followedSlugs(viewer.client)).toEqual([channel.slug]);
  });

  it("refuses to follow one's own channel with 400 cannot_follow_own_channel", async () => {
    const channel = await createTestChannel(platform);
    const owner = await signInAsOwner(channel);

    const reply = await owner.put(`/api/v1/channels/${channel.slug}/follow`);

    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 400, code: 'cannot_follow_own_channel' });
    expect(await prisma().follow.count({ where: { channel: { slug: channel.slug } } })).toBe(0);
  });

  it('answers 404 not_found for a channel that does not exist', async () => {
    const viewer = await signUp(platform.url, 'fan');
    const slug = `missing-${randomBytes(4).toString('hex')}`;

    for (const reply of [
      await viewer.client.put(`/api/v1/channels/${slug}/follow`),
      await viewer.client.delete(`/api/v1/channels/${slug}/follow`),
    ]) {
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ code: 'not_found', detail: expect.stringContaining(slug) });
    }
  });

  it('answers 401 unauthorized when signed out, and follows nothing', async () => {
    const channel = await createTestChannel(platform);
    const anonymous = new ApiClient(platform.url);

    const replies = [
      await anonymous.put(`/api/v1/channels/${channel.slug}/follow`),
      await anonymous.delete(`/api/v1/channels/${channel.slug}/follow`),
      await anonymous.get('/api/v1/me/follows'),
    ];

    expect(replies.map((r) => [r.status, r.body.code])).toEqual([
      [401, 'unauthorized'],
      [401, 'unauthorized'],
      [401, 'unauthorized'],
    ]);
    expect(await prisma().follow.count({ where: { channel: { slug: channel.slug } } })).toBe(0);
  });

  it('refuses a follow sent from another site (403), and follows nothing', async () => {
    const viewer = await signUp(platform.url, 'fan');
    const channel = await createTestChannel(platform);
    const crossSite = new ApiClient(platform.url, 'https://evil.example');
    crossSite.cookie = viewer.client.cookie;

    const reply = await crossSite.put(`/api/v1/channels/${channel.slug}/follow`);

    expect(reply.status).toBe(403);
    expect(await prisma().follow.count({ where: { userId: viewer.id } })).toBe(0);
  });

  it('lists followed channels as cards, most recently followed first, in cursor pages', async () => {
    const viewer = await signUp(platform.url, 'fan');
    const channels: TestChannel[] = [];
    for (let i = 0; i < 5; i++) {
      const channel = await createTestChannel(platform);
      channels.push(channel);
      expect((await viewer.client.put(`/api/v1/channels/${channel.slug}/follow`)).status).toBe(204);
    }
    // Two follows in the same millisecond must still page without loss: give them one date.
    const sameMoment = new Date();
    await prisma().follow.updateMany({
      where: { userId: viewer.id, channel: { slug: { in: [channels[3]!.slug, channels[4]!.slug] } } },
      data: { createdAt: sameMoment },
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply: ApiReply = await viewer.client.get(
        `/api/v1/me/follows?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(reply.status).toBe(200);
      expect(reply.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...reply.body.items.map((card: { slug: string }) => card.slug));
      cursor = reply.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(channels.map((c) => c.slug)));
    // Newest first: the two moved to "now" come before the three followed earlier, in reverse order.
    expect(seen.slice(2)).toEqual([channels[2]!.slug, channels[1]!.slug, channels[0]!.slug]);
  });

  it('describes a followed live channel with the full card', async () => {
    const viewer = await signUp(platform.url, 'fan');
    const channel = await createTestChannel(platform);
    const row = await prisma().channel.update({
      where: { slug: channel.slug },
      data: { title: 'Speedrun Club', category: 'gaming', tags: ['speedrun', 'retro'], avatarPath: 'avatar-abc.webp' },
      include: { owner: true },
    });
    const startedAt = new Date(Date.now() - 60_000);
    await prisma().stream.create({
      data: { channelId: row.id, state: 'live', startedAt, title: 'Any% tonight', category: 'music', viewers: 12 },
    });
    await viewer.client.put(`/api/v1/channels/${channel.slug}/follow`);

    const reply = await viewer.client.get('/api/v1/me/follows');

    expect(reply.body).toEqual({
      items: [
        {
          slug: channel.slug,
          title: 'Speedrun Club',
          streamTitle: 'Any% tonight',
          category: 'music',
          categoryName: 'Music',
          tags: ['speedrun', 'retro'],
          avatarUrl: '/uploads/avatar-abc.webp',
          live: true,
          viewers: 12,
          startedAt: startedAt.toISOString(),
          owner: { username: row.owner.username, name: row.owner.name },
        },
      ],
      nextCursor: null,
    });
  });

  it('answers 400 invalid_cursor for a tampered cursor', async () => {
    const viewer = await signUp(platform.url, 'fan');
    const tampered = [
      'not-a-cursor',
      Buffer.from(JSON.stringify({ t: 'yesterday', id: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify({ t: 1.5, id: '00000000-0000-0000-0000-000000000000' })).toString('base64url'),
      Buffer.from(JSON.stringify({ t: Date.now(), id: "' OR 1=1 --" })).toString('base64url'),
      Buffer.from(JSON.stringify({ t: 1e300, id: '00000000-0000-0000-0000-000000000000' })).toString('base64url'),
    ];

    for (const cursor of tampered) {
      const reply = await viewer.client.get(`/api/v1/me/follows?cursor=${encodeURIComponent(cursor)}`);
      expect([cursor, reply.status, reply.body.code]).toEqual([cursor, 400, 'invalid_cursor']);
    }
  });
});
