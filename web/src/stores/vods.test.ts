import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useVodStore, type Vod } from './vods.ts';

function vod(id: string): Vod {
  return {
    id,
    channel: 'ada',
    title: `Stream ${id}`,
    durationSeconds: 61.5,
    createdAt: '2026-03-12T18:04:00.000Z',
    playlistUrl: `/vod/${id}/index.m3u8`,
    mp4Url: `/vod/${id}/vod.mp4`,
    posterUrl: null,
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('useVodStore', () => {
  let replies: Response[];
  let asked: string[];

  beforeEach(() => {
    setActivePinia(createPinia());
    replies = [];
    asked = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      const reply = replies.shift();
      if (!reply) throw new Error(`unexpected request ${url}`);
      return reply;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('loads a channel page by page with the cursor', async () => {
    const store = useVodStore();
    replies.push(
      json(200, { items: [vod('c'), vod('b')], nextCursor: 'b' }),
      json(200, { items: [vod('a')], nextCursor: null }),
    );
    await store.loadChannel('ada');
    expect(store.listState).toBe('loaded');
    expect(store.nextCursor).toBe('b');
    await store.loadMore();
    expect(store.items.map((v) => v.id)).toEqual(['c', 'b', 'a']);
    expect(store.nextCursor).toBeNull();
    expect(asked[0]).toBe('/api/v1/channels/ada/vods?limit=12');
    expect(asked[1]).toBe('/api/v1/channels/ada/vods?limit=12&cursor=b');
    await store.loadMore();
    expect(asked).toHaveLength(2);
  });

  it('puts VODs that appeared since on top, keeping the cursor', async () => {
    const store = useVodStore();
    replies.push(
      json(200, { items: [vod('b'), vod('a')], nextCursor: 'a' }),
      json(200, { items: [vod('c'), vod('b')], nextCursor: 'b' }),
    );
    await store.loadChannel('ada');
    expect(await store.refreshNewest()).toBe(1);
    expect(store.items.map((v) => v.id)).toEqual(['c', 'b', 'a']);
    expect(store.nextCursor).toBe('a');
  });

  it('fills an empty list from the refresh', async () => {
    const store = useVodStore();
    replies.push(json(200, { items: [], nextCursor: null }), json(200, { items: [vod('a')], nextCursor: null }));
    await store.loadChannel('ada');
    expect(await store.refreshNewest()).toBe(1);
    expect(store.items.map((v) => v.id)).toEqual(['a']);
  });

  it('tells a missing VOD from a failed lookup', async () => {
    const store = useVodStore();
    replies.push(json(404, { status: 404, code: 'not_found', detail: 'VOD x not found' }));
    await store.loadVod('x');
    expect(store.lookup).toBe('not-found');
    replies.push(json(403, { status: 403, code: 'forbidden', detail: 'private channel' }));
    await store.loadVod('p');
    expect(store.lookup).toBe('forbidden');
    replies.push(json(500, { status: 500, code: 'internal', detail: 'boom' }));
    await store.loadVod('y');
    expect(store.lookup).toBe('failed');
    replies.push(json(200, vod('z')));
    await store.loadVod('z');
    expect(store.lookup).toBe('found');
    expect(store.vod?.id).toBe('z');
  });
});
