// All rooms of this media server, by id. Creation is queued per id, so two viewers arriving at
// once share one room instead of racing to create two. A room that closes (its last peer left,
// or its worker died) is forgotten; the next join creates a fresh one on a live worker.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Room, type RoomOptions } from './room.ts';
import type { WorkerPool } from './worker-pool.ts';

export type RoomSettings = Omit<RoomOptions, 'id'>;

export interface RoomRegistryEvents {
  /** A room was created (again, after its worker died): whoever follows the stream re-attaches. */
  'room-created': [Room];
}

export class RoomRegistry extends EventEmitter<RoomRegistryEvents> {
  readonly #pool: WorkerPool;
  readonly #settings: RoomSettings;
  readonly #logger: Logger;
  readonly #rooms = new Map<string, Room>();
  readonly #creating = new Map<string, Promise<Room>>();

  constructor(pool: WorkerPool, settings: RoomSettings, logger: Logger) {
    super();
    this.#pool = pool;
    this.#settings = settings;
    this.#logger = logger.child({ component: 'rooms' });
  }

  get(id: string): Room | undefined {
    return this.#rooms.get(id);
  }

  rooms(): Room[] {
    return [...this.#rooms.values()];
  }

  getOrCreate(id: string): Promise<Room> {
    const existing = this.#rooms.get(id);
    if (existing && !existing.closed) return Promise.resolve(existing);
    let pending = this.#creating.get(id);
    if (!pending) {
      pending = Room.create(this.#pool, { id, ...this.#settings }, this.#logger)
        .then((room) => {
          this.#rooms.set(id, room);
          room.once('closed', () => {
            if (this.#rooms.get(id) === room) this.#rooms.delete(id);
          });
          this.emit('room-created', room);
          return room;
        })
        .finally(() => this.#creating.delete(id));
      this.#creating.set(id, pending);
    }
    return pending;
  }

  /** Closes every room; safe to call twice. */
  close(): void {
    for (const room of [...this.#rooms.values()]) room.close('server shutting down');
    this.#rooms.clear();
  }
}
