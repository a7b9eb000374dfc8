// Cursor pagination: a cursor is the sort key of the last item handed out, opaque to clients
// (base64url JSON). Unlike offsets, a page does not shift when rows are added meanwhile.
import { BadRequestError } from '../../common/errors.ts';

export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key inside a cursor, checked field by field against `shape` ('string' | 'number'); a
 * tampered or foreign cursor gets a 400 instead of a confusing query.
 */
export function decodeCursor<K extends Record<string, 'string' | 'number'>>(
  cursor: string | undefined,
  shape: K,
): { [F in keyof K]: K[F] extends 'number' ? number : string } | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidCursor();
  const record = parsed as Record<string, unknown>;
  for (const [field, type] of Object.entries(shape)) {
    if (typeof record[field] !== type || (type === 'number' && !Number.isFinite(record[field]))) throw invalidCursor();
  }
  return record as { [F in keyof K]: K[F] extends 'number' ? number : string };
}

function invalidCursor(): BadRequestError {
  return new BadRequestError('The cursor is not valid; pass nextCursor from a previous page unchanged.', { code: 'invalid_cursor' });
}

/**
 * Splits `rows` fetched with `take: limit + 1` into the page and the next cursor: the extra row
 * only tells that there is more.
 */
export function toPage<T, R>(rows: T[], limit: number, keyOf: (row: T) => Record<string, string | number>, map: (row: T) => R) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
