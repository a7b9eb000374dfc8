// Cursor pagination: a cursor is the sort key of the last item handed out, opaque to clients
// (base64url JSON). Unlike offsets, a page does not shift when rows are added meanwhile.
//
// The queries put a cursor's fields into SQL as uuid, int and timestamp parameters, so each field
// is checked against its kind when decoded: a tampered or foreign cursor (a float for an int, "x"
// for a uuid, a time out of range) is refused with a 400 here rather than failing as a database
// error (500) there.
import { BadRequestError } from '../../common/errors.ts';

export type CursorFieldKind = 'uuid' | 'int' | 'epochMs';
type CursorKey<K extends Record<string, CursorFieldKind>> = { [F in keyof K]: K[F] extends 'uuid' ? string : number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32_MAX = 2_147_483_647;
/** Year 10000 and beyond (or before 1970) is not a time any row was written. */
const EPOCH_MS_MAX = 253_402_300_799_999;

export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key inside a cursor, each field checked against its kind in `shape`; undefined without a cursor. */
export function decodeCursor<K extends Record<string, CursorFieldKind>>(
  cursor: string | undefined,
  shape: K,
): CursorKey<K> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidCursor();
  const record = parsed as Record<string, unknown>;
  const key: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(shape)) {
    if (!fits(record[field], kind)) throw invalidCursor();
    key[field] = record[field];
  }
  return key as CursorKey<K>;
}

function fits(value: unknown, kind: CursorFieldKind): boolean {
  switch (kind) {
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT32_MAX;
    case 'epochMs':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= EPOCH_MS_MAX;
  }
}

function invalidCursor(): BadRequestError {
  return new BadRequestError('The cursor is not valid; pass nextCursor from a previous page unchanged.', {
    code: 'invalid_cursor',
  });
}

/**
 * Splits `rows` fetched with `take: limit + 1` into the page and the next cursor: the extra row
 * only tells that there is more.
 */
export function toPage<T, R>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => Record<string, string | number>,
  map: (row: T) => R,
) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
