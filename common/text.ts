// The one rule for text people type (titles, descriptions, names, labels, reasons, chat): what is
// stored is well-formed Unicode in NFC, trimmed, without control characters (a line has no line
// breaks; a block may have them) and without bidi overrides, which would make a name or a chat
// line render in a misleading order. Text that is blank once invisible characters are set aside
// is empty. PostgreSQL refuses NUL and lone surrogates, so this runs before anything is stored.

export type TextKind = 'line' | 'block';

export type TextResult = { ok: true; text: string } | { ok: false; problem: string };

/** Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): removed, not refused. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
/** With the u flag a pair is one code point, so only an unpaired half matches. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Control characters; a block keeps its line breaks and tabs. */
const LINE_CONTROL = /\p{Cc}/u;
const BLOCK_CONTROL = /[^\P{Cc}\n\t]/u;
/** What renders as nothing: format characters (zero-width spaces, joiners), spaces, and fillers. */
const INVISIBLE = /[\p{Cf}\p{Z}\s\u115F\u1160\u3164\uFFA0\u2800]/gu;

export function normalizeText(raw: string, kind: TextKind): TextResult {
  if (LONE_SURROGATE.test(raw)) return { ok: false, problem: 'is not valid Unicode text (it has a lone surrogate)' };
  // Trimmed first: whitespace around the text (a pasted trailing line break, a tab) is not content.
  let text = raw.normalize('NFC').replace(BIDI_CONTROLS, '').trim();
  if (kind === 'block') text = text.replace(/\r\n?/g, '\n');
  if ((kind === 'line' ? LINE_CONTROL : BLOCK_CONTROL).test(text)) {
    return {
      ok: false,
      problem:
        kind === 'line'
          ? 'must be one line of text, without control characters'
          : 'must be text: line breaks and tabs are fine, other control characters are not',
    };
  }
  if (isBlank(text)) text = '';
  return { ok: true, text };
}

/** Whether `text` shows nothing: only spaces, zero-width or filler characters. */
export function isBlank(text: string): boolean {
  return text.replace(INVISIBLE, '').length === 0;
}
