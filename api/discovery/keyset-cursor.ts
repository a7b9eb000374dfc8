// Cursors for keyset pagination over SQL. api/http/pagination.ts checks a cursor's fields are
// strings or numbers; the queries here put them into SQL as uuid, int and timestamptz parameters,
// so a tampered cursor (a float for an int, "x" for a uuid, a date out of range) must be refused
// with a 400 here rather than fail as a database error (500) there.
import { BadRequestError } from '../../common/errors.ts';
import { decodeCursor } from '../http/pagination.ts';

type FieldKind = 'uuid' | 'int' | 'epochMs';
type Decoded<K extends Record<string, FieldKind>> = { [F in keyof K]: K[F] extends 'uuid' ? string : number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32_MAX = 2_147_483_647;
/** Year 10000 and beyond (or before 1970) is not a time any row was written. */
const EPOCH_MS_MAX = 253_402_300_799_999;

export function decodeKeysetCursor<K extends Record<string, FieldKind>>(cursor: string | undefined, shape: K): Decoded<K> | undefined {
  const types = Object.fromEntries(Object.entries(shape).map(([field, kind]) => [field, kind === 'uuid' ? 'string' : 'number'])) as Record<
    string,
    'string' | 'number'
  >;
  const key = decodeCursor(cursor, types) as Record<string, string | number> | undefined;
  if (!key) return undefined;
  for (const [field, kind] of Object.entries(shape)) {
    if (!fits(key[field], kind)) throw invalidCursor();
  }
  return Object.fromEntries(Object.keys(shape).map((field) => [field, key[field]])) as Decoded<K>;
}

function fits(value: string | number | undefined, kind: FieldKind): boolean {
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
  return new BadRequestError('The cursor is not valid; pass nextCursor from a previous page unchanged.', { code: 'invalid_cursor' });
}
