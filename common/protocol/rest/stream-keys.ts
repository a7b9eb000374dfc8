// A channel's stream keys as the studio sees them (GET, POST /api/v1/channels/:slug/stream-keys
// and .../rotate): never the key itself, except once when it is issued.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Uuid } from './schema.ts';

export const StreamKey = Type.Object({
  id: Uuid,
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart.' }),
  createdAt: DateTime,
  revokedAt: Nullable(DateTime),
});
export type StreamKey = Static<typeof StreamKey>;

export const IssuedStreamKey = Type.Object({
  id: Uuid,
  key: Type.String({ description: 'The key itself. Shown this once: only its hash is kept.' }),
  prefix: Type.String(),
  createdAt: DateTime,
  whipUrl: Type.String({ description: 'Where OBS (or any WHIP client) publishes, with the key as bearer token.' }),
});
export type IssuedStreamKey = Static<typeof IssuedStreamKey>;
