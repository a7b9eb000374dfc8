import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Socket } from 'socket.io-client';
import type { NotificationServerEvents, NotificationView } from '../../../common/protocol/notifications.ts';
import { getJson, sendJson } from '../lib/api.ts';

/** GET /api/v1/me/notifications, and the `notification` event of the /notifications namespace. */
export type AppNotification = NotificationView;

interface NotificationPage {
  items: AppNotification[];
  nextCursor: string | null;
  unreadCount: number;
}

export type NotificationListState = 'idle' | 'loading' | 'loaded' | 'failed';
/** off: signed out (or not started). live: pushed notifications arrive. reconnecting: socket.io retries by itself. */
export type NotificationConnection = 'off' | 'connecting' | 'live' | 'reconnecting';

export const RECENT_SIZE = 6;
export const NOTIFICATION_PAGE_SIZE = 20;
/** The server refused the socket for a passing reason: try again this many times, waiting longer each time. */
const MAX_REFUSALS = 5;
const REFUSAL_RETRY_MS = 5_000;

/** Puts `fresh` first unless it is there already; keeps at most `max` when given. */
function prepend(list: AppNotification[], fresh: AppNotification, max?: number): AppNotification[] {
  if (list.some((n) => n.id === fresh.id)) return list;
  const next = [fresh, ...list];
  return max === undefined ? next : next.slice(0, max);
}

/**
 * The signed-in user's notifications: the unread count and the newest few for the header's bell
 * (kept current by the /notifications socket), and the full list for the notifications page.
 */
export const useNotificationsStore = defineStore('notifications', () => {
  const unreadCount = ref(0);
  /** The newest few, for the bell's dropdown. */
  const recent = shallowRef<AppNotification[]>([]);
  const recentState = ref<NotificationListState>('idle');

  /** The notifications page, newest first, a page at a time. */
  const items = shallowRef<AppNotification[]>([]);
  const nextCursor = ref<string | null>(null);
  const listState = ref<NotificationListState>('idle');
  const loadingMore = ref(false);
  const moreFailed = ref(false);
  let listController: AbortController | undefined;

  const connection = ref<NotificationConnection>('off');
  let socket: Socket<NotificationServerEvents> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every start and stop, so an import that resolves late knows it is stale. */
  let generation = 0;

  async function loadRecent(): Promise<void> {
    if (recentState.value !== 'loaded') recentState.value = 'loading';
    try {
      const page = await getJson<NotificationPage>(`/api/v1/me/notifications?limit=${RECENT_SIZE}`);
      recent.value = page.items;
      unreadCount.value = page.unreadCount;
      recentState.value = 'loaded';
    } catch (error) {
      console.warn('[aethex] notifications could not be loaded', error);
      if (recentState.value !== 'loaded') recentState.value = 'failed';
    }
  }

  async function loadList(): Promise<void> {
    listController?.abort();
    const mine = (listController = new AbortController());
    items.value = [];
    nextCursor.value = null;
    moreFailed.value = false;
    listState.value = 'loading';
    try {
      const page = await getJson<NotificationPage>(
        `/api/v1/me/notifications?limit=${NOTIFICATION_PAGE_SIZE}`,
        mine.signal,
      );
      if (mine.signal.aborted) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor;
      unreadCount.value = page.unreadCount;
      listState.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn('[aethex] notifications could not be loaded', error);
      listState.value = 'failed';
    }
  }

  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor || loadingMore.value) return;
    const mine = listController;
    loadingMore.value = true;
    moreFailed.value = false;
    try {
      const query = new URLSearchParams({ limit: String(NOTIFICATION_PAGE_SIZE), cursor });
      const page = await getJson<NotificationPage>(`/api/v1/me/notifications?${query}`, mine?.signal);
      if (listController !== mine) return;
      const shown = new Set(items.value.map((n) => n.id));
      items.value = [...items.value, ...page.items.filter((n) => !shown.has(n.id))];
      nextCursor.value = page.nextCursor;
      unreadCount.value = page.unreadCount;
    } catch (error) {
      if (mine?.signal.aborted) return;
      console.warn('[aethex] more notifications could not be loaded', error);
      moreFailed.value = true;
    } finally {
      loadingMore.value = false;
    }
  }

  function markLocally(read: (n: AppNotification) => boolean): void {
    const apply = (list: AppNotification[]) => list.map((n) => (!n.read && read(n) ? { ...n, read: true } : n));
    recent.value = apply(recent.value);
    items.value = apply(items.value);
  }

  /** Marks some as read; the server's count is the truth afterwards. */
  async function markRead(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const wanted = new Set(ids);
    const reply = await sendJson<{ unreadCount: number }>('POST', '/api/v1/me/notifications/read', { ids });
    markLocally((n) => wanted.has(n.id));
    unreadCount.value = reply.unreadCount;
  }

  async function markAllRead(): Promise<void> {
    const reply = await sendJson<{ unreadCount: number }>('POST', '/api/v1/me/notifications/read', { all: true });
    markLocally(() => true);
    unreadCount.value = reply.unreadCount;
  }

  /** A notification pushed by the server. The unread count comes in its own `unread-count` event. */
  function received(notification: AppNotification): void {
    recent.value = prepend(recent.value, notification, RECENT_SIZE);
    if (listState.value === 'loaded') items.value = prepend(items.value, notification);
  }

  function setUnreadCount(count: number): void {
    if (Number.isInteger(count) && count >= 0) unreadCount.value = count;
  }

  /**
   * Opens the /notifications socket for the signed-in user. socket.io-client is loaded only here,
   * so signed-out visitors never download it. Its own connection (forceNew): a connection shared
   * with another namespace could have been opened before sign-in, without the session cookie.
   */
  async function start(): Promise<void> {
    if (socket || connection.value !== 'off') return;
    const mine = ++generation;
    connection.value = 'connecting';
    void loadRecent();
    const { io } = await import('socket.io-client');
    if (mine !== generation) return;
    const opened: Socket<NotificationServerEvents> = io('/notifications', {
      transports: ['websocket'],
      forceNew: true,
    });
    socket = opened;
    let connectedBefore = false;
    opened.on('connect', () => {
      connection.value = 'live';
      // What arrived while the connection was down was not pushed: ask for it.
      if (connectedBefore) void loadRecent();
      connectedBefore = true;
    });
    opened.on('disconnect', (reason) => {
      if (socket !== opened) return;
      connection.value = 'reconnecting';
      // socket.io does not come back by itself when the server closed the socket on purpose (a
      // restart); if the session ended meanwhile, the server refuses the retry and we stop then.
      if (reason === 'io server disconnect')
        retryTimer = setTimeout(() => socket === opened && opened.connect(), REFUSAL_RETRY_MS);
    });
    let refusals = 0;
    opened.on('connect_error', (error) => {
      if (socket !== opened) return;
      connection.value = 'reconnecting';
      // Network trouble is retried by socket.io itself (the socket stays active). A refusal by the
      // server is not: signed out meanwhile is final; anything else (the database was busy) is
      // worth a few later tries.
      if (opened.active) return;
      console.warn('[aethex] notifications refused by the server', error.message);
      if (error.message === 'unauthorized' || error.message === 'forbidden' || refusals >= MAX_REFUSALS) {
        stop();
        return;
      }
      refusals++;
      retryTimer = setTimeout(() => socket === opened && opened.connect(), REFUSAL_RETRY_MS * refusals);
    });
    opened.on('connect', () => (refusals = 0));
    opened.on('notification', received);
    opened.on('unread-count', (payload) => setUnreadCount(payload.unreadCount));
  }

  /** Closes the socket and forgets the user's notifications (sign-out). */
  function stop(): void {
    generation++;
    clearTimeout(retryTimer);
    socket?.disconnect();
    socket = undefined;
    connection.value = 'off';
    listController?.abort();
    unreadCount.value = 0;
    recent.value = [];
    recentState.value = 'idle';
    items.value = [];
    nextCursor.value = null;
    listState.value = 'idle';
    loadingMore.value = false;
    moreFailed.value = false;
  }

  return {
    unreadCount,
    recent,
    recentState,
    items,
    nextCursor,
    listState,
    loadingMore,
    moreFailed,
    connection,
    loadRecent,
    loadList,
    loadMore,
    markRead,
    markAllRead,
    received,
    setUnreadCount,
    start,
    stop,
  };
});
