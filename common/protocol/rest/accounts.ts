// The signed-in user as POST /api/v1/auth/signup, POST /api/v1/auth/login and GET /api/v1/auth/me
// answer them.
import { Type, type Static } from 'typebox';
import { Uuid } from './schema.ts';

export const AccountUser = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    username: Type.String(),
    name: Type.String(),
    role: Type.Union([Type.Literal('viewer'), Type.Literal('creator'), Type.Literal('admin')]),
  },
  { $id: 'Me' },
);
export type AccountUser = Static<typeof AccountUser>;

export const ChannelLink = Type.Object({ slug: Type.String(), title: Type.String() });
export type ChannelLink = Static<typeof ChannelLink>;

export const Me = Type.Object({
  user: AccountUser,
  /** Channels the user owns. */
  channels: Type.Array(ChannelLink),
  /** Channels whose chat the user moderates. */
  moderates: Type.Array(ChannelLink),
});
export type Me = Static<typeof Me>;
