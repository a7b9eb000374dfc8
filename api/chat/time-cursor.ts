// The cursor of the chat's newest-first lists (messages, moderation log): the creation time and id
// of the last row handed out. Ties on createdAt are broken by id, so no row is skipped or repeated.
import { decodeCursor } from '../http/pagination.ts';

export function timeCursorKey(row: { createdAt: Date; id: string }): { t: number; id: string } {
  return { t: row.createdAt.getTime(), id: row.id };
}

/** The `where` part selecting rows older than the cursor; {} without one. */
export function olderThanCursor(cursor: string | undefined) {
  const key = decodeCursor(cursor, { t: 'epochMs', id: 'uuid' });
  if (!key) return {};
  const at = new Date(key.t);
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: key.id } }] };
}

export const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
