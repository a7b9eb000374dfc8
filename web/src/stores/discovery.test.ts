import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useDiscoveryStore, type ChannelCard } from './discovery.ts';

function card(slug: string, viewers = 0): ChannelCard {
  return {
    slug,
    title: `Channel ${slug}`,
    streamTitle: `Stream of ${slug}`,
    category: 'music',
    categoryName: 'Music',
    tags: [],
    avatarUrl: null,
    live: true,
    viewers,
    startedAt: '2026-03-12T18:00:00.000Z',
    owner: { username: slug, name: slug },
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('useDiscoveryStore', () => {
  /** Replies by URL, each given once, so a request the test did not expect fails loudly. */
  let replies: Map<string, () => Promise<Response>>;
  let asked: string[];

  beforeEach(() => {
    setActivePinia(createPinia());
    replies = new Map();
    asked = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push(url);
      const reply = replies.get(url);
      if (!reply) throw new Error(`unexpected request ${url}`);
      replies.delete(url);
      const response = await reply();
      if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
      return response;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('pages through live channels with the cursor and the same filter, without repeating a channel', async () => {
    const store = useDiscoveryStore();
    replies.set('/api/v1/discover/live?category=music&limit=24', async () =>
      json(200, { items: [card('a', 9), card('b', 5)], nextCursor: 'c1' }),
    );
    // 'b' gained viewers meanwhile and is on the next page too: it is shown once.
    replies.set('/api/v1/discover/live?category=music&limit=24&cursor=c1', async () =>
      json(200, { items: [card('b', 6), card('c', 1)], nextCursor: null }),
    );
    await store.live.load({ category: 'music' });
    expect(store.live.state).toBe('loaded');
    expect(store.live.nextCursor).toBe('c1');
    await store.live.loadMore();
    expect(store.live.items.map((c) => c.slug)).toEqual(['a', 'b', 'c']);
    expect(store.live.nextCursor).toBeNull();
    await store.live.loadMore();
    expect(asked).toHaveLength(2);
  });

  it('leaves out an empty filter', async () => {
    const store = useDiscoveryStore();
    replies.set('/api/v1/discover/live?limit=24', async () => json(200, { items: [], nextCursor: null }));
    await store.live.load({ category: null });
    expect(asked).toEqual(['/api/v1/discover/live?limit=24']);
    expect(store.live.state).toBe('loaded');
  });

  it('shows only the answer to the last search when an earlier one answers late', async () => {
    const store = useDiscoveryStore();
    let answerFirst!: () => void;
    const firstAnswered = new Promise<void>((resolve) => (answerFirst = resolve));
    replies.set('/api/v1/search?q=ad&limit=24', async () => {
      await firstAnswered;
      return json(200, { items: [card('stale')], nextCursor: 'x' });
    });
    replies.set('/api/v1/search?q=ada&limit=24', async () => json(200, { items: [card('ada')], nextCursor: null }));
    const first = store.search.load({ q: 'ad' });
    const second = store.search.load({ q: 'ada' });
    await second;
    answerFirst();
    await first;
    expect(store.search.items.map((c) => c.slug)).toEqual(['ada']);
    expect(store.search.nextCursor).toBeNull();
    expect(store.search.query).toEqual({ q: 'ada' });
  });

  it('says when a list failed, and a failed next page keeps what is shown', async () => {
    const store = useDiscoveryStore();
    replies.set('/api/v1/search?q=x&limit=24', async () =>
      json(500, { status: 500, code: 'internal', detail: 'boom' }),
    );
    await store.search.load({ q: 'x' });
    expect(store.search.state).toBe('failed');

    replies.set('/api/v1/search?q=y&limit=24', async () => json(200, { items: [card('y')], nextCursor: 'n' }));
    replies.set('/api/v1/search?q=y&limit=24&cursor=n', async () =>
      json(503, { status: 503, code: 'unavailable', detail: 'busy' }),
    );
    await store.search.load({ q: 'y' });
    await store.search.loadMore();
    expect(store.search.moreFailed).toBe(true);
    expect(store.search.items.map((c) => c.slug)).toEqual(['y']);
    expect(store.search.nextCursor).toBe('n');
    expect(store.search.loadingMore).toBe(false);
  });

  it('refreshes the first page in place, but not once the viewer has paged further', async () => {
    const store = useDiscoveryStore();
    replies.set('/api/v1/discover/live?limit=24', async () => json(200, { items: [card('a', 3)], nextCursor: null }));
    await store.live.load();
    replies.set('/api/v1/discover/live?limit=24', async () =>
      json(200, { items: [card('new', 9), card('a', 4)], nextCursor: null }),
    );
    await store.live.refresh();
    expect(store.live.items.map((c) => `${c.slug}:${c.viewers}`)).toEqual(['new:9', 'a:4']);

    const firstPage = Array.from({ length: 24 }, (_, i) => card(`p${i}`));
    replies.set('/api/v1/discover/live?limit=24', async () => json(200, { items: firstPage, nextCursor: 'c' }));
    replies.set('/api/v1/discover/live?limit=24&cursor=c', async () =>
      json(200, { items: [card('last')], nextCursor: null }),
    );
    await store.live.load();
    await store.live.loadMore();
    const before = asked.length;
    await store.live.refresh();
    expect(asked).toHaveLength(before);
    expect(store.live.items).toHaveLength(25);
  });

  it('keeps the categories shown when a refresh fails', async () => {
    const store = useDiscoveryStore();
    replies.set('/api/v1/categories', async () => json(200, [{ slug: 'music', name: 'Music', liveChannels: 2 }]));
    await store.loadCategories();
    expect(store.categoryNamed('music')?.liveChannels).toBe(2);
    replies.set('/api/v1/categories', async () => json(500, { status: 500, code: 'internal', detail: 'boom' }));
    await store.loadCategories();
    expect(store.categoriesState).toBe('loaded');
    expect(store.categories).toHaveLength(1);
  });

  it('loads recommendations with their reasons', async () => {
    const store = useDiscoveryStore();
    replies.set('/api/v1/discover/recommended?limit=8', async () =>
      json(200, { items: [{ ...card('f'), reason: 'following' }] }),
    );
    await store.loadRecommended();
    expect(store.recommendedState).toBe('loaded');
    expect(store.recommended[0]?.reason).toBe('following');
  });
});
