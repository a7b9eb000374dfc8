import { describe, expect, it } from 'vitest';
import type { QaQuestionState } from '../../common/protocol/webinar-qa.ts';
import {
  initialState,
  normalizeAnswer,
  normalizeQuestion,
  openRefusal,
  transition,
  unvoteRefusal,
  visibleToAttendees,
  voteRefusal,
} from './qa-rules.ts';

const at = (state: QaQuestionState, pinned = false) => ({ state, pinned });
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('the Q&A state machine', () => {
  it('starts pending only when the host moderates', () => {
    expect(initialState(true)).toBe('pending');
    expect(initialState(false)).toBe('approved');
  });

  it('goes pending → approved → answered, and answered or dismissed back by reopening', () => {
    expect(transition('approve', at('pending'))).toEqual(at('approved'));
    expect(transition('answer', at('approved'))).toEqual(at('answered'));
    expect(transition('answer', at('answered'))).toEqual(at('answered'));
    expect(transition('reopen', at('answered'))).toEqual(at('approved'));
    expect(transition('reopen', at('dismissed'))).toEqual(at('approved'));
    for (const state of ['pending', 'approved', 'answered'] as const)
      expect(transition('dismiss', at(state))).toEqual(at('dismissed'));
  });

  it('refuses a move the machine does not have', () => {
    expect(codeOf(() => transition('answer', at('pending')))).toBe('invalid_transition');
    expect(codeOf(() => transition('approve', at('approved')))).toBe('invalid_transition');
    expect(codeOf(() => transition('dismiss', at('dismissed')))).toBe('invalid_transition');
    expect(codeOf(() => transition('reopen', at('approved')))).toBe('invalid_transition');
    expect(codeOf(() => transition('reopen', at('pending')))).toBe('invalid_transition');
  });

  it('pins only what attendees see, and a dismissal takes the pin down', () => {
    expect(transition('pin', at('approved'))).toEqual(at('approved', true));
    expect(transition('pin', at('answered'))).toEqual(at('answered', true));
    expect(transition('unpin', at('answered', true))).toEqual(at('answered'));
    expect(transition('answer', at('approved', true))).toEqual(at('answered', true));
    expect(codeOf(() => transition('pin', at('pending')))).toBe('invalid_transition');
    expect(codeOf(() => transition('pin', at('dismissed')))).toBe('invalid_transition');
    expect(transition('dismiss', at('approved', true))).toEqual(at('dismissed'));
  });

  it('shows attendees approved and answered questions only', () => {
    expect(
      ['pending', 'approved', 'answered', 'dismissed'].filter((s) => visibleToAttendees(s as QaQuestionState)),
    ).toEqual(['approved', 'answered']);
  });
});

describe('votes', () => {
  const question = (state: QaQuestionState) => ({ state, askerId: 'asker' });

  it('count once per person, on approved questions of others', () => {
    expect(voteRefusal(question('approved'), 'voter', false)).toBeUndefined();
    expect(voteRefusal(question('approved'), 'voter', true)?.code).toBe('already_voted');
    expect(voteRefusal(question('approved'), 'asker', false)?.code).toBe('own_question');
    for (const state of ['pending', 'answered', 'dismissed'] as const)
      expect(voteRefusal(question(state), 'voter', false)?.code).toBe('not_votable');
  });

  it('can be taken back while the question is open', () => {
    expect(unvoteRefusal({ state: 'approved' }, true)).toBeUndefined();
    expect(unvoteRefusal({ state: 'approved' }, false)?.code).toBe('not_voted');
    expect(unvoteRefusal({ state: 'answered' }, true)?.code).toBe('not_votable');
  });
});

describe('text and timing', () => {
  it('keeps a question of up to 500 characters, an emoji counting as one', () => {
    expect(normalizeQuestion('  Will the slides be shared?\n ')).toBe('Will the slides be shared?');
    expect(normalizeQuestion('😀'.repeat(500))).toHaveLength(1000);
    expect(codeOf(() => normalizeQuestion('x'.repeat(501)))).toBe('too_long');
    expect(codeOf(() => normalizeQuestion('x'.repeat(100_000)))).toBe('too_long');
    expect(codeOf(() => normalizeQuestion(' \u200b '))).toBe('empty');
    expect(codeOf(() => normalizeQuestion('a\u0000b'))).toBe('bad_request');
  });

  it('takes a blank typed answer as answered live', () => {
    expect(normalizeAnswer(undefined)).toBeNull();
    expect(normalizeAnswer('   ')).toBeNull();
    expect(normalizeAnswer(' Yes, by email. ')).toBe('Yes, by email.');
    expect(codeOf(() => normalizeAnswer('x'.repeat(2001)))).toBe('too_long');
  });

  it('is open from backstage until the webinar ends', () => {
    expect(openRefusal('scheduled')?.code).toBe('webinar_not_open');
    expect(openRefusal('backstage')).toBeUndefined();
    expect(openRefusal('live')).toBeUndefined();
    expect(openRefusal('ended')?.code).toBe('webinar_ended');
  });
});
