import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { ApiError, getJson } from '../lib/api.ts';

/** One VOD, as GET /api/v1/vods/:id and the channel's list describe it. */
export interface Vod {
  id: string;
  channel: string;
  title: string;
  durationSeconds: number;
  createdAt: string;
  /** HLS with ENDLIST: the whole recording, seekable. */
  playlistUrl: string;
  mp4Url: string | null;
  posterUrl: string | null;
}

interface VodPage {
  items: Vod[];
  nextCursor: string | null;
}

export type VodListState = 'idle' | 'loading' | 'loaded' | 'failed';
/** forbidden: the VOD of a private channel this reader may not watch. */
export type VodLookup = 'idle' | 'loading' | 'found' | 'not-found' | 'forbidden' | 'failed';

export const VOD_PAGE_SIZE = 12;

function pageUrl(channel: string, cursor: string | null): string {
  const query = new URLSearchParams({ limit: String(VOD_PAGE_SIZE) });
  if (cursor) query.set('cursor', cursor);
  return `/api/v1/channels/${encodeURIComponent(channel)}/vods?${query}`;
}

/** Past broadcasts: the list of the channel being shown (newest first, a page at a time) and the VOD being watched. */
export const useVodStore = defineStore('vods', () => {
  const channel = ref<string | null>(null);
  const items = shallowRef<Vod[]>([]);
  const nextCursor = ref<string | null>(null);
  const listState = ref<VodListState>('idle');
  const loadingMore = ref(false);
  const moreFailed = ref(false);
  let listController: AbortController | undefined;

  const vod = shallowRef<Vod | null>(null);
  const lookup = ref<VodLookup>('idle');
  let vodController: AbortController | undefined;

  /** Starts the list of `slug`'s VODs over, from the newest. */
  async function loadChannel(slug: string): Promise<void> {
    listController?.abort();
    const mine = (listController = new AbortController());
    channel.value = slug;
    items.value = [];
    nextCursor.value = null;
    moreFailed.value = false;
    listState.value = 'loading';
    try {
      const page = await getJson<VodPage>(pageUrl(slug, null), mine.signal);
      if (mine.signal.aborted) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor;
      listState.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn(`[aethex] VODs of '${slug}' could not be loaded`, error);
      listState.value = 'failed';
    }
  }

  /** Appends the next page. */
  async function loadMore(): Promise<void> {
    const slug = channel.value;
    const cursor = nextCursor.value;
    if (!slug || !cursor || loadingMore.value) return;
    const mine = listController;
    loadingMore.value = true;
    moreFailed.value = false;
    try {
      const page = await getJson<VodPage>(pageUrl(slug, cursor), mine?.signal);
      if (channel.value !== slug || listController !== mine) return;
      const known = new Set(items.value.map((v) => v.id));
      items.value = [...items.value, ...page.items.filter((v) => !known.has(v.id))];
      nextCursor.value = page.nextCursor;
    } catch (error) {
      if (mine?.signal.aborted) return;
      console.warn(`[aethex] more VODs of '${slug}' could not be loaded`, error);
      moreFailed.value = true;
    } finally {
      loadingMore.value = false;
    }
  }

  /**
   * Asks for the newest page again and puts VODs that were not there first (one appears a few
   * seconds after a stream ends). Returns how many were new.
   */
  async function refreshNewest(): Promise<number> {
    const slug = channel.value;
    if (!slug) return 0;
    const mine = listController;
    try {
      const page = await getJson<VodPage>(pageUrl(slug, null), mine?.signal);
      if (channel.value !== slug || listController !== mine) return 0;
      const known = new Set(items.value.map((v) => v.id));
      const fresh = page.items.filter((v) => !known.has(v.id));
      if (fresh.length === 0) return 0;
      if (fresh.length === page.items.length) {
        // Nothing in common with what is shown: the page replaces it, and its cursor goes on from there.
        items.value = page.items;
        nextCursor.value = page.nextCursor;
      } else {
        items.value = [...fresh, ...items.value];
      }
      listState.value = 'loaded';
      return fresh.length;
    } catch (error) {
      if (!mine?.signal.aborted) console.warn(`[aethex] VODs of '${slug}' could not be refreshed`, error);
      return 0;
    }
  }

  async function loadVod(id: string): Promise<void> {
    vodController?.abort();
    const mine = (vodController = new AbortController());
    vod.value = null;
    lookup.value = 'loading';
    try {
      const found = await getJson<Vod>(`/api/v1/vods/${encodeURIComponent(id)}`, mine.signal);
      if (mine.signal.aborted) return;
      vod.value = found;
      lookup.value = 'found';
    } catch (error) {
      if (mine.signal.aborted) return;
      // A malformed id is a 400: to the viewer it is a VOD that does not exist as well.
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        lookup.value = 'not-found';
        return;
      }
      if (error instanceof ApiError && error.status === 403) {
        lookup.value = 'forbidden';
        return;
      }
      console.warn(`[aethex] VOD '${id}' could not be loaded`, error);
      lookup.value = 'failed';
    }
  }

  return {
    channel,
    items,
    nextCursor,
    listState,
    loadingMore,
    moreFailed,
    loadChannel,
    loadMore,
    refreshNewest,
    vod,
    lookup,
    loadVod,
  };
});
