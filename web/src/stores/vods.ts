import { defineStore } from 'pinia';
import type { Vod } from '../../../common/protocol/rest/vods.ts';
import { recordingList, recordingLookup, type RecordingListState, type RecordingLookup } from './recordings.ts';

/** One VOD, as GET /api/v1/vods/:id and the channel's list describe it: the server's schema. */
export type { Vod } from '../../../common/protocol/rest/vods.ts';

export type VodListState = RecordingListState;
/** forbidden: the VOD of a private channel this reader may not watch. */
export type VodLookup = RecordingLookup;

export const VOD_PAGE_SIZE = 12;

function pageUrl(channel: string, cursor: string | null): string {
  const query = new URLSearchParams({ limit: String(VOD_PAGE_SIZE) });
  if (cursor) query.set('cursor', cursor);
  return `/api/v1/channels/${encodeURIComponent(channel)}/vods?${query}`;
}

/** Past broadcasts: the list of the channel being shown (newest first, a page at a time) and the VOD being watched. */
export const useVodStore = defineStore('vods', () => {
  const list = recordingList<Vod>({ what: 'VODs', pageUrl });
  const watched = recordingLookup<Vod>({ what: 'VOD', url: (id) => `/api/v1/vods/${encodeURIComponent(id)}` });
  return { ...list, vod: watched.item, lookup: watched.lookup, loadVod: watched.load };
});
