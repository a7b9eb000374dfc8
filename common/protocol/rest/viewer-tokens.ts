// A private channel's viewer tokens (the studio's "viewer links") as GET and POST
// /api/v1/channels/:slug/viewer-tokens answer them: never the token itself, except once when it
// is issued.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Uuid } from './schema.ts';

/** What the studio may set as a token's label. */
export const VIEWER_TOKEN_LABEL_MAX = 60;

export const ViewerToken = Type.Object({
  id: Uuid,
  label: Type.String(),
  prefix: Type.String({ description: 'The first characters of the token, to tell tokens apart.' }),
  createdAt: DateTime,
  revokedAt: Nullable(DateTime),
});
export type ViewerToken = Static<typeof ViewerToken>;

export const IssuedViewerToken = Type.Object({
  id: Uuid,
  label: Type.String(),
  prefix: Type.String(),
  createdAt: DateTime,
  token: Type.String({ description: 'The token itself. Shown this once: only its hash is kept.' }),
  watchUrl: Type.String({ description: 'The channel page with the token: the link to share.' }),
  whepUrl: Type.String({ description: 'Where a WHEP player plays the channel, with the token as bearer token.' }),
});
export type IssuedViewerToken = Static<typeof IssuedViewerToken>;
