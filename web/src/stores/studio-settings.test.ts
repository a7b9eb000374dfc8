import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { ApiError } from '../lib/api.ts';
import type { ChannelInfo } from './channel.ts';
import { useSessionStore, type Me } from './session.ts';
import { imageProblemText, parseTags, tagsProblem, useStudioSettingsStore } from './studio-settings.ts';

function me(channels: { slug: string; title: string }[]): Me {
  return {
    user: { id: 'u1', email: 'ada@example.test', username: 'ada', name: 'Ada', role: 'creator' },
    channels,
    moderates: [],
  };
}

function channel(slug: string, change: Partial<ChannelInfo> = {}): ChannelInfo {
  return {
    slug,
    title: `${slug} title`,
    description: '',
    category: null,
    tags: [],
    live: false,
    viewers: 0,
    streamId: null,
    private: false,
    canWatch: true,
    startedAt: null,
    categoryName: null,
    avatarUrl: null,
    bannerUrl: null,
    owner: { id: 'u1', username: 'ada', name: 'Ada' },
    followers: 0,
    following: false,
    canManage: true,
    canModerate: true,
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

describe('parseTags and tagsProblem', () => {
  it('turns typed tags into what the API takes', () => {
    expect(parseTags(' Speed run, retro,,RETRO , pixel art ')).toEqual(['speed-run', 'retro', 'pixel-art']);
    expect(parseTags('')).toEqual([]);
  });

  it('says what is wrong with a tag list', () => {
    expect(tagsProblem(['ok', 'fine-2'])).toBeNull();
    expect(tagsProblem(['c++'])).toMatch(/"c\+\+"/);
    expect(tagsProblem(['x'.repeat(25)])).toMatch(/1 to 24/);
    expect(tagsProblem(Array.from({ length: 11 }, (_, i) => `t${i}`))).toBe('At most 10 tags.');
  });
});

describe('imageProblemText', () => {
  it('explains 413 and 415 with the limit of the picture', () => {
    expect(imageProblemText(new ApiError(413, 'payload_too_large', 'too big'), 'avatar')).toMatch(/at most 2 MiB/);
    expect(imageProblemText(new ApiError(413, 'payload_too_large', 'too big'), 'banner')).toMatch(/at most 5 MiB/);
    expect(imageProblemText(new ApiError(415, 'unsupported_media_type', 'no'), 'avatar')).toMatch(
      /PNG, JPEG, WebP or GIF/,
    );
    expect(imageProblemText(new ApiError(403, 'forbidden', 'Only the owner can.'), 'avatar')).toBe(
      'Only the owner can.',
    );
    expect(imageProblemText(new TypeError('fetch failed'), 'avatar')).toMatch(/reach the server/);
  });
});

describe('useStudioSettingsStore', () => {
  let replies: Response[];
  let asked: { method: string; url: string; body: unknown }[];
  let stored: Map<string, string>;

  beforeEach(() => {
    setActivePinia(createPinia());
    replies = [];
    asked = [];
    stored = new Map();
    vi.stubGlobal('localStorage', {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
      removeItem: (key: string) => void stored.delete(key),
    });
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push({ method: init?.method ?? 'GET', url, body: init?.body });
      const next = replies.shift();
      if (!next) throw new Error(`unexpected request ${url}`);
      return next;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('manages the remembered channel while it is still the user’s, else the first one', async () => {
    stored.set('aethex.studio.channel', 'second');
    const session = useSessionStore();
    const settings = useStudioSettingsStore();
    expect(settings.slug).toBeNull();
    replies.push(reply(200, channel('second')));
    session.me = me([
      { slug: 'first', title: 'First' },
      { slug: 'second', title: 'Second' },
    ]);
    await nextTick();
    expect(settings.slug).toBe('second');
    await vi.waitFor(() => expect(settings.loadState).toBe('loaded'));
    expect(asked.map((a) => a.url)).toEqual(['/api/v1/channels/second']);
    expect(settings.channelTitle).toBe('Second');

    replies.push(reply(200, channel('first')));
    session.me = me([{ slug: 'first', title: 'First' }]);
    await nextTick();
    expect(settings.slug).toBe('first');
    await vi.waitFor(() => expect(settings.info?.slug).toBe('first'));
  });

  it('creates a channel, selects it and refreshes the session', async () => {
    const session = useSessionStore();
    session.me = me([]);
    const settings = useStudioSettingsStore();
    replies.push(
      reply(201, channel('newbie')),
      reply(200, me([{ slug: 'newbie', title: 'Newbie' }])),
      reply(200, channel('newbie')),
    );
    await settings.create({ slug: 'newbie', title: '', category: 'games' });
    expect(asked[0]).toMatchObject({ method: 'POST', url: '/api/v1/channels' });
    expect(JSON.parse(String(asked[0]!.body))).toEqual({ slug: 'newbie', category: 'games' });
    expect(asked[1]!.url).toBe('/api/v1/auth/me');
    expect(settings.slug).toBe('newbie');
    expect(stored.get('aethex.studio.channel')).toBe('newbie');
  });

  it('uploads a picture as multipart and shows its new URL', async () => {
    const session = useSessionStore();
    const settings = useStudioSettingsStore();
    replies.push(reply(200, channel('ada')));
    session.me = me([{ slug: 'ada', title: 'Ada' }]);
    await vi.waitFor(() => expect(settings.loadState).toBe('loaded'));
    replies.push(reply(200, { url: '/uploads/abc.png' }));
    await settings.uploadImage('avatar', new File([new Uint8Array([137, 80, 78, 71])], 'a.png', { type: 'image/png' }));
    const upload = asked.at(-1)!;
    expect(upload).toMatchObject({ method: 'PUT', url: '/api/v1/channels/ada/avatar' });
    expect((upload.body as FormData).get('file')).toBeInstanceOf(File);
    expect(settings.info?.avatarUrl).toBe('/uploads/abc.png');

    replies.push(reply(413, { status: 413, code: 'payload_too_large', detail: 'too big' }));
    await expect(settings.uploadImage('banner', new File(['x'], 'b.png', { type: 'image/png' }))).rejects.toMatchObject(
      { status: 413 },
    );
    expect(settings.info?.bannerUrl ?? null).toBeNull();

    replies.push(reply(204));
    await settings.removeImage('avatar');
    expect(settings.info?.avatarUrl).toBeNull();
  });
});
