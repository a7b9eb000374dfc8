import { describe, expect, it } from 'vitest';
import type { AppError } from '../../common/errors.ts';
import { checkReschedulable, checkScheduledStart, TRANSITIONS, wrongState } from './webinar-rules.ts';

const now = new Date('2026-12-07T12:00:00Z');
const codeOf = (action: () => void) => {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as AppError).details?.code ?? (error as AppError).code;
  }
};

describe('webinar rules', () => {
  it('only moves forward: scheduled → backstage → live → ended, backstage optional', () => {
    const order = ['scheduled', 'backstage', 'live', 'ended'];
    for (const { from, to } of Object.values(TRANSITIONS))
      for (const state of from) expect(order.indexOf(to)).toBeGreaterThan(order.indexOf(state));
    expect(TRANSITIONS.start.from).toEqual(['scheduled', 'backstage']);
    expect(TRANSITIONS.end.from).not.toContain('scheduled');
    expect(wrongState('start', 'ended')).toMatchObject({ status: 409, code: 'webinar_state' });
  });

  it('schedules from a few minutes ago (a slow form) to a year ahead', () => {
    expect(codeOf(() => checkScheduledStart(new Date('2026-12-07T11:56:00Z'), now))).toBeUndefined();
    expect(codeOf(() => checkScheduledStart(new Date('2027-12-07T11:00:00Z'), now))).toBeUndefined();
    expect(codeOf(() => checkScheduledStart(new Date('2026-12-07T11:50:00Z'), now))).toBe('scheduled_in_past');
    expect(codeOf(() => checkScheduledStart(new Date('2027-12-09T12:00:00Z'), now))).toBe('scheduled_too_far');
  });

  it('moves the start only while scheduled', () => {
    expect(codeOf(() => checkReschedulable('scheduled'))).toBeUndefined();
    for (const state of ['backstage', 'live', 'ended'] as const)
      expect(codeOf(() => checkReschedulable(state))).toBe('webinar_started');
  });
});
