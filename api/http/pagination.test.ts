import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, toPage } from './pagination.ts';

const ID = '0b7c3f2e-8d1a-4c5e-9f60-1a2b3c4d5e6f';
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('cursors', () => {
  it('round-trips a key and keeps only the fields the shape names', () => {
    const cursor = encodeCursor({ t: 1_700_000_000_000, id: ID });
    expect(decodeCursor(cursor, { t: 'epochMs', id: 'uuid' })).toEqual({ t: 1_700_000_000_000, id: ID });
    expect(decodeCursor(raw({ v: 3, id: ID, extra: 'x' }), { v: 'int', id: 'uuid' })).toEqual({ v: 3, id: ID });
  });

  it('reads no cursor as the first page', () => {
    expect(decodeCursor(undefined, { id: 'uuid' })).toBeUndefined();
    expect(decodeCursor('', { id: 'uuid' })).toBeUndefined();
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['JSON but not an object', raw(42)],
    ['null', raw(null)],
    ['a missing field', raw({ id: ID })],
    ['a float for an int', raw({ v: 1.5, id: ID })],
    ['an int beyond int32', raw({ v: 2 ** 31, id: ID })],
    ['a string for an int', raw({ v: '1', id: ID })],
    ['a forged uuid', raw({ v: 1, id: "' OR 1=1 --" })],
  ])('refuses %s with 400 invalid_cursor', (_what, cursor) => {
    expect(() => decodeCursor(cursor, { v: 'int', id: 'uuid' })).toThrow(
      expect.objectContaining({ status: 400, details: { code: 'invalid_cursor' } }),
    );
  });

  it.each([
    ['a time before 1970', -1],
    ['a time past year 9999', 1e300],
    ['a fractional time', 1.5],
  ])('refuses %s', (_what, t) => {
    expect(() => decodeCursor(raw({ t, id: ID }), { t: 'epochMs', id: 'uuid' })).toThrow(
      expect.objectContaining({ details: { code: 'invalid_cursor' } }),
    );
  });
});

describe('toPage', () => {
  it('hands out `limit` rows and a cursor only when the extra row shows there is more', () => {
    const rows = [1, 2, 3].map((v) => ({ v, id: ID }));
    const page = toPage(
      rows,
      2,
      (row) => ({ v: row.v, id: row.id }),
      (row) => row.v,
    );
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor!, { v: 'int', id: 'uuid' })).toEqual({ v: 2, id: ID });
    expect(
      toPage(
        rows,
        3,
        (row) => ({ v: row.v }),
        (row) => row.v,
      ).nextCursor,
    ).toBeNull();
  });
});
