import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBlank, normalizeText } from './text.ts';

const ok = (text: string) => ({ ok: true, text });

describe('text people type', () => {
  it('is stored trimmed and in NFC', () => {
    expect(normalizeText('  Cafe\u0301 live  ', 'line')).toEqual(ok('Café live'));
  });

  it('refuses NUL, other control characters and lone surrogates', () => {
    for (const raw of ['a\u0000b', 'a\u001bb', 'a\u0085b', 'a\ud800b', 'b\udc00']) {
      expect(normalizeText(raw, 'line').ok).toBe(false);
      expect(normalizeText(raw, 'block').ok).toBe(false);
    }
  });

  it('keeps line breaks and tabs in a block, not in a line', () => {
    expect(normalizeText('one\r\ntwo\tthree\rfour', 'block')).toEqual(ok('one\ntwo\tthree\nfour'));
    expect(normalizeText('one\ntwo', 'line').ok).toBe(false);
  });

  it('removes bidi overrides and isolates, which would reorder a name on screen', () => {
    expect(normalizeText('admin\u202Egnp.exe', 'line')).toEqual(ok('admingnp.exe'));
    expect(normalizeText('\u2066x\u2069', 'line')).toEqual(ok('x'));
  });

  it('makes text that shows nothing empty', () => {
    for (const raw of ['   ', '\u200B\u200B', '\u3164', '\u2800 \uFEFF', '\u00A0']) {
      expect(normalizeText(raw, 'line')).toEqual(ok(''));
    }
    expect(normalizeText('\u200Bx', 'line')).toEqual(ok('\u200Bx'));
  });

  it('keeps emoji sequences whole (joiners are not removed from real text)', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    expect(normalizeText(family, 'line')).toEqual(ok(family));
    expect(isBlank(family)).toBe(false);
  });

  it('never returns text PostgreSQL would refuse, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom('line' as const, 'block' as const), (raw, kind) => {
        const result = normalizeText(raw, kind);
        if (!result.ok) return;
        expect(result.text.includes('\u0000')).toBe(false);
        expect(result.text).not.toMatch(/\p{Cs}/u);
        expect(result.text).toBe(result.text.normalize('NFC'));
        expect(result.text).toBe(result.text.trim());
      }),
      { numRuns: 5000 },
    );
  });
});
