import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api.ts';
import { useChannelStore, type ChannelInfo } from './channel.ts';

function channel(change: Partial<ChannelInfo> = {}): ChannelInfo {
  return {
    slug: 'ada',
    title: 'Ada codes',
    description: '',
    category: null,
    live: false,
    viewers: 0,
    streamId: null,
    private: false,
    canWatch: true,
    startedAt: null,
    owner: { id: 'u1', username: 'ada', name: 'Ada' },
    followers: 41,
    following: false,
    categoryName: null,
    tags: [],
    avatarUrl: null,
    bannerUrl: null,
    canManage: false,
    canModerate: false,
    chat: { slowModeSeconds: 0, followersOnly: false, subscribersOnly: false },
    emotes: [],
    webrtcSeats: null,
    mode: 'default',
    audioKbps: 256,
    ...change,
  };
}

function reply(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

describe('useChannelStore', () => {
  let replies: Response[];
  let asked: string[];

  beforeEach(() => {
    setActivePinia(createPinia());
    replies = [];
    asked = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push(`${init?.method ?? 'GET'} ${url}`);
      const next = replies.shift();
      if (!next) throw new Error(`unexpected request ${url}`);
      return next;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('follows: the button and the count move at once, and the API is told', async () => {
    const store = useChannelStore();
    replies.push(reply(200, channel()));
    await store.load('ada');
    let resolveFollow: (r: Response) => void = () => {};
    replies.push(new Promise<Response>((resolve) => (resolveFollow = resolve)) as unknown as Response);
    const following = store.setFollowing(true);
    expect(store.info).toMatchObject({ following: true, followers: 42 });
    expect(store.followBusy).toBe(true);
    resolveFollow(reply(204));
    await following;
    expect(store.followBusy).toBe(false);
    expect(asked).toEqual(['GET /api/v1/channels/ada', 'PUT /api/v1/channels/ada/follow']);

    replies.push(reply(204));
    await store.setFollowing(false);
    expect(store.info).toMatchObject({ following: false, followers: 41 });
    expect(asked.at(-1)).toBe('DELETE /api/v1/channels/ada/follow');
  });

  it('puts things back when the API refuses', async () => {
    const store = useChannelStore();
    replies.push(reply(200, channel()));
    await store.load('ada');
    replies.push(reply(400, { status: 400, code: 'bad_request', detail: "You can't follow your own channel." }));
    await expect(store.setFollowing(true)).rejects.toBeInstanceOf(ApiError);
    expect(store.info).toMatchObject({ following: false, followers: 41 });
  });

  it('asks nothing when the state already is what was asked', async () => {
    const store = useChannelStore();
    replies.push(reply(200, channel({ following: true })));
    await store.load('ada');
    await store.setFollowing(true);
    expect(asked).toHaveLength(1);
  });

  it('tells a missing channel from a failed lookup', async () => {
    const store = useChannelStore();
    replies.push(reply(404, { status: 404, code: 'not_found', detail: 'no' }));
    await store.load('nope');
    expect(store.lookup).toBe('not-found');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    replies.push(reply(500, { status: 500, code: 'internal', detail: 'boom' }));
    await store.load('ada');
    expect(store.lookup).toBe('failed');
  });

  it('hands a viewer link to the API and tells a granted link from a refused one', async () => {
    const store = useChannelStore();
    replies.push(reply(204));
    await expect(store.grantViewerAccess('ada', 'view_ok')).resolves.toBe('granted');
    replies.push(reply(403, { status: 403, code: 'forbidden', detail: 'revoked' }));
    await expect(store.grantViewerAccess('ada', 'view_revoked')).resolves.toBe('refused');
    replies.push(reply(404, { status: 404, code: 'not_found', detail: 'no' }));
    await expect(store.grantViewerAccess('nope', 'view_x')).resolves.toBe('not-found');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    replies.push(reply(502));
    await expect(store.grantViewerAccess('ada', 'view_x')).resolves.toBe('failed');
    expect(asked).toEqual([
      'POST /api/v1/channels/ada/viewer-access',
      'POST /api/v1/channels/ada/viewer-access',
      'POST /api/v1/channels/nope/viewer-access',
      'POST /api/v1/channels/ada/viewer-access',
    ]);
  });
});
