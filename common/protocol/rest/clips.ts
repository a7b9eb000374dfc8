// Clips as POST /api/v1/channels/:slug/clips, POST /api/v1/vods/:id/clips, GET /api/v1/clips/:id
// and GET /api/v1/channels/:slug/clips answer them.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './schema.ts';

/** How long a clip may be, in seconds. */
export const MIN_CLIP_SECONDS = 1;
export const MAX_CLIP_SECONDS = 60;

export const Clip = Type.Object({
  id: Type.String(),
  /** The channel's slug. */
  channel: Type.String(),
  title: Type.String(),
  /** Where the clip begins in its source recording. */
  startSeconds: Type.Number(),
  durationSeconds: Type.Number(),
  createdAt: DateTime,
  /** An MP4 of its own: plays in any <video>, downloads as a file. */
  videoUrl: Type.String(),
  posterUrl: Nullable(Type.String()),
  /** The app's page of the clip, /clip/<id>: the link to share. */
  pageUrl: Type.String(),
  /** The VOD it was cut from; null for a clip of a live stream. */
  vodId: Nullable(Type.String()),
});
export type Clip = Static<typeof Clip>;

/** A channel's clips, newest first (not paged: `limit` of them). */
export const ClipList = Type.Object({ items: Type.Array(Clip) });
export type ClipList = Static<typeof ClipList>;
