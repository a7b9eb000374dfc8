import { describe, expect, it } from 'vitest';
import {
  bannedWordIn,
  chatRefusal,
  normalizeBody,
  slowModeRefusal,
  standingRefusal,
  type ChannelRules,
  type Standing,
} from './chat-rules.ts';

const now = new Date('2025-01-01T12:00:00Z');
const viewer: Standing = { signedIn: true, moderator: false, ban: null, follows: false };
const open: ChannelRules = { slowModeSeconds: 0, followersOnly: false, subscribersOnly: false, bannedWords: [] };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
};

describe('chat rules', () => {
  it('refuses in the contract order: signed in, banned, timed out', () => {
    expect(standingRefusal({ ...viewer, signedIn: false }, now)?.code).toBe('unauthorized');
    expect(standingRefusal({ ...viewer, ban: { expiresAt: null } }, now)?.code).toBe('banned');
    const timedOut = standingRefusal({ ...viewer, ban: { expiresAt: new Date(now.getTime() + 90_500) } }, now);
    expect(timedOut?.code).toBe('timed_out');
    expect(timedOut?.details).toMatchObject({ retryAfterSeconds: 91 });
    expect(standingRefusal({ ...viewer, ban: { expiresAt: new Date(now.getTime() - 1) } }, now)).toBeUndefined();
  });

  it('lets moderators past followers-only and subscribers-only, nobody else past subscribers-only', () => {
    expect(chatRefusal(viewer, { ...open, followersOnly: true }, now)?.code).toBe('followers_only');
    expect(chatRefusal({ ...viewer, follows: true }, { ...open, followersOnly: true }, now)).toBeUndefined();
    expect(chatRefusal({ ...viewer, follows: true }, { ...open, subscribersOnly: true }, now)?.code).toBe(
      'subscribers_only',
    );
    expect(
      chatRefusal({ ...viewer, moderator: true }, { ...open, followersOnly: true, subscribersOnly: true }, now),
    ).toBeUndefined();
  });

  it('checks the body: trimmed, 1..500 code points, no control characters, any other Unicode kept', () => {
    expect(normalizeBody('  hello  ')).toBe('hello');
    expect(codeOf(() => normalizeBody(' \t '))).toBe('empty');
    expect(normalizeBody('😀'.repeat(500))).toHaveLength(1000);
    expect(codeOf(() => normalizeBody('😀'.repeat(501)))).toBe('too_long');
    expect(codeOf(() => normalizeBody('a'.repeat(100_000)))).toBe('too_long');
    expect(codeOf(() => normalizeBody('line\nbreak'))).toBe('bad_request');
    expect(codeOf(() => normalizeBody('bell\u0007'))).toBe('bad_request');
    expect(codeOf(() => normalizeBody('half \ud83d pair'))).toBe('bad_request');
    expect(normalizeBody('Ünïcødé ħ 日本語 <b>&amp;</b>')).toBe('Ünïcødé ħ 日本語 <b>&amp;</b>');
  });

  it('matches banned words case-insensitively as whole words only', () => {
    expect(bannedWordIn('what a SPAM day', ['spam'])).toBe('spam');
    expect(bannedWordIn('spam!', ['spam'])).toBe('spam');
    expect(bannedWordIn('spammer', ['spam'])).toBeUndefined();
    expect(bannedWordIn('nospam', ['spam'])).toBeUndefined();
    expect(bannedWordIn('ＳＰＡＭ', ['spam'])).toBe('spam'); // full-width look-alike
    expect(bannedWordIn('I like c++ a lot', ['c++'])).toBe('c++'); // no regex injection
    expect(bannedWordIn('aaaa', ['a.*'])).toBeUndefined();
    expect(bannedWordIn('buy cheap pills now', ['cheap pills'])).toBe('cheap pills');
  });

  it('keeps slow mode from the last message, with the seconds left, and exempts moderators', () => {
    const rules = { ...open, slowModeSeconds: 30 };
    const refusal = slowModeRefusal(viewer, rules, new Date(now.getTime() - 10_000), now);
    expect(refusal?.code).toBe('slow_mode');
    expect(refusal?.details).toMatchObject({ retryAfterSeconds: 20 });
    expect(slowModeRefusal(viewer, rules, new Date(now.getTime() - 30_000), now)).toBeUndefined();
    expect(slowModeRefusal({ ...viewer, moderator: true }, rules, new Date(now.getTime() - 1000), now)).toBeUndefined();
    expect(slowModeRefusal(viewer, rules, null, now)).toBeUndefined();
  });
});
