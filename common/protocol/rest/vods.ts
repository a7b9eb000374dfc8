// VODs as GET /api/v1/vods/:id and GET /api/v1/channels/:slug/vods answer them.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Page } from './schema.ts';

export const Vod = Type.Object({
  id: Type.String(),
  /** The channel's slug. */
  channel: Type.String(),
  title: Type.String(),
  durationSeconds: Type.Number(),
  createdAt: DateTime,
  /** HLS with ENDLIST: the whole recording, seekable. */
  playlistUrl: Type.String(),
  mp4Url: Nullable(Type.String()),
  posterUrl: Nullable(Type.String()),
});
export type Vod = Static<typeof Vod>;

/** Newest first; `nextCursor` is the id of the last VOD handed out. */
export const VodPage = Page(Vod);
export type VodPage = Static<typeof VodPage>;
