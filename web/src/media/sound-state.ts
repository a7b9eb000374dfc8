// Whether a player's sound is on, muted by the viewer, or held back by the browser's autoplay
// policy (then the page offers an "Unmute" button). Shared by the WebRTC, WHEP and HLS players.
import type { AutoplayResult } from './autoplay.ts';
import type { Log } from './log.ts';

export class SoundState {
  readonly #log: Log;
  #blocked = false;
  #userMuted = false;

  constructor(log: Log) {
    this.#log = log;
  }

  /** The browser played without sound although the viewer didn't mute: offer the sound. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Turns the sound on; call it from a click, which is what browsers want before playing sound. */
  async unmute(video: HTMLVideoElement): Promise<void> {
    this.#userMuted = false;
    video.muted = false;
    try {
      await video.play();
      this.#blocked = false;
    } catch (error) {
      this.#log.warn('could not play with sound', error);
      video.muted = true;
      this.#blocked = true;
    }
  }

  /** The viewer's own mute button. */
  mute(video: HTMLVideoElement | null): void {
    this.#userMuted = true;
    this.#blocked = false;
    if (video) video.muted = true;
  }

  /** Records how an autoplay attempt (not interrupted) went. */
  afterAutoplay(result: Exclude<AutoplayResult, 'interrupted'>): void {
    if (result === 'blocked') this.#log.warn('the browser refused to play the stream, even muted');
    // Muted by the autoplay policy rather than by the viewer: offer the sound.
    if (result === 'sound') this.#blocked = false;
    else if (!this.#userMuted) this.#blocked = true;
  }
}
