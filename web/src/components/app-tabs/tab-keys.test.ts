import { describe, expect, it } from 'vitest';
import { overflowEnds, tabTarget } from './tab-keys.ts';

describe('tabTarget', () => {
  it('steps with the arrows and wraps around at both ends', () => {
    expect(tabTarget('ArrowRight', 0, 5)).toBe(1);
    expect(tabTarget('ArrowRight', 4, 5)).toBe(0);
    expect(tabTarget('ArrowLeft', 0, 5)).toBe(4);
    expect(tabTarget('ArrowLeft', 3, 5)).toBe(2);
  });

  it('jumps with Home and End, and ignores other keys', () => {
    expect(tabTarget('Home', 3, 5)).toBe(0);
    expect(tabTarget('End', 1, 5)).toBe(4);
    expect(tabTarget('ArrowDown', 1, 5)).toBeNull();
    expect(tabTarget('Enter', 1, 5)).toBeNull();
    expect(tabTarget('ArrowRight', 0, 0)).toBeNull();
  });
});

describe('overflowEnds', () => {
  it('says which ends hide tabs', () => {
    expect(overflowEnds(0, 300, 300)).toEqual({ start: false, end: false });
    expect(overflowEnds(0, 300, 520)).toEqual({ start: false, end: true });
    expect(overflowEnds(100, 300, 520)).toEqual({ start: true, end: true });
    expect(overflowEnds(219.5, 300, 520)).toEqual({ start: true, end: false });
  });
});
