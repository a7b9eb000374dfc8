import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as server from '../../../common/protocol/rest/clips.ts';
import { clipErrorText, MAX_CLIP_SECONDS, MIN_CLIP_SECONDS, useClipStore, type Clip } from './clips.ts';
import { ApiError } from '../lib/api.ts';

function clip(id: string, overrides: Partial<Clip> = {}): Clip {
  return {
    id,
    channel: 'ada',
    title: `Clip ${id}`,
    startSeconds: 12,
    durationSeconds: 30.2,
    createdAt: '2026-03-12T18:04:00.000Z',
    videoUrl: `/clip/${id}/clip.mp4`,
    posterUrl: `/clip/${id}/poster.jpg`,
    pageUrl: `/clip/${id}`,
    vodId: null,
    ...overrides,
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('useClipStore', () => {
  let replies: Response[];
  let asked: { url: string; method: string; body: unknown }[];

  beforeEach(() => {
    setActivePinia(createPinia());
    replies = [];
    asked = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      asked.push({
        url,
        method: init.method ?? 'GET',
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      });
      const reply = replies.shift();
      if (!reply) throw new Error(`unexpected request ${url}`);
      return reply;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("loads a channel's clips", async () => {
    const store = useClipStore();
    replies.push(json(200, { items: [clip('b'), clip('a')] }));
    await store.loadChannel('ada');
    expect(asked[0]!.url).toBe('/api/v1/channels/ada/clips');
    expect(store.listState).toBe('loaded');
    expect(store.items.map((c) => c.id)).toEqual(['b', 'a']);
  });

  it('says when the list failed', async () => {
    const store = useClipStore();
    replies.push(json(500, { status: 500, code: 'internal', detail: 'boom' }));
    await store.loadChannel('ada');
    expect(store.listState).toBe('failed');
    expect(store.items).toEqual([]);
  });

  it('tells a missing clip (404, or a malformed id) and a private one from a failed lookup', async () => {
    const store = useClipStore();
    replies.push(json(404, { status: 404, code: 'not_found', detail: 'Clip x not found' }));
    await store.loadClip('x');
    expect(store.lookup).toBe('not-found');
    replies.push(json(400, { status: 400, code: 'bad_request', detail: 'params/id must match pattern' }));
    await store.loadClip('not-a-uuid');
    expect(store.lookup).toBe('not-found');
    replies.push(json(403, { status: 403, code: 'forbidden', detail: 'private channel' }));
    await store.loadClip('p');
    expect(store.lookup).toBe('forbidden');
    replies.push(json(500, { status: 500, code: 'internal', detail: 'boom' }));
    await store.loadClip('y');
    expect(store.lookup).toBe('failed');
    replies.push(json(200, clip('z')));
    await store.loadClip('z');
    expect(store.lookup).toBe('found');
    expect(store.clip?.id).toBe('z');
  });

  it('clips the live stream and puts the new clip on top of the list shown', async () => {
    const store = useClipStore();
    replies.push(json(200, { items: [clip('a')] }), json(201, clip('b')));
    await store.loadChannel('ada');
    const made = await store.clipLive('ada', 30, '  Nice play ');
    expect(made.id).toBe('b');
    expect(asked[1]).toEqual({
      url: '/api/v1/channels/ada/clips',
      method: 'POST',
      body: { seconds: 30, title: 'Nice play' },
    });
    expect(store.items.map((c) => c.id)).toEqual(['b', 'a']);
  });

  it('clips a VOD range without a title, leaving another channel’s list alone', async () => {
    const store = useClipStore();
    replies.push(json(200, { items: [clip('a')] }), json(201, clip('c', { channel: 'grace', vodId: 'v1' })));
    await store.loadChannel('ada');
    await store.clipVod('v1', 4.5, 34.5, '   ');
    expect(asked[1]).toEqual({
      url: '/api/v1/vods/v1/clips',
      method: 'POST',
      body: { startSeconds: 4.5, endSeconds: 34.5 },
    });
    expect(store.items.map((c) => c.id)).toEqual(['a']);
  });

  it('passes a refusal on as an ApiError, in words for the viewer', async () => {
    const store = useClipStore();
    replies.push(
      json(409, { status: 409, code: 'not_live', detail: "Channel 'ada' is not live, so there is nothing to clip." }),
    );
    const refusal = await store.clipLive('ada').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(clipErrorText(refusal)).toBe("Channel 'ada' is not live, so there is nothing to clip.");
    expect(clipErrorText(new ApiError(503, 'unavailable', 'busy'))).toMatch(/try again in a moment/);
    expect(clipErrorText(new TypeError('Failed to fetch'))).toMatch(/Check your connection/);
  });
});

describe('clip lengths', () => {
  it("are the server's (a copy, so the page doesn't bundle the schema library)", () => {
    expect([MIN_CLIP_SECONDS, MAX_CLIP_SECONDS]).toEqual([server.MIN_CLIP_SECONDS, server.MAX_CLIP_SECONDS]);
  });
});
