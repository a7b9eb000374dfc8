// TypeBox schemas of the chat's REST routes (validation, serialization and the OpenAPI document).
// What the studio's moderation tools read (bans, the log) is in common/protocol/rest/moderation.ts.
import { DateTime, TextLine, Type, UserSummary, Uuid } from '../http/schemas.ts';
import { MAX_BODY_CHARS } from './chat-rules.ts';
import { MAX_BANNED_WORD_CHARS, MAX_BANNED_WORDS, MAX_SLOW_MODE_SECONDS } from './chat-settings.ts';

/** Longest time-out: two weeks. Longer means a ban. */
export const MAX_TIMEOUT_SECONDS = 1_209_600;

export const ChatMessageSchema = Type.Object(
  {
    id: Uuid,
    channel: Type.String({ description: 'The channel slug.' }),
    body: Type.String({ maxLength: MAX_BODY_CHARS * 2, description: 'Plain text; render as text, never as HTML.' }),
    createdAt: DateTime,
    user: UserSummary,
    badges: Type.Array(Type.Union([Type.Literal('owner'), Type.Literal('moderator'), Type.Literal('admin')])),
  },
  { $id: 'ChatMessage' },
);

export const ChatSettingsSchema = Type.Object(
  {
    slowModeSeconds: Type.Integer({ minimum: 0, maximum: MAX_SLOW_MODE_SECONDS }),
    followersOnly: Type.Boolean(),
    subscribersOnly: Type.Boolean(),
    bannedWords: Type.Optional(Type.Array(Type.String(), { description: 'Only for moderators.' })),
  },
  { $id: 'ChatSettings' },
);

export const SettingsPatchSchema = Type.Object(
  {
    slowModeSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_SLOW_MODE_SECONDS,
        description: 'Seconds between two messages of one user; 0 turns slow mode off.',
      }),
    ),
    followersOnly: Type.Optional(Type.Boolean()),
    subscribersOnly: Type.Optional(
      Type.Boolean({ description: 'true is refused (422 payments_unavailable) until payments exist.' }),
    ),
    bannedWords: Type.Optional(
      // No minLength: a blank word gets the settings' own code (invalid_banned_word).
      Type.Array(TextLine({ maxLength: MAX_BANNED_WORD_CHARS }), {
        maxItems: MAX_BANNED_WORDS,
        description: 'Replaces the list. Matched case-insensitively as whole words.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const BanBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 3, maxLength: 24, pattern: '^[A-Za-z0-9_]+$' }),
    durationSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_TIMEOUT_SECONDS,
        description: 'A time-out of this length; absent for a permanent ban.',
      }),
    ),
    reason: Type.Optional(TextLine({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
