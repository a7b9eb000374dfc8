import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { searchTerms } from './search-terms.ts';

describe('searchTerms', () => {
  it('makes the last word a prefix and keeps every word', () => {
    expect(searchTerms('  Mario speedr ')).toEqual({ text: 'Mario speedr', prefix: 'Mario & speedr:*' });
  });

  it('keeps words excluded with "-" excluded', () => {
    expect(searchTerms('mario -kart')?.prefix).toBe('mario:* & !kart');
    expect(searchTerms('-kart')).toEqual({ text: '-kart', prefix: null });
  });

  it('matches words under 3 characters whole, since their prefixes match nearly everything', () => {
    expect(searchTerms('dj a')?.prefix).toBe('dj & a');
    expect(searchTerms('dj abc')?.prefix).toBe('dj & abc:*');
  });

  it('drops operators, quotes and backslashes from the prefix query', () => {
    expect(searchTerms(`it's "a" & b|c !(d):* \\end`)?.prefix).toBe('it & s & a & b & c & d & end:*');
  });

  it('keeps letters, marks and digits of any script', () => {
    expect(searchTerms('日本語 İstanbul ١٢٣ e\u0301te')?.prefix).toBe('日本語 & İstanbul & ١٢٣ & éte:*');
  });

  it('replaces what PostgreSQL text cannot hold', () => {
    expect(searchTerms('a\u0000bcd\ud800')).toEqual({ text: 'a bcd\ufffd', prefix: 'a & bcd:*' });
  });

  it('has no prefix query when there are no words, and nothing at all for blank text', () => {
    expect(searchTerms('&|!():*')).toEqual({ text: '&|!():*', prefix: null });
    expect(searchTerms('   ')).toBeUndefined();
  });

  it('never lets anything but words and its own operators into the prefix query', () => {
    const word = '[\\p{L}\\p{M}\\p{N}]+';
    const shape = new RegExp(`^(${word} & )*${word}(:\\*)?( & !${word})*$`, 'u');
    fc.assert(
      fc.property(fc.string({ maxLength: 100, unit: 'grapheme' }), (q) => {
        const prefix = searchTerms(q)?.prefix;
        if (prefix == null) return;
        expect(prefix).toMatch(shape);
      }),
      { numRuns: 500 },
    );
  });
});
