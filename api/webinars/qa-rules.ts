// The Q&A's rules as pure functions over facts read beforehand (qa-repository.ts reads them with
// the question's row locked), so the state machine, the vote rules and who sees what are in one
// place and tested in qa-rules.test.ts.
//
//   pending ──approve──▶ approved ──answer──▶ answered
//      │                    │  ▲                  │
//      └──────dismiss───────┴──┼──────────────────┴──dismiss──▶ dismissed
//                              └──reopen── (answered, dismissed)
//
// Only approved questions can be upvoted (so moderation and voting don't fight: a vote never lands
// on a question attendees can't see); pins go only on questions attendees see.
import { AppError } from '../../common/errors.ts';
import { normalizeText } from '../../common/text.ts';
import {
  QA_ANSWER_MAX,
  QA_QUESTION_MAX,
  type QaAction,
  type QaQuestionState,
  type QaRefusalCode,
} from '../../common/protocol/webinar-qa.ts';

/** An event refused by a Q&A rule; its code is one of the protocol's QaRefusalCode. */
export class QaRefusal extends AppError {
  constructor(status: number, code: QaRefusalCode, message: string, details?: Record<string, unknown>) {
    super(status, code, message, details);
  }
}

/** What attendees (everyone but the hosts) may see of a webinar's questions. */
export function visibleToAttendees(state: QaQuestionState): boolean {
  return state === 'approved' || state === 'answered';
}

/** The state a new question starts in. */
export function initialState(moderated: boolean): QaQuestionState {
  return moderated ? 'pending' : 'approved';
}

/** What a host's action does to a question's state and pin; a refusal when it can't from here. */
export interface Transition {
  state: QaQuestionState;
  pinned: boolean;
}

const FROM: Record<Exclude<QaAction, 'delete'>, readonly QaQuestionState[]> = {
  approve: ['pending'],
  // Again on an answered question: the typed answer is edited (or taken back to "answered live").
  answer: ['approved', 'answered'],
  dismiss: ['pending', 'approved', 'answered'],
  reopen: ['answered', 'dismissed'],
  pin: ['approved', 'answered'],
  unpin: ['approved', 'answered'],
};

export function transition(action: Exclude<QaAction, 'delete'>, current: Transition): Transition {
  if (!FROM[action].includes(current.state)) {
    throw new QaRefusal(409, 'invalid_transition', `A ${current.state} question can't be ${PAST[action]}.`, {
      state: current.state,
    });
  }
  switch (action) {
    case 'approve':
      return { state: 'approved', pinned: current.pinned };
    case 'answer':
      return { state: 'answered', pinned: current.pinned };
    case 'dismiss':
      // Moderated away: it leaves the stage too.
      return { state: 'dismissed', pinned: false };
    case 'reopen':
      return { state: 'approved', pinned: current.pinned };
    case 'pin':
      return { state: current.state, pinned: true };
    case 'unpin':
      return { state: current.state, pinned: false };
  }
}

const PAST: Record<Exclude<QaAction, 'delete'>, string> = {
  approve: 'approved',
  answer: 'answered',
  dismiss: 'dismissed',
  reopen: 'reopened',
  pin: 'pinned',
  unpin: 'unpinned',
};

/** Whether `userId` may upvote a question in `state` asked by `askerId`, having voted or not. */
export function voteRefusal(
  question: { state: QaQuestionState; askerId: string },
  userId: string,
  alreadyVoted: boolean,
): QaRefusal | undefined {
  if (question.state !== 'approved')
    return new QaRefusal(409, 'not_votable', 'Only approved questions, not yet answered, can be upvoted.');
  if (question.askerId === userId) return new QaRefusal(403, 'own_question', "You can't upvote your own question.");
  if (alreadyVoted) return new QaRefusal(409, 'already_voted', 'You have already upvoted this question.');
  return undefined;
}

/** Whether `userId` may take back a vote: only theirs, only while the question can be voted on. */
export function unvoteRefusal(question: { state: QaQuestionState }, hasVoted: boolean): QaRefusal | undefined {
  if (question.state !== 'approved')
    return new QaRefusal(409, 'not_votable', 'Votes on a question count once it is answered or moderated.');
  if (!hasVoted) return new QaRefusal(409, 'not_voted', 'You have not upvoted this question.');
  return undefined;
}

/** Asking, voting and moderating are for a webinar from backstage until it ends. */
export function openRefusal(state: 'scheduled' | 'backstage' | 'live' | 'ended'): QaRefusal | undefined {
  if (state === 'ended') return new QaRefusal(409, 'webinar_ended', 'The webinar has ended: its Q&A is closed.');
  if (state === 'scheduled')
    return new QaRefusal(409, 'webinar_not_open', 'The Q&A opens when the webinar goes backstage.');
  return undefined;
}

/** A question as stored: text by the rule every text field follows, 1..500 code points. */
export function normalizeQuestion(raw: string): string {
  return normalizedText(raw, QA_QUESTION_MAX, 'question');
}

/** A typed answer as stored, or null for "answered live" (none or blank given). */
export function normalizeAnswer(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  return normalizedText(raw, QA_ANSWER_MAX, 'answer');
}

function normalizedText(raw: string, max: number, what: string): string {
  // 4 UTF-16 units per code point is beyond any text that could pass: refused before any work.
  if (raw.length > 4 * max) throw tooLong(max, what);
  const normalized = normalizeText(raw, 'block');
  if (!normalized.ok) throw new AppError(400, 'bad_request', `The ${what} ${normalized.problem}.`);
  const text = normalized.text;
  if (text.length === 0) throw new QaRefusal(400, 'empty', `The ${what} is empty.`);
  if ([...text].length > max) throw tooLong(max, what);
  return text;
}

function tooLong(max: number, what: string): QaRefusal {
  return new QaRefusal(400, 'too_long', `A ${what} can be at most ${max} characters long.`, { maxLength: max });
}
