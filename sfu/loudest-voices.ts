// Which microphones a webinar's audience hears when more than a few are on stage: the loudest
// three, as Zoom and Jitsi do, so an attendee's downlink and mix stay those of a conversation
// however many sit on stage. mediasoup's AudioLevelObserver on the origin router reports the
// loudest producers every interval; a voice stays audible until others have spoken since (it is
// not cut off at its first pause), and a new voice is let in as soon as it is heard. Owned by
// whoever asked for it; it closes with the room.
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { RoomProducer } from './peer.ts';
import type { Room } from './room.ts';

/** Three voices: a conversation, a question and its answer, with room for one more. */
export const AUDIBLE_VOICES = 3;
/** dBov above which a producer counts as heard: speech, not a quiet room's hiss or a keyboard. */
const THRESHOLD_DBOV = -55;
/** How soon a new voice is let in; mediasoup's default (1 s) would clip a whole first word. */
const INTERVAL_MS = 200;

/**
 * The ranking alone, apart from mediasoup: the `limit` most recently heard voices are audible;
 * voices never heard rank by arrival, so the first ones on stage are heard until someone speaks.
 */
export class VoiceRanking {
  readonly #limit: number;
  readonly #voices = new Map<string, { arrival: number; heardAt: number }>();
  #arrivals = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(id: string): void {
    if (!this.#voices.has(id)) this.#voices.set(id, { arrival: this.#arrivals++, heardAt: -Infinity });
  }

  remove(id: string): void {
    this.#voices.delete(id);
  }

  /** `ids` were heard at `at` (loudest first, as the observer lists them). */
  heard(ids: readonly string[], at: number): void {
    for (const id of ids) {
      const voice = this.#voices.get(id);
      if (voice) voice.heardAt = at;
    }
  }

  /** The voices past the limit: their listeners get none of their packets. */
  inaudible(): Set<string> {
    const ranked = [...this.#voices].sort(([, a], [, b]) => b.heardAt - a.heardAt || a.arrival - b.arrival);
    return new Set(ranked.slice(this.#limit).map(([id]) => id));
  }
}

export interface LoudestVoicesEvents {
  /** The microphones (producer ids) an attendee should not get changed. */
  changed: [inaudible: ReadonlySet<string>];
}

export class LoudestVoices extends EventEmitter<LoudestVoicesEvents> {
  readonly #room: Room;
  readonly #observer: ms.AudioLevelObserver;
  readonly #ranking = new VoiceRanking(AUDIBLE_VOICES);
  /** Peers whose microphones are out of the ranking (a webinar's members backstage). */
  readonly #ignored = new Set<string>();
  #inaudible: ReadonlySet<string> = new Set();
  #closed = false;

  static async create(room: Room): Promise<LoudestVoices> {
    const observer = await room.createAudioLevelObserver({
      maxEntries: AUDIBLE_VOICES,
      threshold: THRESHOLD_DBOV,
      intervalMs: INTERVAL_MS,
    });
    return new LoudestVoices(room, observer);
  }

  private constructor(room: Room, observer: ms.AudioLevelObserver) {
    super();
    this.#room = room;
    this.#observer = observer;
    for (const entry of room.producers()) this.#onProducer(entry);
    room.on('producer-added', this.#onProducer);
    room.on('producer-closed', this.#onProducerClosed);
    room.once('closed', () => this.close());
    observer.on('volumes', (volumes) => {
      this.#ranking.heard(
        volumes.map(({ producer }) => producer.id),
        performance.now(),
      );
      this.#update();
    });
  }

  /** The microphones past the loudest three, by producer id. */
  get inaudible(): ReadonlySet<string> {
    return this.#inaudible;
  }

  /** Takes `peerId`'s microphones out of the ranking (nobody hears them anyway) or back into it. */
  ignore(peerId: string, ignored: boolean): void {
    if (ignored) this.#ignored.add(peerId);
    else this.#ignored.delete(peerId);
    for (const entry of this.#room.producers()) {
      if (entry.peerId !== peerId || entry.source !== 'microphone') continue;
      if (ignored) this.#ranking.remove(entry.producer.id);
      else this.#ranking.add(entry.producer.id);
    }
    this.#update();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#room.off('producer-added', this.#onProducer);
    this.#room.off('producer-closed', this.#onProducerClosed);
    this.#observer.close();
    this.removeAllListeners();
  }

  #update(): void {
    const inaudible = this.#ranking.inaudible();
    if (sameSet(inaudible, this.#inaudible)) return;
    this.#inaudible = inaudible;
    this.emit('changed', inaudible);
  }

  readonly #onProducer = (entry: RoomProducer): void => {
    if (entry.source !== 'microphone' || this.#closed) return;
    // A producer that closed meanwhile can't be added: nothing to observe then.
    this.#observer.addProducer({ producerId: entry.producer.id }).catch(() => undefined);
    if (this.#ignored.has(entry.peerId)) return;
    this.#ranking.add(entry.producer.id);
    this.#update();
  };

  readonly #onProducerClosed = (producerId: string): void => {
    this.#ranking.remove(producerId);
    this.#update();
  };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((id) => b.has(id));
}
