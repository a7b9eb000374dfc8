// The cursor of the chat's newest-first lists (messages, moderation log): the createdAt and id of
// the last row handed out. Ties on createdAt are broken by id, so no row is skipped or repeated.
import { BadRequestError } from '../../common/errors.ts';
import { decodeCursor } from '../http/pagination.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function timeCursorKey(row: { createdAt: Date; id: string }): { createdAt: string; id: string } {
  return { createdAt: row.createdAt.toISOString(), id: row.id };
}

/** The `where` part selecting rows older than the cursor; {} without one. */
export function olderThanCursor(cursor: string | undefined) {
  const key = decodeCursor(cursor, { createdAt: 'string', id: 'string' });
  if (!key) return {};
  const at = new Date(key.createdAt);
  // decodeCursor checks types only; a forged value must not reach the query as a bad date or uuid.
  if (Number.isNaN(at.getTime()) || !UUID.test(key.id)) {
    throw new BadRequestError('The cursor is not valid; pass nextCursor from a previous page unchanged.', { code: 'invalid_cursor' });
  }
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: key.id } }] };
}

export const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
