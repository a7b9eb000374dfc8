import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { ApiError, getJson, sendJson } from '../lib/api.ts';

/** One clip, as GET /api/v1/clips/:id and the channel's list describe it. */
export interface Clip {
  id: string;
  channel: string;
  title: string;
  /** Where the clip begins in its source recording. */
  startSeconds: number;
  durationSeconds: number;
  createdAt: string;
  /** An MP4 of its own: plays in any <video>, downloads as a file. */
  videoUrl: string;
  posterUrl: string | null;
  /** The app's page of the clip, /clip/<id>: the link to share. */
  pageUrl: string;
  /** The VOD it was cut from; null for a clip of a live stream. */
  vodId: string | null;
}

export type ClipListState = 'idle' | 'loading' | 'loaded' | 'failed';
/** forbidden: a clip of a private channel this reader may not watch. */
export type ClipLookup = 'idle' | 'loading' | 'found' | 'not-found' | 'forbidden' | 'failed';

/**
 * How long a clip is unless the viewer says otherwise (the live Clip button, the VOD form's first
 * range). The API allows 1 to 60 seconds.
 */
export const DEFAULT_CLIP_SECONDS = 30;
export const MIN_CLIP_SECONDS = 1;
export const MAX_CLIP_SECONDS = 60;

/** The words to show when making a clip failed: the server's own detail says what to do. */
export function clipErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'not_live') return error.message;
    if (error.status === 503) return 'Clips are being cut right now; try again in a moment.';
    if (error.status === 401) return 'Your session ended: sign in again to clip.';
    if (error.status === 429) return 'That is a lot of clips in a minute: wait a little and try again.';
    if (error.status === 400) return error.message;
    if (error.status === 404) return 'This stream or recording no longer exists.';
  }
  return "The clip couldn't be made. Check your connection and try again.";
}

/** Highlights: the clips of the channel being shown, the clip being watched, and making new ones. */
export const useClipStore = defineStore('clips', () => {
  const channel = ref<string | null>(null);
  const items = shallowRef<Clip[]>([]);
  const listState = ref<ClipListState>('idle');
  let listController: AbortController | undefined;

  const clip = shallowRef<Clip | null>(null);
  const lookup = ref<ClipLookup>('idle');
  let clipController: AbortController | undefined;

  /** The channel's newest clips (the API gives up to 24). */
  async function loadChannel(slug: string): Promise<void> {
    listController?.abort();
    const mine = (listController = new AbortController());
    channel.value = slug;
    items.value = [];
    listState.value = 'loading';
    try {
      const page = await getJson<{ items: Clip[] }>(`/api/v1/channels/${encodeURIComponent(slug)}/clips`, mine.signal);
      if (mine.signal.aborted) return;
      items.value = page.items;
      listState.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn(`[aethex] clips of '${slug}' could not be loaded`, error);
      listState.value = 'failed';
    }
  }

  async function loadClip(id: string): Promise<void> {
    clipController?.abort();
    const mine = (clipController = new AbortController());
    clip.value = null;
    lookup.value = 'loading';
    try {
      const found = await getJson<Clip>(`/api/v1/clips/${encodeURIComponent(id)}`, mine.signal);
      if (mine.signal.aborted) return;
      clip.value = found;
      lookup.value = 'found';
    } catch (error) {
      if (mine.signal.aborted) return;
      // A malformed id is a 400: to the viewer it is a clip that does not exist as well.
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        lookup.value = 'not-found';
        return;
      }
      if (error instanceof ApiError && error.status === 403) {
        lookup.value = 'forbidden';
        return;
      }
      console.warn(`[aethex] clip '${id}' could not be loaded`, error);
      lookup.value = 'failed';
    }
  }

  /** The last `seconds` of `slug`'s live stream. Throws ApiError (see clipErrorText). */
  async function clipLive(slug: string, seconds: number = DEFAULT_CLIP_SECONDS, title?: string): Promise<Clip> {
    const made = await sendJson<Clip>(
      'POST',
      `/api/v1/channels/${encodeURIComponent(slug)}/clips`,
      withTitle({ seconds }, title),
    );
    showNew(made);
    return made;
  }

  /** `startSeconds` to `endSeconds` of a VOD. Throws ApiError (see clipErrorText). */
  async function clipVod(vodId: string, startSeconds: number, endSeconds: number, title?: string): Promise<Clip> {
    const made = await sendJson<Clip>(
      'POST',
      `/api/v1/vods/${encodeURIComponent(vodId)}/clips`,
      withTitle({ startSeconds, endSeconds }, title),
    );
    showNew(made);
    return made;
  }

  /** A clip made here goes on top of its channel's list, if that list is the one shown. */
  function showNew(made: Clip): void {
    if (channel.value !== made.channel || items.value.some((c) => c.id === made.id)) return;
    items.value = [made, ...items.value];
    if (listState.value !== 'loading') listState.value = 'loaded';
  }

  return { channel, items, listState, loadChannel, clip, lookup, loadClip, clipLive, clipVod };
});

function withTitle<T extends object>(body: T, title: string | undefined): T & { title?: string } {
  const trimmed = title?.trim();
  return trimmed ? { ...body, title: trimmed } : body;
}
