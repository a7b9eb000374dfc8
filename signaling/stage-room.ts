// What a webinar room shares beyond its media, on the process that holds it: who speaks (from the
// SFU's active-speaker observer) and whose screen share is the main one (the host's choice; until
// they choose, or once that share ends, players show the first share). Made with the room's first
// webinar session, gone with the room; every session of the room listens to it.
import { EventEmitter } from 'node:events';
import { ActiveSpeaker } from '../sfu/active-speaker.ts';
import type { Room } from '../sfu/room.ts';

export interface StageRoomEvents {
  'active-speaker': [peerId: string | null];
  'main-share': [peerId: string | null];
}

export class StageRoom extends EventEmitter<StageRoomEvents> {
  readonly #room: Room;
  readonly #speaker: ActiveSpeaker;
  #mainShare: string | null = null;

  constructor(room: Room, speaker: ActiveSpeaker) {
    super();
    this.#room = room;
    this.#speaker = speaker;
    speaker.on('changed', (peerId) => this.emit('active-speaker', peerId));
    room.on('producer-closed', this.#onProducerClosed);
    room.once('closed', () => {
      room.off('producer-closed', this.#onProducerClosed);
      this.removeAllListeners();
    });
  }

  get activeSpeaker(): string | null {
    return this.#speaker.current;
  }

  get mainShare(): string | null {
    return this.#mainShare;
  }

  /** Makes `peerId`'s screen share the main one (null: the players' default); false if they share none. */
  setMainShare(peerId: string | null): boolean {
    if (peerId !== null && !this.#sharing(peerId)) return false;
    if (peerId === this.#mainShare) return true;
    this.#mainShare = peerId;
    this.emit('main-share', peerId);
    return true;
  }

  #sharing(peerId: string): boolean {
    return this.#room.producers().some((entry) => entry.peerId === peerId && entry.source === 'screen');
  }

  readonly #onProducerClosed = (): void => {
    // The main share ended (stopped, moved off stage, left): back to the default.
    if (this.#mainShare !== null && !this.#sharing(this.#mainShare)) {
      this.#mainShare = null;
      this.emit('main-share', null);
    }
  };
}

/** One StageRoom per webinar room on this process. */
export class StageRooms {
  readonly #byRoom = new Map<Room, Promise<StageRoom>>();

  of(room: Room): Promise<StageRoom> {
    let stage = this.#byRoom.get(room);
    if (!stage) {
      stage = ActiveSpeaker.create(room).then((speaker) => new StageRoom(room, speaker));
      this.#byRoom.set(room, stage);
      room.once('closed', () => this.#byRoom.delete(room));
      stage.catch(() => this.#byRoom.delete(room));
    }
    return stage;
  }
}
