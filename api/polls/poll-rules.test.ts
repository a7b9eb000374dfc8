import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.ts';
import { checkChoices, checkDraft, checkState, countsOf, resultsVisible } from './poll-rules.ts';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return (error as AppError).code;
  }
  return undefined;
};

const draft = (change: Record<string, unknown> = {}) => ({
  question: 'Lunch?',
  options: ['Pizza', 'Salad'],
  ...change,
});

describe('checkDraft', () => {
  it('trims the text and fills the defaults', () => {
    expect(checkDraft(draft({ question: '  Lunch? ', options: [' Pizza', 'Salad '] }))).toEqual({
      question: 'Lunch?',
      options: ['Pizza', 'Salad'],
      multipleChoice: false,
      resultsVisibility: 'live',
      durationSeconds: null,
    });
  });

  it.each([
    [{ question: ' \u200b ' }, 'poll_question_empty'],
    [{ question: 'x'.repeat(301) }, 'poll_question_too_long'],
    [{ options: ['Only one'] }, 'poll_options_count'],
    [{ options: Array.from({ length: 11 }, (_, i) => `O${i}`) }, 'poll_options_count'],
    [{ options: ['Pizza', '  '] }, 'poll_option_empty'],
    [{ options: ['Pizza', 'y'.repeat(121)] }, 'poll_option_too_long'],
    [{ options: ['Pizza', 'pizza'] }, 'poll_option_duplicate'],
    [{ durationSeconds: 5 }, 'poll_duration_invalid'],
    [{ durationSeconds: 86_401 }, 'poll_duration_invalid'],
    [{ durationSeconds: 30.5 }, 'poll_duration_invalid'],
  ])('refuses %j with %s', (change, code) => {
    expect(codeOf(() => checkDraft(draft(change)))).toBe(code);
  });

  it('takes ten options and a time limit', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `Option ${i}`);
    expect(checkDraft(draft({ options: ten, durationSeconds: 60 }))).toMatchObject({
      options: ten,
      durationSeconds: 60,
    });
  });
});

describe('checkChoices', () => {
  const single = { options: ['a', 'b', 'c'], multipleChoice: false };
  const multiple = { ...single, multipleChoice: true };

  it('answers the chosen indexes in order', () => {
    expect(checkChoices(single, [2])).toEqual([2]);
    expect(checkChoices(multiple, [2, 0])).toEqual([0, 2]);
  });

  it.each([
    [single, [], 'poll_choice_empty'],
    [single, [3], 'poll_choice_invalid'],
    [single, [-1], 'poll_choice_invalid'],
    [single, [1.5], 'poll_choice_invalid'],
    [single, ['1'], 'poll_choice_invalid'],
    [multiple, [1, 1], 'poll_choice_invalid'],
    [single, [0, 1], 'poll_single_choice'],
  ])('refuses %j %j with %s', (poll, choices, code) => {
    expect(codeOf(() => checkChoices(poll, choices))).toBe(code);
  });
});

describe('checkState', () => {
  it('moves a poll forward only', () => {
    expect(codeOf(() => checkState('launch', 'draft'))).toBeUndefined();
    expect(codeOf(() => checkState('close', 'open'))).toBeUndefined();
    expect(codeOf(() => checkState('vote', 'open'))).toBeUndefined();
    expect(codeOf(() => checkState('launch', 'open'))).toBe('poll_state');
    expect(codeOf(() => checkState('edit', 'closed'))).toBe('poll_state');
    expect(codeOf(() => checkState('close', 'draft'))).toBe('poll_state');
    expect(codeOf(() => checkState('vote', 'closed'))).toBe('poll_closed');
    expect(codeOf(() => checkState('vote', 'draft'))).toBe('poll_state');
  });
});

describe('resultsVisible', () => {
  it('hides counts from voters until a hidden poll closes, never from who runs it', () => {
    expect(resultsVisible({ state: 'open', resultsVisibility: 'closed' }, false)).toBe(false);
    expect(resultsVisible({ state: 'open', resultsVisibility: 'closed' }, true)).toBe(true);
    expect(resultsVisible({ state: 'closed', resultsVisibility: 'closed' }, false)).toBe(true);
    expect(resultsVisible({ state: 'open', resultsVisibility: 'live' }, false)).toBe(true);
    expect(resultsVisible({ state: 'draft', resultsVisibility: 'live' }, true)).toBe(false);
  });
});

describe('countsOf', () => {
  it('puts counts in the options’ order, zero for the options nobody chose', () => {
    expect(
      countsOf(3, [
        { option: 2, votes: 4 },
        { option: -1, votes: 9 },
      ]),
    ).toEqual([0, 0, 4]);
  });
});
