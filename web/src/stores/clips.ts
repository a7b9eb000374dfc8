import { defineStore } from 'pinia';
import { ApiError, sendJson } from '../lib/api.ts';
import type { Clip } from '../../../common/protocol/rest/clips.ts';
import { recordingList, recordingLookup, type RecordingListState, type RecordingLookup } from './recordings.ts';

/** One clip, as GET /api/v1/clips/:id and the channel's list describe it: the server's schema. */
export type { Clip } from '../../../common/protocol/rest/clips.ts';

export type ClipListState = RecordingListState;
/** forbidden: a clip of a private channel this reader may not watch. */
export type ClipLookup = RecordingLookup;

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
  // The API gives a channel's newest clips (up to 24), without pages.
  const { channel, items, listState, loadChannel, addNewest } = recordingList<Clip>({
    what: 'clips',
    pageUrl: (slug) => `/api/v1/channels/${encodeURIComponent(slug)}/clips`,
  });
  const watched = recordingLookup<Clip>({ what: 'clip', url: (id) => `/api/v1/clips/${encodeURIComponent(id)}` });

  /** The last `seconds` of `slug`'s live stream. Throws ApiError (see clipErrorText). */
  async function clipLive(slug: string, seconds: number = DEFAULT_CLIP_SECONDS, title?: string): Promise<Clip> {
    const made = await sendJson<Clip>(
      'POST',
      `/api/v1/channels/${encodeURIComponent(slug)}/clips`,
      withTitle({ seconds }, title),
    );
    addNewest(made);
    return made;
  }

  /** `startSeconds` to `endSeconds` of a VOD. Throws ApiError (see clipErrorText). */
  async function clipVod(vodId: string, startSeconds: number, endSeconds: number, title?: string): Promise<Clip> {
    const made = await sendJson<Clip>(
      'POST',
      `/api/v1/vods/${encodeURIComponent(vodId)}/clips`,
      withTitle({ startSeconds, endSeconds }, title),
    );
    addNewest(made);
    return made;
  }

  return {
    channel,
    items,
    listState,
    loadChannel,
    clip: watched.item,
    lookup: watched.lookup,
    loadClip: watched.load,
    clipLive,
    clipVod,
  };
});

function withTitle<T extends object>(body: T, title: string | undefined): T & { title?: string } {
  const trimmed = title?.trim();
  return trimmed ? { ...body, title: trimmed } : body;
}
