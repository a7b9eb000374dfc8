// The VOD API over real HTTP on each database: a channel's VODs newest first with cursor
// pagination (including VODs made in the same millisecond), the shape of one VOD, and
// problem+json with a stable code for bad cursors, bad limits, bad ids and unknown ones.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestChannel } from '../support/channels.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

interface Reply {
  status: number;
  contentType: string | null;
  body: Record<string, unknown>;
}

interface VodItem {
  id: string;
  channel: string;
  title: string;
  durationSeconds: number;
  createdAt: string;
  playlistUrl: string;
  mp4Url: string | null;
  posterUrl: string | null;
}

interface Page {
  items: VodItem[];
  nextCursor: string | null;
}

describe.each(databaseTargets())('VOD API on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api' }, (started) => (platform = started));

  async function get(pathname: string): Promise<Reply> {
    const response = await fetch(`${platform.url}${pathname}`, { signal: AbortSignal.timeout(5000) });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  function expectProblem(reply: Reply, status: number, code: string): void {
    expect(reply.status).toBe(status);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, code });
  }

  /** A channel with `count` ended streams, each with a VOD; `createdAt` of VOD i is given by `at(i)`. */
  async function channelWithVods(count: number, at: (i: number) => Date) {
    const channel = await createTestChannel(platform);
    const prisma = platform.database!.prisma;
    const { id: channelId } = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const vods = [];
    for (let i = 0; i < count; i++) {
      const stream = await prisma.stream.create({ data: { channelId, state: 'ended', title: `Stream ${i}` } });
      vods.push(
        await prisma.vod.create({
          data: {
            channelId,
            streamId: stream.id,
            title: `Stream ${i}`,
            durationSeconds: 60 + i + 0.12345,
            playlistPath: `${stream.id}/vod.m3u8`,
            mp4Path: i % 2 === 0 ? `${stream.id}/vod.mp4` : null,
            posterPath: `${stream.id}/poster.jpg`,
            createdAt: at(i),
          },
        }),
      );
    }
    return { slug: channel.slug, channelId, vods };
  }

  /** Every page from the first, following nextCursor. */
  async function allPages(slug: string, limit: number): Promise<Page[]> {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const reply = await get(`/api/v1/channels/${slug}/vods?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status).toBe(200);
      const page = reply.body as unknown as Page;
      pages.push(page);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(20); // a cursor that loops would never end
    } while (cursor);
    return pages;
  }

  it('lists VODs newest first, a page at a time, ending with a null cursor', async () => {
    const base = Date.now() - 3_600_000;
    // Made out of order, so the order in the reply comes from createdAt.
    const { slug, vods } = await channelWithVods(5, (i) => new Date(base + [3, 0, 4, 1, 2][i]! * 60_000));
    const newestFirst = [...vods].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map((v) => v.id);

    const pages = await allPages(slug, 2);

    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((v) => v.id))).toEqual(newestFirst);
    expect(pages.map((p) => p.nextCursor)).toEqual([pages[0]!.items[1]!.id, pages[1]!.items[1]!.id, null]);
  });

  it('returns every VOD once when several were made in the same millisecond', async () => {
    const same = new Date(Date.now() - 60_000);
    const { slug, vods } = await channelWithVods(5, () => same);

    const pages = await allPages(slug, 2);

    const ids = pages.flatMap((p) => p.items.map((v) => v.id));
    expect(ids).toEqual(
      vods
        .map((v) => v.id)
        .sort()
        .reverse(),
    );
  });

  it('gives a null cursor when the page holds exactly what is left', async () => {
    const { slug } = await channelWithVods(2, (i) => new Date(Date.now() - i * 1000));

    const reply = await get(`/api/v1/channels/${slug}/vods?limit=2`);

    expect(reply.status).toBe(200);
    expect((reply.body as unknown as Page).items).toHaveLength(2);
    expect(reply.body.nextCursor).toBeNull();
  });

  it('lists 24 by default and only this channel', async () => {
    const { slug } = await channelWithVods(1, () => new Date());
    const other = await channelWithVods(1, () => new Date());

    const reply = await get(`/api/v1/channels/${slug.toUpperCase()}/vods`);

    expect(reply.status).toBe(200);
    const page = reply.body as unknown as Page;
    expect(page.items.map((v) => v.channel)).toEqual([slug]);
    expect(page.items.map((v) => v.id)).not.toContain(other.vods[0]!.id);
    expect(page.nextCursor).toBeNull();
  });

  it('lists nothing for a channel without VODs', async () => {
    const channel = await createTestChannel(platform);

    const reply = await get(`/api/v1/channels/${channel.slug}/vods`);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ items: [], nextCursor: null });
  });

  it("refuses a cursor from another channel's list", async () => {
    const mine = await channelWithVods(2, (i) => new Date(Date.now() - i * 1000));
    const theirs = await channelWithVods(2, (i) => new Date(Date.now() - i * 1000));

    expectProblem(await get(`/api/v1/channels/${mine.slug}/vods?cursor=${theirs.vods[0]!.id}`), 400, 'bad_request');
    expectProblem(await get(`/api/v1/channels/${mine.slug}/vods?cursor=${randomUUID()}`), 400, 'bad_request');
  });

  it('refuses a cursor that is not a UUID', async () => {
    const { slug } = await channelWithVods(1, () => new Date());

    expectProblem(await get(`/api/v1/channels/${slug}/vods?cursor=abc`), 400, 'bad_request');
    // The right length and alphabet, still not a UUID.
    expectProblem(await get(`/api/v1/channels/${slug}/vods?cursor=${'-'.repeat(36)}`), 400, 'bad_request');
  });

  it('refuses a limit outside 1..100', async () => {
    const { slug } = await channelWithVods(1, () => new Date());

    expectProblem(await get(`/api/v1/channels/${slug}/vods?limit=0`), 400, 'bad_request');
    expectProblem(await get(`/api/v1/channels/${slug}/vods?limit=101`), 400, 'bad_request');
    expectProblem(await get(`/api/v1/channels/${slug}/vods?limit=ten`), 400, 'bad_request');
    expect((await get(`/api/v1/channels/${slug}/vods?limit=100`)).status).toBe(200);
    expect((await get(`/api/v1/channels/${slug}/vods?limit=1`)).status).toBe(200);
  });

  it('answers 404 not_found for an unknown channel', async () => {
    expectProblem(await get(`/api/v1/channels/no-such-${randomUUID().slice(0, 8)}/vods`), 404, 'not_found');
  });

  it('describes one VOD with the URLs of its files', async () => {
    const { slug, vods } = await channelWithVods(2, (i) => new Date(Date.now() - i * 1000));
    const [withMp4, withoutMp4] = vods;

    const reply = await get(`/api/v1/vods/${withMp4!.id}`);

    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(reply.body).toEqual({
      id: withMp4!.id,
      channel: slug,
      title: 'Stream 0',
      durationSeconds: 60.123,
      createdAt: withMp4!.createdAt.toISOString(),
      playlistUrl: `/vod/${withMp4!.id}/index.m3u8`,
      mp4Url: `/vod/${withMp4!.id}/vod.mp4`,
      posterUrl: `/vod/${withMp4!.id}/poster.jpg`,
    });
    const other = await get(`/api/v1/vods/${withoutMp4!.id.toUpperCase()}`);
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({
      id: withoutMp4!.id,
      mp4Url: null,
      posterUrl: `/vod/${withoutMp4!.id}/poster.jpg`,
    });
  });

  it('gives a null posterUrl when there is no poster', async () => {
    const { channelId } = await channelWithVods(0, () => new Date());
    const prisma = platform.database!.prisma;
    const stream = await prisma.stream.create({ data: { channelId, state: 'ended' } });
    const vod = await prisma.vod.create({
      data: { channelId, streamId: stream.id, durationSeconds: 2, playlistPath: `${stream.id}/vod.m3u8` },
    });

    const reply = await get(`/api/v1/vods/${vod.id}`);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ mp4Url: null, posterUrl: null, title: '' });
  });

  it('answers 400 bad_request for an id that is not a UUID', async () => {
    expectProblem(await get('/api/v1/vods/not-a-uuid'), 400, 'bad_request');
    // The right length and alphabet, still not a UUID.
    expectProblem(await get(`/api/v1/vods/${'-'.repeat(36)}`), 400, 'bad_request');
  });

  it('answers 404 not_found for an unknown VOD', async () => {
    expectProblem(await get(`/api/v1/vods/${randomUUID()}`), 404, 'not_found');
  });
});
