// A channel lives at /<slug>, so no slug may be a top-level path that the server serves. The
// reserved list is checked against every route the running server registered (all roles, so the
// recorder's, signaling's and the web build's files too): a new route on a new top-level segment
// fails here until the segment is reserved. The web router's pages are checked beside it
// (web/src/router.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSlug } from '../../api/channels/slugs.ts';
import { RESERVED_PATH_SEGMENTS } from '../../common/protocol/reserved-paths.ts';
import { signUp } from '../support/api-client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

/**
 * The full path of every route in Fastify's printed radix tree. Each line is a node whose label
 * continues its parent's path ("├── ealthz (GET, HEAD)" under "h"); the ones with methods are
 * routes. Fastify has no other public way to list routes registered before we could listen.
 */
function routePaths(tree: string): string[] {
  const prefixes: string[] = [];
  const paths: string[] = [];
  for (const line of tree.split('\n')) {
    const branch = line.indexOf('── ');
    if (branch < 1) continue;
    const depth = (branch - 1) / 4;
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(branch + 3));
    const label = match?.[1] ?? '';
    const path = (depth > 0 ? (prefixes[depth - 1] ?? '') : '') + label;
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    if (match?.[2]) paths.push(path);
  }
  return paths;
}

const firstSegment = (path: string) => path.split('/')[1] ?? '';

/** A top-level name the server serves a file under (index.html, favicon.svg): never a slug's shape. */
const isFileName = (segment: string) => segment.includes('.') && segment !== 'socket.io';

describe('reserved path segments', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('include the first segment of every route the running server serves', () => {
    const paths = routePaths(platform.http.printRoutes());
    // The parser must see the routes we know of, or an empty answer would pass.
    for (const known of ['/healthz', '/api/v1/channels/:slug', '/api/whip', '/hls/:channel/index.m3u8', '/uploads/*']) {
      expect(paths).toContain(known);
    }
    const segments = new Set(paths.map(firstSegment).filter((segment) => segment !== ''));
    // socket.io answers on the HTTP server before Fastify routes anything.
    if (platform.io) segments.add(firstSegment(platform.io.path()));

    const unreserved = [...segments].filter((segment) => !isFileName(segment) && !RESERVED_PATH_SEGMENTS.has(segment));
    expect(unreserved, 'add these to common/protocol/reserved-paths.ts').toEqual([]);
    // Files at the top are safe only because a slug can't look like them.
    for (const segment of segments) expect(() => validateSlug(segment), segment).toThrow();
  });

  it('are refused as channel slugs, with the paths the server serves among them', async () => {
    const user = await signUp(platform.url, 'reserver');
    for (const slug of ['uploads', 'hls', 'healthz', 'assets', 'Studio', 'categories']) {
      const reply = await user.client.post('/api/v1/channels', { slug });
      expect(reply.status, slug).toBe(400);
      expect(reply.body.detail, slug).toBe(`'${slug.toLowerCase()}' is reserved; pick another channel slug.`);
    }
    expect(await platform.database!.prisma.channel.count({ where: { ownerId: user.id } })).toBe(0);
  });
});
