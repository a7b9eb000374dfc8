// A channel as GET /api/v1/channels/:slug answers it (and creating or editing one), with what the
// caller may do; and the answers of the studio's channel routes.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, UserSummary, Uuid } from './schema.ts';

export const ChannelEmote = Type.Object({ name: Type.String(), url: Type.String() });
export type ChannelEmote = Static<typeof ChannelEmote>;

export const Channel = Type.Object(
  {
    slug: Type.String(),
    /** The live stream's title while live, the channel's otherwise. */
    title: Type.String(),
    description: Type.String(),
    category: Nullable(Type.String({ description: 'Category slug (the live stream’s while live).' })),
    categoryName: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    live: Type.Boolean(),
    viewers: Type.Integer(),
    streamId: Nullable(Type.String()),
    startedAt: Nullable(DateTime),
    avatarUrl: Nullable(Type.String()),
    bannerUrl: Nullable(Type.String()),
    owner: UserSummary,
    followers: Type.Integer(),
    following: Type.Boolean({ description: 'Whether the caller follows the channel; false when signed out.' }),
    canManage: Type.Boolean({ description: 'The caller owns the channel or is an admin.' }),
    canModerate: Type.Boolean({ description: "The caller may moderate the channel's chat." }),
    chat: Type.Object({
      slowModeSeconds: Type.Integer(),
      followersOnly: Type.Boolean(),
      subscribersOnly: Type.Boolean(),
    }),
    emotes: Type.Array(ChannelEmote),
    private: Type.Boolean({
      description: "Only the channel's team and holders of a viewer token watch it; left out of discovery.",
    }),
    canWatch: Type.Boolean({
      description: 'The caller may watch the stream, VODs, clips and chat (false only for a private channel).',
    }),
    webrtcSeats: Nullable(
      Type.Integer({
        description: "WebRTC viewers per stream before the rest go to HLS (0: no limit); null: the server's default.",
      }),
    ),
    mode: Type.Union([Type.Literal('default'), Type.Literal('dj')], {
      description: "'dj': studio-quality stereo music; 'default': talk and pictures.",
    }),
    audioKbps: Type.Integer({ description: 'The Opus bitrate of a DJ stream, kbit/s.' }),
  },
  { $id: 'Channel' },
);
export type Channel = Static<typeof Channel>;

/** PATCH /api/v1/channels/:slug/live-stream: the live stream as it is now. */
export const LiveStream = Type.Object({ id: Uuid, title: Type.String(), category: Nullable(Type.String()) });
export type LiveStream = Static<typeof LiveStream>;

/** PUT /api/v1/channels/:slug/avatar and /banner. */
export const ChannelImage = Type.Object({
  url: Type.String({ description: 'Where the image is served: /uploads/<name>.' }),
});
export type ChannelImage = Static<typeof ChannelImage>;

/** A channel's emote as the studio manages it (GET and POST /api/v1/channels/:slug/emotes). */
export const Emote = Type.Object({ id: Uuid, name: Type.String(), url: Type.String() });
export type Emote = Static<typeof Emote>;
