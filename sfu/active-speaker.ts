// Who is speaking in a room with several publishers (a webinar's stage): mediasoup's
// ActiveSpeakerObserver over every microphone on the origin router (where publishers' producers
// are), reported as the peer that speaks. Owned by whoever asked for it; it closes with the room.
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { RoomProducer } from './peer.ts';
import type { Room } from './room.ts';

export interface ActiveSpeakerEvents {
  /** The dominant speaker changed: their peer id, or null when their microphone closed. */
  changed: [peerId: string | null];
}

/** How often mediasoup re-evaluates who dominates; 300 ms is its default and keeps flicker low. */
const INTERVAL_MS = 300;

export class ActiveSpeaker extends EventEmitter<ActiveSpeakerEvents> {
  readonly #room: Room;
  readonly #observer: ms.ActiveSpeakerObserver;
  #current: RoomProducer | undefined;
  /** Peers whose microphones are not observed (a webinar's members backstage: nobody hears them). */
  readonly #ignored = new Set<string>();
  #closed = false;

  static async create(room: Room): Promise<ActiveSpeaker> {
    return new ActiveSpeaker(room, await room.createActiveSpeakerObserver(INTERVAL_MS));
  }

  private constructor(room: Room, observer: ms.ActiveSpeakerObserver) {
    super();
    this.#room = room;
    this.#observer = observer;
    for (const entry of room.producers()) this.#onProducer(entry);
    room.on('producer-added', this.#onProducer);
    room.on('producer-closed', this.#onProducerClosed);
    room.once('closed', () => this.close());
    observer.on('dominantspeaker', ({ producer }) => {
      const entry = room.producers().find((p) => p.producer.id === producer.id);
      if (!entry || entry === this.#current || this.#ignored.has(entry.peerId)) return;
      this.#current = entry;
      this.emit('changed', entry.peerId);
    });
  }

  /** The peer speaking now, if any has been heard. */
  get current(): string | null {
    return this.#current?.peerId ?? null;
  }

  /** Stops (or resumes) observing `peerId`'s microphones; if they were the speaker, nobody is. */
  ignore(peerId: string, ignored: boolean): void {
    if (this.#closed || this.#ignored.has(peerId) === ignored) return;
    if (ignored) this.#ignored.add(peerId);
    else this.#ignored.delete(peerId);
    for (const entry of this.#room.producers()) {
      if (entry.peerId !== peerId || entry.source !== 'microphone') continue;
      const producerId = entry.producer.id;
      // A producer that closed meanwhile is out of the observer already.
      if (ignored) this.#observer.removeProducer({ producerId }).catch(() => undefined);
      else this.#observer.addProducer({ producerId }).catch(() => undefined);
    }
    if (ignored && this.#current?.peerId === peerId) {
      this.#current = undefined;
      this.emit('changed', null);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#room.off('producer-added', this.#onProducer);
    this.#room.off('producer-closed', this.#onProducerClosed);
    this.#observer.close();
    this.removeAllListeners();
  }

  readonly #onProducer = (entry: RoomProducer): void => {
    if (entry.source !== 'microphone' || this.#closed || this.#ignored.has(entry.peerId)) return;
    // A producer that closed meanwhile can't be added: nothing to observe then.
    this.#observer.addProducer({ producerId: entry.producer.id }).catch(() => undefined);
  };

  readonly #onProducerClosed = (producerId: string): void => {
    if (this.#current?.producer.id !== producerId) return;
    this.#current = undefined;
    this.emit('changed', null);
  };
}
