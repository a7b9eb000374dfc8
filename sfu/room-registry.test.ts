// The registry of rooms on real mediasoup workers: creation is queued per id, so joins that
// arrive together share one room (one router made, one 'room-created'); a closed room is
// forgotten and the next join gets a fresh one; close() closes them all and may be called twice.
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RoomRegistry } from './room-registry.ts';
import { logger, roomOptions, startPool } from './sfu-test-kit.ts';
import type { WorkerPool } from './worker-pool.ts';

let pool: WorkerPool;
const routersMade: ms.Router[] = [];

beforeAll(async () => {
  pool = await startPool(2);
  for (const { worker } of pool.workers()) worker.observer.on('newrouter', (router) => routersMade.push(router));
});

afterAll(() => pool?.close());

function registry(): RoomRegistry {
  const { id: _id, ...settings } = roomOptions('unused');
  return new RoomRegistry(pool, settings, logger);
}

describe('RoomRegistry', () => {
  it('hands joins that arrive together one room, created once', async () => {
    const rooms = registry();
    const created = vi.fn();
    rooms.on('room-created', created);
    const routersBefore = routersMade.length;

    const joined = await Promise.all(Array.from({ length: 8 }, () => rooms.getOrCreate('stream-1')));

    expect(new Set(joined).size).toBe(1);
    expect(created).toHaveBeenCalledTimes(1);
    expect(routersMade.length - routersBefore).toBe(1);
    expect(rooms.rooms()).toEqual([joined[0]]);
    expect(await rooms.getOrCreate('stream-1')).toBe(joined[0]);
    rooms.close();
  });

  it('creates different ids side by side', async () => {
    const rooms = registry();
    const [a, b] = await Promise.all([rooms.getOrCreate('a'), rooms.getOrCreate('b')]);
    expect(a).not.toBe(b);
    expect(
      rooms
        .rooms()
        .map((room) => room.id)
        .sort(),
    ).toEqual(['a', 'b']);
    rooms.close();
  });

  it('forgets a room that closed; the next join gets a fresh one', async () => {
    const rooms = registry();
    const first = await rooms.getOrCreate('stream-2');
    first.close('last peer left');

    expect(rooms.get('stream-2')).toBeUndefined();
    const second = await rooms.getOrCreate('stream-2');
    expect(second).not.toBe(first);
    expect(second.closed).toBe(false);
    rooms.close();
  });

  it('close() closes every room and may be called twice', async () => {
    const rooms = registry();
    const [a, b] = await Promise.all([rooms.getOrCreate('x'), rooms.getOrCreate('y')]);
    const closed = vi.fn();
    a.on('closed', closed);
    b.on('closed', closed);

    rooms.close();
    rooms.close();

    expect([a.closed, b.closed]).toEqual([true, true]);
    expect(closed).toHaveBeenCalledTimes(2);
    expect(rooms.rooms()).toEqual([]);
  });
});
