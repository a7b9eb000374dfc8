// How channels appear in lists (GET /api/v1/discover/live, /search, /discover/recommended,
// /me/follows), and the categories of GET /api/v1/categories.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Page } from './schema.ts';

export const ChannelCard = Type.Object(
  {
    slug: Type.String(),
    title: Type.String({ description: "The channel's own title." }),
    streamTitle: Nullable(Type.String({ description: 'The live stream title; null when offline.' })),
    category: Nullable(Type.String({ description: 'Category slug: the live stream one, else the channel one.' })),
    categoryName: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    avatarUrl: Nullable(Type.String()),
    live: Type.Boolean(),
    viewers: Type.Integer(),
    startedAt: Nullable(DateTime),
    owner: Type.Object({ username: Type.String(), name: Type.String() }),
  },
  { $id: 'ChannelCard' },
);
export type ChannelCard = Static<typeof ChannelCard>;

/** Live now, search results and the channels the caller follows. */
export const ChannelCardPage = Page(ChannelCard);
export type ChannelCardPage = Static<typeof ChannelCardPage>;

export const RecommendationReason = Type.Union([
  Type.Literal('following'),
  Type.Literal('similar'),
  Type.Literal('popular'),
]);
export type RecommendationReason = Static<typeof RecommendationReason>;

export const RecommendedCard = Type.Object({ ...ChannelCard.properties, reason: RecommendationReason });
export type RecommendedCard = Static<typeof RecommendedCard>;

export const RecommendedCards = Type.Object({ items: Type.Array(RecommendedCard) });
export type RecommendedCards = Static<typeof RecommendedCards>;

/** A category in the operator's order, with how many channels are live in it now. */
export const Category = Type.Object({ slug: Type.String(), name: Type.String(), liveChannels: Type.Integer() });
export type Category = Static<typeof Category>;
