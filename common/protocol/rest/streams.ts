// A stream as its creator looks back on it (GET /api/v1/streams/:id/summary), and the answer to
// ending a live stream from anywhere (POST /api/v1/channels/:slug/live-stream/end).
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Uuid } from './schema.ts';

export const StreamSummary = Type.Object({
  id: Uuid,
  /** The channel's slug. */
  channel: Type.String(),
  title: Type.String(),
  live: Type.Boolean(),
  startedAt: Nullable(DateTime),
  endedAt: Nullable(DateTime),
  /** From start to end; to now while it is live. */
  durationSeconds: Type.Integer(),
  peakViewers: Type.Integer(),
  /** Follows of the channel made between the stream's start and its end. */
  newFollowers: Type.Integer(),
  /** Chat messages sent during the stream, deleted ones included (they were sent). */
  chatMessages: Type.Integer(),
  /** Clips cut from the live stream. */
  clips: Type.Integer(),
  /** The recording, once the recorder has written it; null until then, or when nothing was recorded. */
  vod: Nullable(Type.Object({ id: Uuid, durationSeconds: Type.Number() })),
});
export type StreamSummary = Static<typeof StreamSummary>;

/** The stream an end was asked for; the process that carries it ends it a moment later. */
export const LiveStreamEnd = Type.Object({ streamId: Uuid });
export type LiveStreamEnd = Static<typeof LiveStreamEnd>;
