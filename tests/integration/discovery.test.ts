// Discovery over real HTTP on a real database: live now (ordered by viewers, filtered by category
// and tag, paged by cursor), categories with live counts, the watch history and the
// recommendations built from follows and that history. Channels are made through the operator
// commands and given their category, tags and live stream as rows, as the studio and the stream
// directory would write them.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { ApiClient, signUp, type ApiReply } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

interface Card {
  slug: string;
  title: string;
  streamTitle: string | null;
  category: string | null;
  categoryName: string | null;
  tags: string[];
  avatarUrl: string | null;
  live: boolean;
  viewers: number;
  startedAt: string | null;
  owner: { username: string; name: string };
  reason?: string;
}

interface ChannelSpec {
  title?: string;
  category?: string | null;
  tags?: string[];
  /** Live with this many viewers; the stream's own category if given. */
  live?: { viewers: number; category?: string; title?: string };
  /** The owner's email (a new account by default). */
  owner?: string;
}

describe.each(databaseTargets())('discovery on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api' }, (started) => (platform = started));

  const prisma = () => platform.database!.prisma;
  const anonymous = () => new ApiClient(platform.url);
  /** A tag no other test uses, so a filter by it sees only this test's channels. */
  const uniqueTag = () => `t-${randomBytes(4).toString('hex')}`;

  async function newChannel(spec: ChannelSpec = {}): Promise<string> {
    const suffix = randomBytes(4).toString('hex');
    const context = { prisma: prisma(), publicUrl: platform.url };
    const owner = spec.owner ?? `creator-${suffix}@example.test`;
    if (!spec.owner)
      await runAdminCommand(context, { command: 'user.create', email: owner, password: 'correct horse battery' });
    const slug = `ch-${suffix}`;
    await runAdminCommand(context, {
      command: 'channel.create',
      owner,
      slug,
      title: spec.title ?? `Channel ${suffix}`,
    });
    const channel = await prisma().channel.update({
      where: { slug },
      data: { category: spec.category ?? null, tags: spec.tags ?? [] },
    });
    if (spec.live) {
      await prisma().stream.create({
        data: {
          channelId: channel.id,
          state: 'live',
          startedAt: new Date(),
          title: spec.live.title ?? channel.title,
          category: spec.live.category ?? channel.category,
          viewers: spec.live.viewers,
        },
      });
    }
    return slug;
  }

  async function get(path: string, client = anonymous()): Promise<ApiReply> {
    return client.get(path);
  }

  const slugsOf = (reply: ApiReply) => (reply.body.items as Card[]).map((card) => card.slug);

  describe('live now', () => {
    it('lists only live channels, most watched first, as full cards', async () => {
      const tag = uniqueTag();
      const quiet = await newChannel({ tags: [tag], live: { viewers: 5 } });
      const busy = await newChannel({
        tags: [tag, 'retro'],
        category: 'gaming',
        live: { viewers: 50, title: 'Any% tonight' },
      });
      const middle = await newChannel({ tags: [tag], live: { viewers: 20 } });
      await newChannel({ tags: [tag] }); // offline

      const reply = await get(`/api/v1/discover/live?tag=${tag}`);

      expect(reply.status).toBe(200);
      expect(slugsOf(reply)).toEqual([busy, middle, quiet]);
      expect(reply.body.nextCursor).toBeNull();
      const owner = await prisma().channel.findUniqueOrThrow({
        where: { slug: busy },
        select: { title: true, owner: true, streams: true },
      });
      expect(reply.body.items[0]).toEqual({
        slug: busy,
        title: owner.title,
        streamTitle: 'Any% tonight',
        category: 'gaming',
        categoryName: 'Gaming',
        tags: [tag, 'retro'],
        avatarUrl: null,
        live: true,
        viewers: 50,
        startedAt: owner.streams[0]!.startedAt!.toISOString(),
        owner: { username: owner.owner.username, name: owner.owner.name },
      });
    });

    it("filters by category, the live stream's own category first", async () => {
      const tag = uniqueTag();
      const music = await newChannel({ tags: [tag], category: 'music', live: { viewers: 3 } });
      const switched = await newChannel({ tags: [tag], category: 'gaming', live: { viewers: 9, category: 'music' } });
      await newChannel({ tags: [tag], category: 'gaming', live: { viewers: 7 } });
      await newChannel({ tags: [tag], category: 'music' }); // offline

      const reply = await get(`/api/v1/discover/live?category=music&tag=${tag}`);

      expect(slugsOf(reply)).toEqual([switched, music]);
      expect((reply.body.items as Card[]).map((c) => c.category)).toEqual(['music', 'music']);
    });

    it('answers an empty page for a category or tag with nothing live, and 400 for malformed filters', async () => {
      expect((await get(`/api/v1/discover/live?tag=${uniqueTag()}`)).body).toEqual({ items: [], nextCursor: null });
      expect((await get('/api/v1/discover/live?category=no-such-category')).body).toEqual({
        items: [],
        nextCursor: null,
      });
      for (const query of ['tag=UPPER', "tag=a'b", 'category=%20', 'limit=0', 'limit=101', 'limit=x', 'unknown=1']) {
        const reply = await get(`/api/v1/discover/live?${query}`);
        expect([query, reply.status, reply.body.code]).toEqual([query, 400, 'bad_request']);
      }
    });

    it('pages by cursor without duplicates or gaps, ties included', async () => {
      const tag = uniqueTag();
      const viewers = [40, 30, 30, 30, 20, 10, 10];
      const slugs: string[] = [];
      for (const v of viewers) slugs.push(await newChannel({ tags: [tag], live: { viewers: v } }));

      const seen: Card[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const reply: ApiReply = await get(
          `/api/v1/discover/live?tag=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(reply.status).toBe(200);
        seen.push(...(reply.body.items as Card[]));
        cursor = reply.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);

      expect(pages).toBe(3);
      expect(seen.map((c) => c.viewers)).toEqual(viewers);
      expect(new Set(seen.map((c) => c.slug))).toEqual(new Set(slugs));
      expect(seen).toHaveLength(slugs.length);
    });

    it('answers 400 invalid_cursor for a tampered cursor', async () => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const cursors = [
        '%%%',
        encode('just a string'),
        encode({ v: 1.5, id: '00000000-0000-0000-0000-000000000000' }),
        encode({ v: 1e12, id: '00000000-0000-0000-0000-000000000000' }),
        encode({ v: 3, id: 'not-a-uuid' }),
        encode({ v: '3', id: '00000000-0000-0000-0000-000000000000' }),
      ];
      for (const cursor of cursors) {
        const reply = await get(`/api/v1/discover/live?cursor=${encodeURIComponent(cursor)}`);
        expect([cursor, reply.status, reply.body.code]).toEqual([cursor, 400, 'invalid_cursor']);
      }
    });
  });

  describe('categories', () => {
    it('lists every category in display order with its live channel count', async () => {
      const before = await get('/api/v1/categories');
      expect(before.status).toBe(200);
      const seeded = await prisma().category.findMany({ orderBy: { position: 'asc' } });
      expect((before.body as { slug: string }[]).map((c) => c.slug)).toEqual(seeded.map((c) => c.slug));
      expect(before.body[0]).toEqual({
        slug: 'just-chatting',
        name: 'Just Chatting',
        liveChannels: expect.any(Number),
      });

      await newChannel({ category: 'education', live: { viewers: 1 } });
      await newChannel({ category: 'education', live: { viewers: 2 } });
      await newChannel({ category: 'gaming', live: { viewers: 2, category: 'education' } });
      await newChannel({ category: 'education' }); // offline: not counted
      await newChannel({ category: 'education', live: { viewers: 2, category: 'webinars' } }); // streaming elsewhere

      const after = await get('/api/v1/categories');
      const count = (reply: ApiReply, slug: string) =>
        (reply.body as { slug: string; liveChannels: number }[]).find((c) => c.slug === slug)!.liveChannels;
      expect(count(after, 'education') - count(before, 'education')).toBe(3);
      expect(count(after, 'webinars') - count(before, 'webinars')).toBe(1);
      expect(count(after, 'gaming') - count(before, 'gaming')).toBe(0);
    });
  });

  describe('watch history and recommendations', () => {
    it('records watching (signed in only) and counts each time', async () => {
      const viewer = await signUp(platform.url, 'viewer');
      const slug = await newChannel();

      expect((await viewer.client.post('/api/v1/me/watched', { channel: slug })).status).toBe(204);
      expect((await viewer.client.post('/api/v1/me/watched', { channel: slug.toUpperCase() })).status).toBe(204);

      const row = await prisma().watchedChannel.findFirstOrThrow({ where: { userId: viewer.id } });
      expect(row.times).toBe(2);
      expect((await anonymous().post('/api/v1/me/watched', { channel: slug })).status).toBe(401);
      const missing = await viewer.client.post('/api/v1/me/watched', {
        channel: `missing-${randomBytes(3).toString('hex')}`,
      });
      expect([missing.status, missing.body.code]).toEqual([404, 'not_found']);
      expect((await viewer.client.post('/api/v1/me/watched', {})).status).toBe(400);
    });

    it('recommends followed live channels, then similar ones, then popular ones, never twice nor their own', async () => {
      const viewer = await signUp(platform.url, 'viewer');
      const similarTag = uniqueTag();
      // What the viewer follows and watched.
      const followedLive = await newChannel({ category: 'creative', live: { viewers: 1 } });
      const followedOffline = await newChannel({ category: 'sports-fitness' });
      const watched = await newChannel({ category: 'talk-shows', tags: [similarTag] });
      for (const slug of [followedLive, followedOffline])
        expect((await viewer.client.put(`/api/v1/channels/${slug}/follow`)).status).toBe(204);
      expect((await viewer.client.post('/api/v1/me/watched', { channel: watched })).status).toBe(204);
      // Live channels like them: same category as a followed one, as the watched one, or a shared tag.
      const sameCategoryAsFollowed = await newChannel({ category: 'sports-fitness', live: { viewers: 4 } });
      const sameCategoryAsWatched = await newChannel({
        category: 'gaming',
        live: { viewers: 6, category: 'talk-shows' },
      });
      const sharedTag = await newChannel({ category: 'gaming', tags: ['x-other', similarTag], live: { viewers: 5 } });
      // Popular but unrelated; and the viewer's own live channel, which is never recommended.
      const popular = await newChannel({ category: 'events', live: { viewers: 100_000 } });
      const own = await newChannel({ owner: viewer.email, category: 'creative', live: { viewers: 200_000 } });

      const reply = await viewer.client.get('/api/v1/discover/recommended?limit=100');

      expect(reply.status).toBe(200);
      const items = reply.body.items as Card[];
      const mine = new Set([followedLive, sameCategoryAsFollowed, sameCategoryAsWatched, sharedTag, popular, own]);
      expect(items.filter((c) => mine.has(c.slug)).map((c) => [c.slug, c.reason])).toEqual([
        [followedLive, 'following'],
        [sameCategoryAsWatched, 'similar'],
        [sharedTag, 'similar'],
        [sameCategoryAsFollowed, 'similar'],
        [popular, 'popular'],
      ]);
      // Whole list: reasons in tier order, each channel once, live only.
      const tiers = items.map((c) => ['following', 'similar', 'popular'].indexOf(c.reason!));
      expect(tiers).toEqual(tiers.toSorted((a, b) => a - b));
      expect(new Set(items.map((c) => c.slug)).size).toBe(items.length);
      expect(items.every((c) => c.live)).toBe(true);
      expect(items.map((c) => c.slug)).not.toContain(own);
    });

    it('recommends the most watched live channels when signed out, up to the limit', async () => {
      const top = await newChannel({ live: { viewers: 1_000_000 } });
      const second = await newChannel({ live: { viewers: 999_999 } });

      const reply = await get('/api/v1/discover/recommended?limit=2');

      expect(reply.status).toBe(200);
      expect((reply.body.items as Card[]).map((c) => [c.slug, c.reason])).toEqual([
        [top, 'popular'],
        [second, 'popular'],
      ]);
      const all = (await get('/api/v1/discover/recommended?limit=100')).body.items as Card[];
      expect(all.map((c) => c.viewers)).toEqual(all.map((c) => c.viewers).toSorted((a, b) => b - a));
      expect((await get('/api/v1/discover/recommended?limit=0')).status).toBe(400);
    });
  });
});
