// Whether a message may be posted: pure functions over facts gathered beforehand (chat-standing.ts),
// so the order of the rules and each one's answer can be read, and tested, in one place.
//
// The order, first refusal wins: signed in, not banned, not timed out, the body (empty, too long,
// characters), banned words, followers-only, subscribers-only, slow mode; the per-user rate limit
// comes last, in chat-rate-limiter.ts.
import { AppError } from '../../common/errors.ts';
import type { ChatRefusalCode } from '../../common/protocol/chat.ts';
import { normalizeText } from '../../common/text.ts';

export const MAX_BODY_CHARS = 500;
/**
 * Longer raw input is refused before any work on it: 500 code points are at most 1,000 UTF-16
 * units, and leading/trailing white space beyond that is not worth trimming.
 */
const MAX_RAW_BODY_UNITS = 4 * MAX_BODY_CHARS;

/** A message refused by a chat rule; its code is one of the contract's ChatRefusalCode. */
export class ChatRefusal extends AppError {
  constructor(status: number, code: ChatRefusalCode, message: string, details?: Record<string, unknown>) {
    super(status, code, message, details);
  }
}

/** The sender's relation to the channel, as chat-standing.ts reads it. */
export interface Standing {
  signedIn: boolean;
  /** Owner, admin or ChannelModerator: exempt from followers-only, subscribers-only and slow mode. */
  moderator: boolean;
  /** The channel's ban of this user, expired time-outs included (they no longer count). */
  ban: { expiresAt: Date | null } | null;
  follows: boolean;
}

export interface ChannelRules {
  slowModeSeconds: number;
  followersOnly: boolean;
  subscribersOnly: boolean;
  bannedWords: readonly string[];
}

/** A ban that holds now: permanent, or a time-out that has not run out. */
export function activeBan(
  ban: Standing['ban'],
  now: Date,
): { kind: 'ban' } | { kind: 'timeout'; until: Date } | undefined {
  if (!ban) return undefined;
  if (ban.expiresAt === null) return { kind: 'ban' };
  return ban.expiresAt.getTime() > now.getTime() ? { kind: 'timeout', until: ban.expiresAt } : undefined;
}

/** Signed in, not banned, not timed out. */
export function standingRefusal(standing: Standing, now: Date): ChatRefusal | undefined {
  if (!standing.signedIn) return new ChatRefusal(401, 'unauthorized', 'Sign in to chat.');
  const ban = activeBan(standing.ban, now);
  if (ban?.kind === 'ban') return new ChatRefusal(403, 'banned', 'You are banned from this chat.');
  if (ban?.kind === 'timeout') {
    return new ChatRefusal(403, 'timed_out', `You are timed out of this chat until ${ban.until.toISOString()}.`, {
      expiresAt: ban.until.toISOString(),
      retryAfterSeconds: secondsUntil(ban.until, now),
    });
  }
  return undefined;
}

/** Followers-only and subscribers-only; moderators are exempt from both. */
export function roomRefusal(standing: Standing, rules: ChannelRules): ChatRefusal | undefined {
  if (standing.moderator) return undefined;
  if (rules.followersOnly && !standing.follows)
    return new ChatRefusal(403, 'followers_only', 'This chat is for followers only: follow the channel to chat.');
  // Subscriptions need payments, which do not exist yet: nobody but moderators can qualify.
  if (rules.subscribersOnly) return new ChatRefusal(403, 'subscribers_only', 'This chat is for subscribers only.');
  return undefined;
}

/** Why the user can't chat at all right now (before they type anything), or undefined. */
export function chatRefusal(standing: Standing, rules: ChannelRules, now: Date): ChatRefusal | undefined {
  return standingRefusal(standing, now) ?? roomRefusal(standing, rules);
}

/**
 * The body as stored: one line of text by the rule every text field follows (common/text.ts: NFC,
 * trimmed, no control characters or bidi overrides, no unpaired surrogates), 1..500 code points
 * (an emoji counts as one, as people count).
 */
export function normalizeBody(raw: string): string {
  if (raw.length > MAX_RAW_BODY_UNITS) throw tooLong();
  const normalized = normalizeText(raw, 'line');
  // Not one of the contract's refusal codes: a chat input can't produce these, only a broken client.
  if (!normalized.ok) throw new AppError(400, 'bad_request', `The message ${normalized.problem}.`);
  const body = normalized.text;
  if (body.length === 0) throw new ChatRefusal(400, 'empty', 'The message is empty.');
  if ([...body].length > MAX_BODY_CHARS) throw tooLong();
  return body;
}

function tooLong(): ChatRefusal {
  return new ChatRefusal(400, 'too_long', `A message can be at most ${MAX_BODY_CHARS} characters long.`, {
    maxLength: MAX_BODY_CHARS,
  });
}

/**
 * The first banned word found in the body as a whole word, case-insensitively; undefined if none.
 * Both sides are NFKC-normalized first, so full-width or ligature look-alikes of a word match too.
 * "Whole word" means not preceded or followed by a letter, digit or underscore, in any script.
 */
export function bannedWordIn(body: string, bannedWords: readonly string[]): string | undefined {
  if (bannedWords.length === 0) return undefined;
  const text = body.normalize('NFKC');
  for (const word of bannedWords) {
    const needle = word.normalize('NFKC').trim();
    if (needle.length === 0) continue;
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_])${escapeRegExp(needle)}(?![\\p{L}\\p{N}\\p{M}_])`, 'iu');
    if (pattern.test(text)) return word;
  }
  return undefined;
}

export function bannedWordRefusal(body: string, rules: ChannelRules): ChatRefusal | undefined {
  // The word itself is not echoed back: moderators keep the list private, and the sender knows what they wrote.
  return bannedWordIn(body, rules.bannedWords) === undefined
    ? undefined
    : new ChatRefusal(400, 'banned_word', 'The message contains a word this channel does not allow.');
}

/** Slow mode: this user's previous message in the channel must be at least slowModeSeconds old. */
export function slowModeRefusal(
  standing: Standing,
  rules: ChannelRules,
  lastMessageAt: Date | null,
  now: Date,
): ChatRefusal | undefined {
  if (standing.moderator || rules.slowModeSeconds <= 0 || lastMessageAt === null) return undefined;
  const allowedAt = new Date(lastMessageAt.getTime() + rules.slowModeSeconds * 1000);
  if (allowedAt.getTime() <= now.getTime()) return undefined;
  const retryAfterSeconds = secondsUntil(allowedAt, now);
  return new ChatRefusal(429, 'slow_mode', `Slow mode is on: you can send another message in ${retryAfterSeconds} s.`, {
    retryAfterSeconds,
  });
}

function secondsUntil(then: Date, now: Date): number {
  return Math.max(1, Math.ceil((then.getTime() - now.getTime()) / 1000));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
