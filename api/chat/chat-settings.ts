// A channel's chat settings as clients see them, its emotes, and the checks on a settings change.
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, BadRequestError } from '../../common/errors.ts';
import type { ChatEmote, ChatSettings } from '../../common/protocol/chat.ts';
import type { ChatChannel } from './chat-standing.ts';

export const MAX_SLOW_MODE_SECONDS = 3600;
export const MAX_BANNED_WORDS = 200;
export const MAX_BANNED_WORD_CHARS = 50;

export type ChatChannelSettings = Pick<
  ChatChannel,
  'slowModeSeconds' | 'followersOnly' | 'subscribersOnly' | 'bannedWords'
>;

/** bannedWords only for moderators: the list would tell spammers what to misspell. */
export function settingsOf(channel: ChatChannelSettings, { forModerator }: { forModerator: boolean }): ChatSettings {
  const settings: ChatSettings = {
    slowModeSeconds: channel.slowModeSeconds,
    followersOnly: channel.followersOnly,
    subscribersOnly: channel.subscribersOnly,
  };
  if (forModerator) settings.bannedWords = [...channel.bannedWords];
  return settings;
}

export async function emotesOf(prisma: PrismaClient, channelId: string): Promise<ChatEmote[]> {
  const emotes = await prisma.emote.findMany({
    where: { channelId },
    orderBy: { name: 'asc' },
    select: { name: true, imagePath: true },
  });
  return emotes.map((emote) => ({ name: emote.name, url: `/uploads/${emote.imagePath}` }));
}

export interface SettingsPatch {
  slowModeSeconds?: number | undefined;
  followersOnly?: boolean | undefined;
  subscribersOnly?: boolean | undefined;
  bannedWords?: string[] | undefined;
}

export class PaymentsUnavailableError extends AppError {
  constructor() {
    super(
      422,
      'payments_unavailable',
      'Subscriber-only chat needs subscriptions, which this server does not offer yet.',
    );
  }
}

/**
 * The patch as it will be stored: banned words trimmed, without control characters, and without
 * duplicates that differ only in case. The schema has checked types and ranges already.
 */
export function normalizeSettingsPatch(patch: SettingsPatch): SettingsPatch {
  if (patch.subscribersOnly === true) throw new PaymentsUnavailableError();
  if (patch.bannedWords === undefined) return patch;
  const seen = new Set<string>();
  const words: string[] = [];
  for (const raw of patch.bannedWords) {
    const word = raw.trim();
    if (word.length === 0 || word.length > MAX_BANNED_WORD_CHARS || /[\p{Cc}\p{Cs}]/u.test(word)) {
      throw new BadRequestError(
        `'${raw}' is not a usable banned word: 1 to ${MAX_BANNED_WORD_CHARS} characters, no control characters.`,
        { code: 'invalid_banned_word' },
      );
    }
    const key = word.normalize('NFKC').toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    words.push(word);
  }
  return { ...patch, bannedWords: words };
}

/** What a patch changes, field by field, for the moderation log. */
export function settingsChanges(
  before: ChatChannelSettings,
  patch: SettingsPatch,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of ['slowModeSeconds', 'followersOnly', 'subscribersOnly'] as const) {
    const to = patch[field];
    if (to !== undefined && to !== before[field]) changes[field] = { from: before[field], to };
  }
  if (patch.bannedWords !== undefined && patch.bannedWords.join('\n') !== before.bannedWords.join('\n')) {
    changes.bannedWords = { from: before.bannedWords, to: patch.bannedWords };
  }
  return changes;
}
