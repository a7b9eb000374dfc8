import { describe, expect, it } from 'vitest';
import { fieldIds } from './field-ids.ts';

describe('fieldIds', () => {
  it('describes the control by its error, which stands in for the hint', () => {
    expect(fieldIds('signup-email', { hint: true, error: true })).toEqual({
      hintId: 'signup-email-hint',
      errorId: 'signup-email-error',
      describedBy: 'signup-email-error',
    });
  });

  it('describes it by the hint while there is no error, and by nothing without either', () => {
    expect(fieldIds('x', { hint: true, error: false }).describedBy).toBe('x-hint');
    expect(fieldIds('x', { hint: false, error: false }).describedBy).toBeUndefined();
  });
});
