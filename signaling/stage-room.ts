// What a webinar room shares beyond its media, on the process that holds it: who speaks (from the
// SFU's active-speaker observer), which microphones the audience hears (the loudest three when
// more are on stage), whose screen share is the main one (the host's choice; until
// they choose, or once that share ends, players show the first share), and how well each stage
// member's media reaches the SFU (mediasoup's producer score, 0-10: the stage shows it as each
// member's network quality). Made with the room's first webinar session, gone with the room;
// every session of the room listens to it.
import { EventEmitter } from 'node:events';
import { ActiveSpeaker } from '../sfu/active-speaker.ts';
import { LoudestVoices } from '../sfu/loudest-voices.ts';
import type { RoomProducer } from '../sfu/peer.ts';
import type { Room } from '../sfu/room.ts';

export interface StageRoomEvents {
  'active-speaker': [peerId: string | null];
  'main-share': [peerId: string | null];
  'producer-score': [producerId: string, score: number];
  backstage: [peerId: string, backstage: boolean];
  /** The microphones attendees should get no packets of changed (see LoudestVoices). */
  inaudible: [producerIds: ReadonlySet<string>];
}

export class StageRoom extends EventEmitter<StageRoomEvents> {
  readonly #room: Room;
  readonly #speaker: ActiveSpeaker;
  readonly #voices: LoudestVoices;
  #mainShare: string | null = null;
  /** Stage members who stepped backstage while it is live: attendees get none of their media. */
  readonly #backstage = new Set<string>();
  /** The last score of each producer that has one, by producer id. */
  readonly #scores = new Map<string, number>();

  constructor(room: Room, speaker: ActiveSpeaker, voices: LoudestVoices) {
    super();
    this.#room = room;
    this.#speaker = speaker;
    this.#voices = voices;
    speaker.on('changed', (peerId) => this.emit('active-speaker', peerId));
    voices.on('changed', (inaudible) => this.emit('inaudible', inaudible));
    for (const entry of room.producers()) this.#followScore(entry);
    room.on('producer-added', this.#followScore);
    room.on('producer-closed', this.#onProducerClosed);
    room.on('peer-closed', this.#onPeerClosed);
    room.once('closed', () => {
      room.off('producer-added', this.#followScore);
      room.off('producer-closed', this.#onProducerClosed);
      room.off('peer-closed', this.#onPeerClosed);
      this.removeAllListeners();
    });
  }

  /** Every producer's last score, for a session that just joined. */
  get scores(): ReadonlyMap<string, number> {
    return this.#scores;
  }

  /**
   * A producer's score is the best of its encodings': a simulcast sender whose top layer is held
   * back by its bandwidth estimate still arrives well in the layers it sends.
   */
  readonly #followScore = (entry: RoomProducer): void => {
    const { producer } = entry;
    producer.on('score', (encodings) => {
      if (producer.closed) return; // a last report after it closed would outlive its entry
      const score = Math.max(0, ...encodings.map((encoding) => encoding.score));
      if (this.#scores.get(producer.id) === score) return;
      this.#scores.set(producer.id, score);
      this.emit('producer-score', producer.id, score);
    });
  };

  /** Who is backstage now, for a stage member who just joined. */
  get backstage(): ReadonlySet<string> {
    return this.#backstage;
  }

  inBackstage(peerId: string): boolean {
    return this.#backstage.has(peerId);
  }

  /** Steps `peerId` backstage or back on stage; false if they already were. */
  setBackstage(peerId: string, backstage: boolean): boolean {
    if (this.#backstage.has(peerId) === backstage) return false;
    if (backstage) this.#backstage.add(peerId);
    else this.#backstage.delete(peerId);
    // Nobody in the audience hears them backstage: they can't be its speaker, nor take a voice's place.
    this.#speaker.ignore(peerId, backstage);
    this.#voices.ignore(peerId, backstage);
    this.emit('backstage', peerId, backstage);
    return true;
  }

  /** The microphones past the loudest three, for an attendee who just joined. */
  get inaudible(): ReadonlySet<string> {
    return this.#voices.inaudible;
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

  /** Whoever leaves is no longer backstage (their producers closed with them). */
  readonly #onPeerClosed = (peer: { id: string }): void => {
    if (!this.#backstage.delete(peer.id)) return;
    this.#speaker.ignore(peer.id, false);
    this.#voices.ignore(peer.id, false);
  };

  readonly #onProducerClosed = (producerId: string): void => {
    this.#scores.delete(producerId);
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
      stage = Promise.all([ActiveSpeaker.create(room), LoudestVoices.create(room)]).then(
        ([speaker, voices]) => new StageRoom(room, speaker, voices),
      );
      this.#byRoom.set(room, stage);
      room.once('closed', () => this.#byRoom.delete(room));
      stage.catch(() => this.#byRoom.delete(room));
    }
    return stage;
  }
}
