// GET /api/v1/search over real HTTP on the real full-text search vectors (kept by the migration's
// triggers): relevance order, English stems, search-as-you-type prefixes, live stream titles, live
// first among equals, cursor pages, and hostile input that must never reach SQL as anything but a
// parameter (200, never a database error).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { ApiClient, type ApiReply } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

interface ChannelSpec {
  title?: string;
  description?: string;
  tags?: string[];
  live?: { viewers: number; title?: string };
}

/** A word no other channel has (letters only, so no stemmer or parser splits it). */
function uniqueWord(): string {
  return `zq${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;
}

describe.each(databaseTargets())('search on $name', (target) => {
  let platform: TestPlatform;
  let dispose: () => Promise<void>;
  let ownerEmail: string;

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    const env: Record<string, string> = { ROLES: 'api' };
    if (created.options.kind === 'postgresql') env.DATABASE_URL = created.options.url;
    platform = await startTestPlatform(env);
    ownerEmail = `searcher-${randomBytes(4).toString('hex')}@example.test`;
    await runAdminCommand(
      { prisma: prisma(), publicUrl: platform.url },
      { command: 'user.create', email: ownerEmail, password: 'correct horse battery' },
    );
  });
  afterAll(async () => {
    await platform?.close();
    await dispose?.();
  });

  const prisma = () => platform.database!.prisma;

  async function newChannel(spec: ChannelSpec): Promise<string> {
    const slug = `s-${randomBytes(4).toString('hex')}`;
    await runAdminCommand(
      { prisma: prisma(), publicUrl: platform.url },
      { command: 'channel.create', owner: ownerEmail, slug, title: spec.title ?? 'Untitled' },
    );
    const channel = await prisma().channel.update({
      where: { slug },
      data: { description: spec.description ?? '', tags: spec.tags ?? [] },
    });
    if (spec.live) {
      await prisma().stream.create({
        data: {
          channelId: channel.id,
          state: 'live',
          startedAt: new Date(),
          title: spec.live.title ?? channel.title,
          viewers: spec.live.viewers,
        },
      });
    }
    return slug;
  }

  const search = (q: string, extra = ''): Promise<ApiReply> =>
    new ApiClient(platform.url).get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`);
  const slugsOf = (reply: ApiReply) => (reply.body.items as { slug: string }[]).map((card) => card.slug);

  it('ranks a title match above a tag match above a description match', async () => {
    const word = uniqueWord();
    const inDescription = await newChannel({
      title: 'Cooking',
      description: `Every week we talk about ${word} and more.`,
    });
    const inTitle = await newChannel({ title: `The ${word} hour` });
    const inTag = await newChannel({ title: 'Painting', tags: [word] });
    await newChannel({ title: 'Unrelated', description: 'Nothing to see' });

    const reply = await search(word);

    expect(reply.status).toBe(200);
    expect(slugsOf(reply)).toEqual([inTitle, inTag, inDescription]);
    expect(reply.body.nextCursor).toBeNull();
    expect(reply.body.items[0]).toMatchObject({
      slug: inTitle,
      title: `The ${word} hour`,
      live: false,
      streamTitle: null,
      viewers: 0,
    });
  });

  it('finds by English stem ("games" finds "gaming") and by the slug', async () => {
    const word = uniqueWord();
    const slug = await newChannel({ title: `${word} gaming night` });

    expect(slugsOf(await search(`${word} games`))).toEqual([slug]);
    expect(slugsOf(await search(slug))).toEqual([slug]);
  });

  it('finds while typing: the last word as a prefix ("speedr" finds "speedrun")', async () => {
    const word = uniqueWord();
    const slug = await newChannel({ title: `${word} speedrun marathon` });

    expect(slugsOf(await search(`${word} speedr`))).toEqual([slug]);
    expect(slugsOf(await search(word.slice(0, -2)))).toEqual([slug]);
    expect(slugsOf(await search(`${word} marathonx`))).toEqual([]);
  });

  it('finds a channel by its live stream title, and puts live channels first among equals', async () => {
    const word = uniqueWord();
    const offline = await newChannel({ title: `${word} club` });
    const liveTwin = await newChannel({ title: `${word} club`, live: { viewers: 3 } });
    const byStreamTitle = await newChannel({
      title: 'Something else',
      live: { viewers: 1, title: `Tonight: ${word}` },
    });

    const reply = await search(word);

    const slugs = slugsOf(reply);
    expect(slugs).toHaveLength(3);
    expect(slugs.indexOf(liveTwin)).toBeLessThan(slugs.indexOf(offline));
    expect(slugs).toContain(byStreamTitle);
    expect(reply.body.items.find((c: { slug: string }) => c.slug === byStreamTitle)).toMatchObject({
      live: true,
      streamTitle: `Tonight: ${word}`,
    });
  });

  it('pages results by cursor without duplicates or gaps', async () => {
    const word = uniqueWord();
    const slugs: string[] = [];
    // Equal relevance for most, so the tie-breakers carry the pagination.
    for (let i = 0; i < 6; i++)
      slugs.push(await newChannel({ title: `${word} show`, ...(i % 2 ? { live: { viewers: i } } : {}) }));
    slugs.push(await newChannel({ title: 'Other', description: word }));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply: ApiReply = await search(word, `&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status).toBe(200);
      seen.push(...slugsOf(reply));
      cursor = reply.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);

    expect(pages).toBe(4);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(slugs));
    expect(seen.at(-1)).toBe(slugs.at(-1)); // the description match last
    const firstThreeLive = await prisma().channel.findMany({
      where: { slug: { in: seen.slice(0, 3) } },
      select: { streams: { select: { id: true } } },
    });
    expect(firstThreeLive.every((c) => c.streams.length === 1)).toBe(true); // live first among the equal titles

    const tampered = Buffer.from(JSON.stringify({ r: 0.5, l: 1, id: '00000000-0000-0000-0000-000000000000' })).toString(
      'base64url',
    );
    const reply = await search(word, `&cursor=${tampered}`);
    expect([reply.status, reply.body.code]).toEqual([400, 'invalid_cursor']);
  });

  it('answers 400 for an empty, blank or too long query', async () => {
    const cases: [string, string][] = [
      ['/api/v1/search', 'bad_request'],
      ['/api/v1/search?q=', 'bad_request'],
      ['/api/v1/search?q=%20%20%09', 'empty_query'],
      [`/api/v1/search?q=${'a'.repeat(101)}`, 'bad_request'],
      ['/api/v1/search?q=a&limit=0', 'bad_request'],
    ];
    for (const [path, code] of cases) {
      const reply = await new ApiClient(platform.url).get(path);
      expect([path, reply.status, reply.body.code]).toEqual([path, 400, code]);
    }
  });

  it('answers 200 to hostile queries, and finds nothing it should not', async () => {
    const word = uniqueWord();
    const slug = await newChannel({ title: `${word} it's "quoted"` });
    const hostile = [
      `'`,
      `"`,
      `\\`,
      `'; DROP TABLE "Channel"; --`,
      `&|!():*`,
      `!!!`,
      `a:*`,
      `${word}:*`,
      `(${word}`,
      `${word} & !`,
      `-${word}`,
      `"${word}`,
      `${word} <-> x`,
      `\u0000${word}`,
      `½ ${word}`,
      'x'.repeat(100),
      '日本語 İstanbul ١٢٣ 🎮 e\u0301',
      `${'é'.repeat(99)}`,
      '%_%',
    ];
    for (const q of hostile) {
      const reply = await search(q);
      expect([q, reply.status]).toEqual([q, 200]);
      expect(Array.isArray(reply.body.items)).toBe(true);
    }
    expect(slugsOf(await search(`'${word}'`))).toEqual([slug]);
    expect(slugsOf(await search(`${word}:*`))).toEqual([slug]);
    expect(slugsOf(await search(`-${word}`))).not.toContain(slug); // websearch: "-word" excludes it
    expect(await prisma().channel.count({ where: { slug } })).toBe(1);
  });

  it('answers 200 (or 400 for blank) to any text up to 100 characters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 100, unit: 'binary' }), async (q) => {
        const reply = await search(q);
        const blank = q.replace(/\p{Cc}/gu, ' ').trim() === '';
        expect([q, reply.status]).toEqual([q, blank ? 400 : 200]);
      }),
      { numRuns: 60 },
    );
  });
});
