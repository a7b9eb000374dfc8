// What a channel's team reads in the studio's moderation tools: its moderators
// (GET /api/v1/channels/:slug/moderators), bans and time-outs (.../chat/bans) and the moderation
// log (.../moderation-log). Chat settings and messages are in common/protocol/chat.ts.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Page, UserSummary, Uuid } from './schema.ts';

export const Moderator = Type.Object({ id: Uuid, username: Type.String(), name: Type.String(), addedAt: DateTime });
export type Moderator = Static<typeof Moderator>;

/** POST /api/v1/channels/:slug/chat/bans: who, and until when (null: a ban, not a time-out). */
export const BanResult = Type.Object({ userId: Uuid, expiresAt: Nullable(DateTime) });
export type BanResult = Static<typeof BanResult>;

/** A ban or time-out in force. */
export const Ban = Type.Object({
  user: UserSummary,
  /** Null for a ban, a moment for a time-out. */
  expiresAt: Nullable(DateTime),
  reason: Type.String(),
  createdAt: DateTime,
});
export type Ban = Static<typeof Ban>;

export const ModerationKind = Type.Union([
  Type.Literal('delete_message'),
  Type.Literal('timeout'),
  Type.Literal('ban'),
  Type.Literal('unban'),
  Type.Literal('add_moderator'),
  Type.Literal('remove_moderator'),
  Type.Literal('update_chat_settings'),
  Type.Literal('add_emote'),
  Type.Literal('remove_emote'),
]);
export type ModerationKind = Static<typeof ModerationKind>;

export const ModerationLogItem = Type.Object({
  id: Uuid,
  kind: ModerationKind,
  moderator: UserSummary,
  target: Nullable(UserSummary),
  messageId: Nullable(Uuid),
  details: Type.Unknown({
    description:
      'What the action was about: the deleted text, the ban reason and end, the settings changed (from, to).',
  }),
  createdAt: DateTime,
});
export type ModerationLogItem = Static<typeof ModerationLogItem>;

/** Newest first. */
export const ModerationLogPage = Page(ModerationLogItem);
export type ModerationLogPage = Static<typeof ModerationLogPage>;
