import { ref, shallowRef } from 'vue';
import { ApiError, getJson } from '../lib/api.ts';

// What the VOD and clip stores share: the list of the channel being shown (newest first, a page
// at a time where the API pages it) and the one recording being watched. Each store builds its
// own from these inside its setup and returns what they hold.

export type RecordingListState = 'idle' | 'loading' | 'loaded' | 'failed';
/** forbidden: a recording of a private channel this reader may not watch. */
export type RecordingLookup = 'idle' | 'loading' | 'found' | 'not-found' | 'forbidden' | 'failed';

interface Recording {
  id: string;
  channel: string;
}

interface RecordingPage<T> {
  items: T[];
  nextCursor?: string | null;
}

/** A channel's recordings. `what` names them in the console ("VODs"). */
export function recordingList<T extends Recording>(options: {
  what: string;
  pageUrl: (channel: string, cursor: string | null) => string;
}) {
  const { what, pageUrl } = options;
  const channel = ref<string | null>(null);
  const items = shallowRef<T[]>([]);
  const nextCursor = ref<string | null>(null);
  const listState = ref<RecordingListState>('idle');
  const loadingMore = ref(false);
  const moreFailed = ref(false);
  let listController: AbortController | undefined;

  /** Starts the list of `slug`'s recordings over, from the newest. */
  async function loadChannel(slug: string): Promise<void> {
    listController?.abort();
    const mine = (listController = new AbortController());
    channel.value = slug;
    items.value = [];
    nextCursor.value = null;
    moreFailed.value = false;
    listState.value = 'loading';
    try {
      const page = await getJson<RecordingPage<T>>(pageUrl(slug, null), mine.signal);
      if (mine.signal.aborted) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor ?? null;
      listState.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn(`[aethex] ${what} of '${slug}' could not be loaded`, error);
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
      const page = await getJson<RecordingPage<T>>(pageUrl(slug, cursor), mine?.signal);
      if (channel.value !== slug || listController !== mine) return;
      const known = new Set(items.value.map((item) => item.id));
      items.value = [...items.value, ...page.items.filter((item) => !known.has(item.id))];
      nextCursor.value = page.nextCursor ?? null;
    } catch (error) {
      if (mine?.signal.aborted) return;
      console.warn(`[aethex] more ${what} of '${slug}' could not be loaded`, error);
      moreFailed.value = true;
    } finally {
      loadingMore.value = false;
    }
  }

  /**
   * Asks for the newest page again and puts recordings that were not there first (a VOD appears
   * a few seconds after a stream ends). Returns how many were new.
   */
  async function refreshNewest(): Promise<number> {
    const slug = channel.value;
    if (!slug) return 0;
    const mine = listController;
    try {
      const page = await getJson<RecordingPage<T>>(pageUrl(slug, null), mine?.signal);
      if (channel.value !== slug || listController !== mine) return 0;
      const known = new Set(items.value.map((item) => item.id));
      const fresh = page.items.filter((item) => !known.has(item.id));
      if (fresh.length === 0) return 0;
      if (fresh.length === page.items.length) {
        // Nothing in common with what is shown: the page replaces it, and its cursor goes on from there.
        items.value = page.items;
        nextCursor.value = page.nextCursor ?? null;
      } else {
        items.value = [...fresh, ...items.value];
      }
      listState.value = 'loaded';
      return fresh.length;
    } catch (error) {
      if (!mine?.signal.aborted) console.warn(`[aethex] ${what} of '${slug}' could not be refreshed`, error);
      return 0;
    }
  }

  /** One made on this page goes on top of its channel's list, if that list is the one shown. */
  function addNewest(made: T): void {
    if (channel.value !== made.channel || items.value.some((item) => item.id === made.id)) return;
    items.value = [made, ...items.value];
    if (listState.value !== 'loading') listState.value = 'loaded';
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
    addNewest,
  };
}

/** The recording being watched, by id. `what` names it in the console ("VOD"). */
export function recordingLookup<T>(options: { what: string; url: (id: string) => string }) {
  const { what, url } = options;
  const item = shallowRef<T | null>(null);
  const lookup = ref<RecordingLookup>('idle');
  let controller: AbortController | undefined;

  async function load(id: string): Promise<void> {
    controller?.abort();
    const mine = (controller = new AbortController());
    item.value = null;
    lookup.value = 'loading';
    try {
      const found = await getJson<T>(url(id), mine.signal);
      if (mine.signal.aborted) return;
      item.value = found;
      lookup.value = 'found';
    } catch (error) {
      if (mine.signal.aborted) return;
      // A malformed id is a 400: to the viewer it is one that does not exist as well.
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) lookup.value = 'not-found';
      else if (error instanceof ApiError && error.status === 403) lookup.value = 'forbidden';
      else {
        console.warn(`[aethex] ${what} '${id}' could not be loaded`, error);
        lookup.value = 'failed';
      }
    }
  }

  return { item, lookup, load };
}
