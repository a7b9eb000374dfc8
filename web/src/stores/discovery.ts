import { defineStore } from 'pinia';
import { reactive, ref, shallowRef } from 'vue';
import type { Category, ChannelCard, RecommendedCard } from '../../../common/protocol/rest/discovery.ts';
import { getJson } from '../lib/api.ts';

// Channel cards (live grid, search, recommendations, follows) and categories, as the server's schemas say.
export type {
  Category,
  ChannelCard,
  RecommendationReason,
  RecommendedCard,
} from '../../../common/protocol/rest/discovery.ts';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type ListState = 'idle' | 'loading' | 'loaded' | 'failed';

export const CHANNEL_PAGE_SIZE = 24;
export const RECOMMENDED_SIZE = 8;
/** How often an open discovery page asks again who is live. */
export const DISCOVERY_REFRESH_MS = 30_000;

/** Query parameters of a list; empty values are left out. */
export type ListQuery = Record<string, string | null | undefined>;

function listUrl(path: string, query: ListQuery, cursor: string | null): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  params.set('limit', String(CHANNEL_PAGE_SIZE));
  if (cursor) params.set('cursor', cursor);
  return `${path}?${params}`;
}

/**
 * One cursor-paginated list of channel cards (the live grid, search results, a category). A new
 * load() cancels the one before, so a fast typist or chip-clicker only ever sees the last answer.
 */
export function createChannelList(path: string) {
  const items = shallowRef<ChannelCard[]>([]);
  const nextCursor = ref<string | null>(null);
  const state = ref<ListState>('idle');
  const loadingMore = ref(false);
  const moreFailed = ref(false);
  const query = shallowRef<ListQuery>({});
  let controller: AbortController | undefined;

  async function load(next: ListQuery = {}): Promise<void> {
    controller?.abort();
    const mine = (controller = new AbortController());
    query.value = next;
    items.value = [];
    nextCursor.value = null;
    moreFailed.value = false;
    loadingMore.value = false;
    state.value = 'loading';
    try {
      const page = await getJson<Page<ChannelCard>>(listUrl(path, next, null), mine.signal);
      if (mine.signal.aborted) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor;
      state.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn(`[aethex] ${path} could not be loaded`, error);
      state.value = 'failed';
    }
  }

  /** Appends the next page; a channel already shown (its rank moved meanwhile) is not repeated. */
  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor || loadingMore.value || state.value !== 'loaded') return;
    const mine = controller;
    loadingMore.value = true;
    moreFailed.value = false;
    try {
      const page = await getJson<Page<ChannelCard>>(listUrl(path, query.value, cursor), mine?.signal);
      if (controller !== mine || mine?.signal.aborted) return;
      const shown = new Set(items.value.map((c) => c.slug));
      items.value = [...items.value, ...page.items.filter((c) => !shown.has(c.slug))];
      nextCursor.value = page.nextCursor;
    } catch (error) {
      if (mine?.signal.aborted) return;
      console.warn(`[aethex] more of ${path} could not be loaded`, error);
      moreFailed.value = true;
    } finally {
      if (controller === mine) loadingMore.value = false;
    }
  }

  /**
   * Asks for the first page again and shows it (who went live, new viewer counts), unless the
   * viewer has paged further: then what they are reading stays where it is.
   */
  async function refresh(): Promise<void> {
    if (state.value !== 'loaded' || loadingMore.value || items.value.length > CHANNEL_PAGE_SIZE) return;
    const mine = controller;
    try {
      const page = await getJson<Page<ChannelCard>>(listUrl(path, query.value, null), mine?.signal);
      if (controller !== mine || loadingMore.value || items.value.length > CHANNEL_PAGE_SIZE) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor;
    } catch (error) {
      if (!mine?.signal.aborted) console.warn(`[aethex] ${path} could not be refreshed`, error);
    }
  }

  return reactive({ items, nextCursor, state, loadingMore, moreFailed, query, load, loadMore, refresh });
}

export type ChannelList = ReturnType<typeof createChannelList>;

/** What there is to watch: live channels, categories, search results and recommendations. */
export const useDiscoveryStore = defineStore('discovery', () => {
  /** The home page's "Live now" grid, optionally narrowed to one category. */
  const live = createChannelList('/api/v1/discover/live');
  /** The /categories/:slug page. */
  const inCategory = createChannelList('/api/v1/discover/live');
  const search = createChannelList('/api/v1/search');

  const categories = shallowRef<Category[]>([]);
  const categoriesState = ref<ListState>('idle');
  let categoriesController: AbortController | undefined;

  const recommended = shallowRef<RecommendedCard[]>([]);
  const recommendedState = ref<ListState>('idle');
  let recommendedController: AbortController | undefined;

  async function loadCategories(): Promise<void> {
    categoriesController?.abort();
    const mine = (categoriesController = new AbortController());
    // Counts change as channels go live: what is shown stays until the fresh answer comes.
    if (categories.value.length === 0) categoriesState.value = 'loading';
    try {
      const list = await getJson<Category[]>('/api/v1/categories', mine.signal);
      if (mine.signal.aborted) return;
      categories.value = list;
      categoriesState.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn('[aethex] categories could not be loaded', error);
      if (categories.value.length === 0) categoriesState.value = 'failed';
    }
  }

  async function loadRecommended(): Promise<void> {
    recommendedController?.abort();
    const mine = (recommendedController = new AbortController());
    recommendedState.value = 'loading';
    try {
      const reply = await getJson<{ items: RecommendedCard[] }>(
        `/api/v1/discover/recommended?limit=${RECOMMENDED_SIZE}`,
        mine.signal,
      );
      if (mine.signal.aborted) return;
      recommended.value = reply.items;
      recommendedState.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn('[aethex] recommendations could not be loaded', error);
      recommended.value = [];
      recommendedState.value = 'failed';
    }
  }

  function categoryNamed(slug: string): Category | undefined {
    return categories.value.find((c) => c.slug === slug);
  }

  return {
    live,
    inCategory,
    search,
    categories,
    categoriesState,
    loadCategories,
    categoryNamed,
    recommended,
    recommendedState,
    loadRecommended,
  };
});
