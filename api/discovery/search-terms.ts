// What a search box's text becomes in PostgreSQL full-text search. The text itself only ever
// reaches SQL as a parameter of websearch_to_tsquery, which accepts anything a person types. The
// prefix query is the one built here, for to_tsquery (whose syntax does fail on stray operators):
// it holds only runs of letters, marks and digits joined by the operators added here, so no input
// can inject operators of its own.

export interface SearchTerms {
  /** The text as typed (trimmed), for websearch_to_tsquery. */
  text: string;
  /**
   * "all & words & las:*": every word, the last one as a prefix (from 3 characters), so "speedr"
   * finds "speedrun".
   * Words excluded with "-" (websearch syntax) stay excluded: "mario -kart" gives "mario:* & !kart".
   * null when there is no word to look for.
   */
  prefix: string | null;
}

// Marks (accents, combining dots) belong to their word; PostgreSQL lowercases by itself.
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
/** Enough for any real query; bounds the work a long query can ask of the database. */
const MAX_WORDS = 8;
/** "a:*" matches most of the catalog and ranks it all for nothing: short words match whole. */
const PREFIX_MIN_CHARS = 3;

/** undefined when nothing is left to search for. */
export function searchTerms(q: string): SearchTerms | undefined {
  // PostgreSQL text can hold neither NUL nor lone surrogates; control characters mean nothing here.
  const text = q
    .replace(/\p{Cs}/gu, '\ufffd')
    .replace(/\p{Cc}/gu, ' ')
    .trim();
  if (text === '') return undefined;
  const wanted: string[] = [];
  const excluded: string[] = [];
  for (const chunk of text.normalize('NFC').split(/\s+/)) {
    (chunk.startsWith('-') ? excluded : wanted).push(...(chunk.match(WORD) ?? []));
  }
  const words = wanted.slice(-MAX_WORDS);
  if (words.length === 0) return { text, prefix: null };
  const last = words.at(-1)!;
  const prefix = [
    ...words.slice(0, -1),
    [...last].length >= PREFIX_MIN_CHARS ? `${last}:*` : last,
    ...excluded.slice(-MAX_WORDS).map((word) => `!${word}`),
  ].join(' & ');
  return { text, prefix };
}
