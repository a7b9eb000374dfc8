import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { ApiError, failureText, getJson, sendJson } from '../lib/api.ts';
import type { ChannelInfo } from './channel.ts';
import { useSessionStore } from './session.ts';

// The channel the creator manages in the studio: which one (of theirs), its details and
// pictures, and the live stream's own title while live. Keys, moderators, chat and emotes have
// their own composables beside their components.

const SELECTED_KEY = 'aethex.studio.channel';

export interface Category {
  slug: string;
  name: string;
  liveChannels: number;
}

export interface ChannelDetails {
  title: string;
  description: string;
  category: string | null;
  tags: string[];
}

/** A channel's own images. */
export type ChannelImageKind = 'avatar' | 'banner';
/** Every image the studio uploads: a channel's, and a webinar's cover. */
export type ImageKind = ChannelImageKind | 'cover';

/** What the server takes (contract), checked here first to spare the upload. */
export const IMAGE_LIMITS: Record<ImageKind, number> = {
  avatar: 2 * 1024 * 1024,
  banner: 5 * 1024 * 1024,
  cover: 5 * 1024 * 1024,
};
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
export const TAG_PATTERN = /^[a-z0-9-]{1,24}$/;
export const MAX_TAGS = 10;

/** Tags as typed ("Speed run, retro  pixel") to what the API takes: lowercase, hyphens for spaces, no doubles. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((tag) => tag.trim().toLowerCase().replace(/\s+/g, '-'))
    .filter((tag) => tag.length > 0);
  return [...new Set(tags)];
}

/** Why a tag list can't be saved, or null. */
export function tagsProblem(tags: string[]): string | null {
  if (tags.length > MAX_TAGS) return `At most ${MAX_TAGS} tags.`;
  const bad = tags.find((tag) => !TAG_PATTERN.test(tag));
  return bad ? `"${bad}": tags are 1 to 24 lowercase letters, digits and hyphens.` : null;
}

/** An upload problem in words: the server's 413/415, or what the page saw before sending. */
export function imageProblemText(error: unknown, kind: ImageKind): string {
  const limit = `${IMAGE_LIMITS[kind] / (1024 * 1024)} MiB`;
  if (error instanceof ApiError) {
    if (error.status === 413 || error.code === 'payload_too_large')
      return `That image is too large: the ${kind} can be at most ${limit}.`;
    if (error.status === 415 || error.code === 'unsupported_media_type')
      return 'That file is not an image we take: use PNG, JPEG, WebP or GIF.';
    return error.message;
  }
  return failureText(error);
}

export function channelUrl(slug: string, path = ''): string {
  return `/api/v1/channels/${encodeURIComponent(slug)}${path}`;
}

export const useStudioSettingsStore = defineStore('studio-settings', () => {
  const session = useSessionStore();
  /** The signed-in user's own channels. */
  const channels = computed(() => session.me?.channels ?? []);
  const selected = ref<string | null>(localStorage.getItem(SELECTED_KEY));
  const info = shallowRef<ChannelInfo | null>(null);
  const loadState = ref<'idle' | 'loading' | 'loaded' | 'failed'>('idle');
  const categories = shallowRef<Category[]>([]);
  let loading: AbortController | undefined;

  /** The channel being managed: the remembered one if still the user's, else their first. */
  const slug = computed(() => {
    const own = channels.value;
    return own.find((c) => c.slug === selected.value)?.slug ?? own[0]?.slug ?? null;
  });
  watch(
    slug,
    (value) => {
      if (value) void load(value);
      else info.value = null;
    },
    { immediate: true },
  );

  function select(value: string): void {
    selected.value = value;
    localStorage.setItem(SELECTED_KEY, value);
  }

  async function load(value = slug.value): Promise<void> {
    if (!value) return;
    loading?.abort();
    const mine = (loading = new AbortController());
    loadState.value = 'loading';
    try {
      const channel = await getJson<ChannelInfo>(channelUrl(value), mine.signal);
      if (mine.signal.aborted) return;
      info.value = channel;
      loadState.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn(`[aethex] could not load channel '${value}'`, error);
      loadState.value = 'failed';
    }
  }

  async function loadCategories(): Promise<void> {
    if (categories.value.length > 0) return;
    try {
      categories.value = await getJson<Category[]>('/api/v1/categories');
    } catch (error) {
      console.warn('[aethex] could not load categories', error);
    }
  }

  /** The channel's own title: while live, the API's `title` is the stream's. */
  const channelTitle = computed(
    () => channels.value.find((c) => c.slug === slug.value)?.title ?? info.value?.title ?? '',
  );

  async function create(input: { slug: string; title: string; category: string | null }): Promise<void> {
    const created = await sendJson<ChannelInfo>('POST', '/api/v1/channels', {
      slug: input.slug,
      ...(input.title ? { title: input.title } : {}),
      ...(input.category ? { category: input.category } : {}),
    });
    select(created.slug);
    info.value = created;
    loadState.value = 'loaded';
    // The session lists the user's channels (and their new role).
    await session.refresh();
  }

  async function save(details: Partial<ChannelDetails>): Promise<void> {
    const current = slug.value;
    if (!current) return;
    info.value = await sendJson<ChannelInfo>('PATCH', channelUrl(current), details);
    if (details.title !== undefined) await session.refresh();
  }

  /** Private: only viewer links, the team and admins can watch, and discovery leaves the channel out. */
  async function setPrivate(value: boolean): Promise<void> {
    const current = slug.value;
    if (!current) return;
    const channel = await sendJson<ChannelInfo>('PATCH', channelUrl(current), { private: value });
    if (slug.value === current) info.value = channel;
  }

  /** WebRTC viewers a stream takes before the rest go to HLS; null: the server's default, 0: no limit. */
  async function setWebrtcSeats(value: number | null): Promise<void> {
    const current = slug.value;
    if (!current) return;
    const channel = await sendJson<ChannelInfo>('PATCH', channelUrl(current), { webrtcSeats: value });
    if (slug.value === current) info.value = channel;
  }

  async function saveLiveStream(stream: { title?: string; category?: string | null }): Promise<void> {
    const current = slug.value;
    if (!current) return;
    await sendJson('PATCH', channelUrl(current, '/live-stream'), stream);
    await load(current);
  }

  async function uploadImage(kind: ChannelImageKind, file: File): Promise<void> {
    const current = slug.value;
    if (!current) return;
    const form = new FormData();
    form.append('file', file);
    const { url } = await sendJson<{ url: string }>('PUT', channelUrl(current, `/${kind}`), form);
    if (info.value?.slug === current)
      info.value = { ...info.value, [kind === 'avatar' ? 'avatarUrl' : 'bannerUrl']: url };
  }

  async function removeImage(kind: ChannelImageKind): Promise<void> {
    const current = slug.value;
    if (!current) return;
    await sendJson('DELETE', channelUrl(current, `/${kind}`));
    if (info.value?.slug === current)
      info.value = { ...info.value, [kind === 'avatar' ? 'avatarUrl' : 'bannerUrl']: null };
  }

  return {
    channels,
    slug,
    info,
    loadState,
    categories,
    channelTitle,
    select,
    load,
    loadCategories,
    create,
    save,
    setPrivate,
    setWebrtcSeats,
    saveLiveStream,
    uploadImage,
    removeImage,
  };
});
