import { describe, expect, it, vi } from 'vitest';
import { focusReturn } from './return-focus.ts';

describe('focusReturn', () => {
  it('gives focus back to what had it when the dialog opened', () => {
    const button = { isConnected: true, focus: vi.fn() };
    focusReturn(button)();
    expect(button.focus).toHaveBeenCalledWith({ preventScroll: true });
  });

  it('does nothing when that left the page, or when nothing had focus', () => {
    const gone = { isConnected: false, focus: vi.fn() };
    focusReturn(gone)();
    expect(gone.focus).not.toHaveBeenCalled();
    expect(() => focusReturn(null)()).not.toThrow();
  });
});
