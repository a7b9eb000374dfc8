/**
 * Where a key press in a tab list moves, as the ARIA tabs pattern says: the arrows step (and wrap
 * around), Home and End jump to the ends. Null for any other key, which the list leaves alone.
 */
export function tabTarget(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/**
 * Which ends of a sideways-scrolling row hide tabs, so the row can show that there is more that
 * way. A pixel of slack absorbs fractional scroll positions.
 */
export function overflowEnds(
  scrollLeft: number,
  clientWidth: number,
  scrollWidth: number,
): { start: boolean; end: boolean } {
  return { start: scrollLeft > 1, end: scrollLeft + clientWidth < scrollWidth - 1 };
}
