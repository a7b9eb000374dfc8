// Every page of the app sits on a top-level segment that no channel slug may take
// (common/protocol/reserved-paths.ts), or a channel could shadow it or be shadowed by it.
import { describe, expect, it, vi } from 'vitest';
import { RESERVED_PATH_SEGMENTS } from '../../common/protocol/reserved-paths.ts';
import { router } from './router.ts';

// The router builds a browser history when imported; a memory history has the same routes.
vi.mock('vue-router', async (importOriginal) => {
  const original = await importOriginal<typeof import('vue-router')>();
  return { ...original, createWebHistory: () => original.createMemoryHistory() };
});

describe('router', () => {
  it('puts every page on a reserved top-level segment', () => {
    const segments = router
      .getRoutes()
      .map((route) => route.path.split('/')[1] ?? '')
      // The home page, and the catch-alls (/:slug is the channel page itself).
      .filter((segment) => segment !== '' && !segment.startsWith(':'));

    expect(segments).toEqual(expect.arrayContaining(['login', 'studio', 'categories', 'vod']));
    expect(segments.filter((segment) => !RESERVED_PATH_SEGMENTS.has(segment))).toEqual([]);
  });
});
