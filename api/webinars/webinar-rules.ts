// The rules of a webinar's life that don't need the database: which state each of the host's
// actions moves it from and to, and when it may be scheduled. Routes and the repository ask here.
import type { WebinarState } from '../../common/protocol/rest/webinars.ts';
import { BadRequestError, ConflictError } from '../../common/errors.ts';

export type WebinarAction = 'backstage' | 'start' | 'end';

/** Each action, the states it starts from, and where it leads. A webinar never goes back. */
export const TRANSITIONS: Record<WebinarAction, { from: readonly WebinarState[]; to: WebinarState }> = {
  backstage: { from: ['scheduled'], to: 'backstage' },
  start: { from: ['scheduled', 'backstage'], to: 'live' },
  end: { from: ['backstage', 'live'], to: 'ended' },
};

const ACTION_WORDS: Record<WebinarAction, string> = {
  backstage: 'open its backstage',
  start: 'start it',
  end: 'end it',
};

/** 409 webinar_state: the action can't be taken from the state the webinar is in. */
export function wrongState(action: WebinarAction, state: WebinarState): ConflictError {
  return new ConflictError('webinar_state', `The webinar is ${state}, so you can't ${ACTION_WORDS[action]}.`);
}

/** A start a little in the past is a form filled in slowly, not a mistake. */
const PAST_GRACE_MS = 5 * 60_000;
/** Further ahead than this is a typo in the year. */
const FURTHEST_AHEAD_MS = 366 * 86_400_000;

/** Throws 400 unless `start` is a time a webinar can be announced for, seen at `now`. */
export function checkScheduledStart(start: Date, now: Date = new Date()): void {
  if (start.getTime() < now.getTime() - PAST_GRACE_MS)
    throw new BadRequestError('A webinar must be scheduled to start in the future.', { code: 'scheduled_in_past' });
  if (start.getTime() > now.getTime() + FURTHEST_AHEAD_MS)
    throw new BadRequestError('A webinar can be scheduled at most a year ahead.', { code: 'scheduled_too_far' });
}

/** Once it has left 'scheduled', its start is history: it can't be moved. */
export function checkReschedulable(state: WebinarState): void {
  if (state !== 'scheduled')
    throw new ConflictError('webinar_started', `The webinar is ${state}: its start time can no longer change.`);
}
