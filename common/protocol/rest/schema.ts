// Building blocks of the REST API's TypeBox schemas. The schemas in this folder describe what the
// API answers: Fastify serializes with them, @fastify/swagger documents them, and the web app
// takes its types from them (`import type` only: no TypeBox in the browser bundle).
import { Type, type TSchema, type TStringOptions } from 'typebox';
import { CHANNEL_SLUG_PATTERN } from '../slug.ts';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const DateTime = Type.String({ format: 'date-time' });
export const Uuid = Type.String({ format: 'uuid' });

/** A user as others see them (chat authors, channel owners, moderators). Inlined where used. */
export const UserSummary = Type.Object({ id: Uuid, username: Type.String(), name: Type.String() });

/** A page of items with the cursor of the next page (null on the last one). */
export function Page<T extends TSchema>(item: T, options: { $id?: string } = {}) {
  return Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) }, options);
}

/**
 * Text people type, in a request: the server normalizes it by one rule (common/text.ts: NFC,
 * trimmed, no control characters, no bidi overrides; blank counts as empty). A line is one line;
 * a block may have line breaks. With minLength 1, blank text is refused.
 */
export const TextLine = (options: TStringOptions = {}) => Type.String({ ...options, 'x-text': 'line' });
export const TextBlock = (options: TStringOptions = {}) => Type.String({ ...options, 'x-text': 'block' });

/** A channel slug in an address or a request (common/protocol/slug.ts). */
export const ChannelSlug = Type.String({
  pattern: CHANNEL_SLUG_PATTERN,
  description: 'The channel slug: its address is /<slug>.',
});
