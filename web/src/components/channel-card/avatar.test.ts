import { describe, expect, it } from 'vitest';
import { initialsOf, tintOf } from './avatar.ts';

describe('initialsOf', () => {
  it('takes the first letter of the first two words', () => {
    expect(initialsOf('Ada Lovelace')).toBe('AL');
    expect(initialsOf('the jazz cellar')).toBe('TJ');
    expect(initialsOf('ada_codes')).toBe('AC');
    expect(initialsOf('  po  ')).toBe('P');
  });
  it('keeps a letter outside the basic plane whole, and has something for an empty name', () => {
    expect(initialsOf('𝒜da Émile')).toBe('𝒜É');
    expect(initialsOf('   ')).toBe('?');
  });
});

describe('tintOf', () => {
  it('gives a seed the same colour every time, and different seeds different ones', () => {
    expect(tintOf('jazz-cellar')).toBe(tintOf('jazz-cellar'));
    expect(tintOf('jazz-cellar')).not.toBe(tintOf('pixel-quest'));
  });
});
