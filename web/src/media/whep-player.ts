// The channel page's player over WHEP: a WhepClient for the channel, drawn into the same <video>
// as the socket.io Player, with the same status and controls, so the page can use either.
import type { AutoplayResult } from './autoplay.ts';
import { Emitter } from './emitter.ts';
import { createLog, type Log } from './log.ts';
import { SoundState } from './sound-state.ts';
import type { PlaybackClient } from './playback-client.ts';
import type { PlayerPhase, PlayerStatus } from './player.ts';
import { PlayerViews } from './player-views.ts';
import type { PlayerStats } from './stats.ts';
import { WhepClient, type WhepPhase } from './whep-client.ts';

export interface WhepPlayerOptions {
  channel: string;
  /** Where WHEP lives; the page's own server by default. */
  endpointBase?: string;
}

const PHASES: Record<WhepPhase, PlayerPhase> = {
  connecting: 'connecting',
  offline: 'offline',
  starting: 'starting',
  live: 'live',
  ended: 'ended',
  reconnecting: 'reconnecting',
  error: 'error',
  closed: 'closed',
};

export class WhepPlayer extends Emitter<{ status: [status: PlayerStatus] }> implements PlaybackClient {
  readonly channel: string;
  readonly via = 'whep';
  readonly #client: WhepClient;
  readonly #views: PlayerViews;
  readonly #log: Log;
  readonly #sound: SoundState;
  #status: PlayerStatus = { phase: 'connecting', stream: null, error: null, soundBlocked: false, videoPaused: false };

  constructor(options: WhepPlayerOptions) {
    super();
    this.channel = options.channel;
    this.#log = createLog('whep', options.channel);
    this.#sound = new SoundState(this.#log);
    this.#client = new WhepClient({
      endpoint: `${options.endpointBase ?? '/api/whep'}/${encodeURIComponent(options.channel)}`,
      log: this.#log,
    });
    // WHEP sends one layer chosen by the server: there is nothing to ask for by size.
    this.#views = new PlayerViews({ onLayer: () => undefined, onAutoplay: (result) => this.#onAutoplay(result) });
    this.#client.on('status', () => this.#update());
    this.#client.on('tracks', () => this.#render());
  }

  get status(): PlayerStatus {
    return this.#status;
  }

  start(): void {
    this.#client.start();
  }

  attach(video: HTMLVideoElement, pip: HTMLVideoElement | null = null): void {
    this.#views.attach(video, pip);
    this.#render();
  }

  detach(): void {
    this.#views.detach();
  }

  /** Turns the sound on; call it from a click, which is what browsers want before playing sound. */
  async unmute(): Promise<void> {
    const video = this.#views.mainElement;
    if (!video) return;
    await this.#sound.unmute(video);
    this.#update();
  }

  /** The viewer's own mute button. */
  mute(): void {
    this.#sound.mute(this.#views.mainElement);
    this.#update();
  }

  stats(): Promise<PlayerStats> {
    return this.#client.stats();
  }

  /** Ends the WHEP session and releases the elements; safe to call twice. */
  close(): void {
    if (this.#status.phase === 'closed') return;
    void this.#client.close();
    this.detach();
    this.#update();
    this.removeAllListeners();
  }

  #render(): void {
    const tracks = this.#client.tracks;
    const video = tracks.find((t) => t.kind === 'video');
    const audio = tracks.filter((t) => t.kind === 'audio');
    this.#views.show(
      video ? { track: video, consumerId: video.id, spatialLayers: 1, layered: false } : null,
      null,
      audio,
    );
  }

  #onAutoplay(result: AutoplayResult): void {
    if (result === 'interrupted') return;
    this.#sound.afterAutoplay(result);
    this.#update();
  }

  #update(): void {
    const client = this.#client.status;
    const hasAudio = this.#client.tracks.some((t) => t.kind === 'audio');
    const next: PlayerStatus = {
      phase: PHASES[client.phase],
      stream: null,
      error: client.error,
      soundBlocked: this.#sound.blocked && hasAudio,
      videoPaused: false,
    };
    const prev = this.#status;
    if (prev.phase === next.phase && prev.error === next.error && prev.soundBlocked === next.soundBlocked) return;
    this.#status = next;
    this.emit('status', next);
  }
}
