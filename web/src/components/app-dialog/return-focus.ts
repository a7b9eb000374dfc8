/** What can take focus back: an element, as far as giving focus back needs one. */
export interface FocusTarget {
  readonly isConnected: boolean;
  focus(options?: FocusOptions): void;
}

function isFocusTarget(value: unknown): value is FocusTarget {
  return typeof value === 'object' && value !== null && typeof (value as FocusTarget).focus === 'function';
}

/**
 * Remembers what had focus as a dialog opens (`document.activeElement`); the function returned
 * gives focus back to it when the dialog closes, unless it has left the page meanwhile.
 */
export function focusReturn(active: unknown): () => void {
  const target = isFocusTarget(active) ? active : null;
  return () => {
    if (target?.isConnected) target.focus({ preventScroll: true });
  };
}
