import { describe, expect, it } from 'vitest';
import { chatProblemText, formatWait } from './chat-notices.ts';

describe('formatWait', () => {
  it('reads in seconds, minutes or hours', () => {
    expect(formatWait(4.2)).toBe('5 s');
    expect(formatWait(125)).toBe('2:05');
    expect(formatWait(7500)).toBe('2 h 5 min');
    expect(formatWait(7200)).toBe('2 h');
    expect(formatWait(-3)).toBe('0 s');
  });
});

describe('chatProblemText', () => {
  it('counts slow mode down', () => {
    expect(chatProblemText({ code: 'slow_mode', retryAfterSeconds: 30 }, 12)).toBe(
      'Slow mode is on: you can send again in 12 s.',
    );
    expect(chatProblemText({ code: 'slow_mode' }, 0)).toBe('Slow mode is on: you can send again now.');
  });

  it('explains the codes of the contract and falls back on the server detail', () => {
    for (const code of [
      'banned',
      'timed_out',
      'followers_only',
      'subscribers_only',
      'too_long',
      'rate_limited',
      'banned_word',
      'empty',
      'unauthorized',
    ]) {
      const text = chatProblemText({ code, detail: 'server words' });
      expect(text).not.toBe('server words');
      expect(text).toMatch(/\.$/);
    }
    expect(chatProblemText({ code: 'something_new', detail: 'Server words.' })).toBe('Server words.');
    expect(chatProblemText({ code: 'something_new' })).toBe('The message could not be sent.');
  });
});
