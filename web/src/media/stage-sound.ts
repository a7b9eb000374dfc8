// The sound of a webinar's stage: one <audio> element per microphone (and shared screen audio), so
// every stage member is heard, each in its own element, and one that stops does not cut the others.
// Browsers may refuse to start sound without a click, as on the channel page: then `blocked` says
// so and unmute() (from a click) starts every element.
import { Emitter } from './emitter.ts';
import type { Log } from './log.ts';

export interface StageSoundEvents {
  /** Whether the page must offer "Unmute", or the viewer's mute changed. */
  change: [state: { blocked: boolean; muted: boolean }];
}

export class StageSound extends Emitter<StageSoundEvents> {
  readonly #log: Log;
  readonly #elements = new Map<MediaStreamTrack, HTMLAudioElement>();
  #blocked = false;
  #muted = false;
  #closed = false;

  constructor(log: Log) {
    super();
    this.#log = log;
  }

  get blocked(): boolean {
    return this.#blocked;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** How many elements play (tests and the page's status). */
  get playing(): number {
    return [...this.#elements.values()].filter((element) => !element.paused).length;
  }

  /** Plays exactly these tracks: new ones get an element, gone ones lose theirs. */
  setTracks(tracks: readonly MediaStreamTrack[]): void {
    if (this.#closed) return;
    for (const track of [...this.#elements.keys()]) if (!tracks.includes(track)) this.#drop(track);
    for (const track of tracks) {
      if (this.#elements.has(track)) continue;
      const element = new Audio();
      element.autoplay = true;
      element.muted = this.#muted;
      element.srcObject = new MediaStream([track]);
      this.#elements.set(track, element);
      void this.#play(element);
    }
  }

  /** Turns the sound on; call it from a click, which is what browsers want before playing sound. */
  async unmute(): Promise<void> {
    this.#muted = false;
    this.#blocked = false;
    for (const element of this.#elements.values()) element.muted = false;
    await Promise.all([...this.#elements.values()].map((element) => this.#play(element)));
    this.#changed();
  }

  /** The viewer's own mute. */
  mute(): void {
    this.#muted = true;
    this.#blocked = false;
    for (const element of this.#elements.values()) element.muted = true;
    this.#changed();
  }

  /** Stops every element; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const track of [...this.#elements.keys()]) this.#drop(track);
    this.removeAllListeners();
  }

  #drop(track: MediaStreamTrack): void {
    const element = this.#elements.get(track);
    this.#elements.delete(track);
    if (!element) return;
    element.pause();
    element.srcObject = null;
  }

  async #play(element: HTMLAudioElement): Promise<void> {
    try {
      await element.play();
    } catch (error) {
      const name = (error as DOMException).name;
      // A newer srcObject replaced this play(); whoever did that plays again.
      if (name === 'AbortError') return;
      this.#log.warn('the browser held the stage sound back until a click', error);
      if (!this.#blocked) {
        this.#blocked = true;
        this.#changed();
      }
    }
  }

  #changed(): void {
    this.emit('change', { blocked: this.#blocked, muted: this.#muted });
  }
}
