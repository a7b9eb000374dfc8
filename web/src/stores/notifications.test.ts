import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useNotificationsStore, RECENT_SIZE, type AppNotification } from './notifications.ts';

function note(id: string, read = false): AppNotification {
  return {
    id,
    kind: 'channel_live',
    title: `Channel ${id} is live`,
    channel: { slug: `ch-${id}`, title: `Channel ${id}`, avatarUrl: null },
    streamId: `stream-${id}`,
    webinarId: null,
    read,
    createdAt: '2026-03-12T18:00:00.000Z',
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('useNotificationsStore', () => {
  let replies: Response[];
  let asked: { url: string; method: string; body: unknown }[];

  beforeEach(() => {
    setActivePinia(createPinia());
    replies = [];
    asked = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push({ url, method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined });
      const reply = replies.shift();
      if (!reply) throw new Error(`unexpected request ${url}`);
      return reply;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('loads the list page by page and takes the unread count from the server', async () => {
    const store = useNotificationsStore();
    replies.push(
      json(200, { items: [note('3'), note('2')], nextCursor: 'c', unreadCount: 3 }),
      json(200, { items: [note('1', true)], nextCursor: null, unreadCount: 2 }),
    );
    await store.loadList();
    expect(store.unreadCount).toBe(3);
    await store.loadMore();
    expect(store.items.map((n) => n.id)).toEqual(['3', '2', '1']);
    expect(store.unreadCount).toBe(2);
    expect(asked.map((a) => a.url)).toEqual([
      '/api/v1/me/notifications?limit=20',
      '/api/v1/me/notifications?limit=20&cursor=c',
    ]);
  });

  it('marks one read in the bell and in the list, and believes the server about the count', async () => {
    const store = useNotificationsStore();
    replies.push(json(200, { items: [note('2'), note('1')], nextCursor: null, unreadCount: 2 }));
    await store.loadRecent();
    replies.push(json(200, { items: [note('2'), note('1')], nextCursor: null, unreadCount: 2 }));
    await store.loadList();
    replies.push(json(200, { unreadCount: 1 }));
    await store.markRead(['2']);
    expect(asked.at(-1)).toEqual({ url: '/api/v1/me/notifications/read', method: 'POST', body: { ids: ['2'] } });
    expect(store.recent.find((n) => n.id === '2')?.read).toBe(true);
    expect(store.items.find((n) => n.id === '2')?.read).toBe(true);
    expect(store.items.find((n) => n.id === '1')?.read).toBe(false);
    expect(store.unreadCount).toBe(1);

    replies.push(json(200, { unreadCount: 0 }));
    await store.markAllRead();
    expect(asked.at(-1)?.body).toEqual({ all: true });
    expect(store.items.every((n) => n.read)).toBe(true);
    expect(store.unreadCount).toBe(0);
  });

  it('leaves everything as it was when marking read fails', async () => {
    const store = useNotificationsStore();
    replies.push(json(200, { items: [note('1')], nextCursor: null, unreadCount: 1 }));
    await store.loadRecent();
    replies.push(json(500, { status: 500, code: 'internal', detail: 'boom' }));
    await expect(store.markRead(['1'])).rejects.toThrow('boom');
    expect(store.recent[0]?.read).toBe(false);
    expect(store.unreadCount).toBe(1);
  });

  it('puts a pushed notification on top of the bell (at most a few) and of a loaded list, once', async () => {
    const store = useNotificationsStore();
    const older = Array.from({ length: RECENT_SIZE }, (_, i) => note(`old${i}`, true));
    replies.push(json(200, { items: older, nextCursor: null, unreadCount: 0 }));
    await store.loadRecent();
    store.received(note('new'));
    store.received(note('new'));
    expect(store.recent).toHaveLength(RECENT_SIZE);
    expect(store.recent[0]?.id).toBe('new');
    // The list page was never opened: nothing to put it on.
    expect(store.items).toHaveLength(0);

    replies.push(json(200, { items: [note('a')], nextCursor: null, unreadCount: 1 }));
    await store.loadList();
    store.received(note('b'));
    expect(store.items.map((n) => n.id)).toEqual(['b', 'a']);
    store.setUnreadCount(2);
    expect(store.unreadCount).toBe(2);
    store.setUnreadCount(-1);
    expect(store.unreadCount).toBe(2);
  });

  it('forgets everything on stop (sign-out)', async () => {
    const store = useNotificationsStore();
    replies.push(json(200, { items: [note('1')], nextCursor: 'c', unreadCount: 1 }));
    await store.loadList();
    store.stop();
    expect(store.items).toHaveLength(0);
    expect(store.nextCursor).toBeNull();
    expect(store.unreadCount).toBe(0);
    expect(store.connection).toBe('off');
  });
});
