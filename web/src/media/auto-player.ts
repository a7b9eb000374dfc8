// The channel page's "Auto" source: WebRTC first, for its sub-second delay, and HLS when WebRTC
// cannot deliver: signaling cannot be reached, the browser has no WebRTC, the server says the
// media seats are full (`unavailable`), or no media arrives within a few seconds of joining a live
// stream (ICE blocked by a firewall, a broken decoder). The switch is silent and final for this
// player's life: a viewer whose network blocks WebRTC would otherwise wait out the deadline again
// on every stream start. Once WebRTC has delivered media, it recovers from later trouble itself.
import { Emitter, type Unsubscribe } from './emitter.ts';
import type { PlaybackClient, PlaybackVia, Rendition, RenditionPick } from './playback-client.ts';
import type { PlayerPhase, PlayerStatus } from './player.ts';
import type { PlayerStats } from './stats.ts';

export interface PlaybackFailure {
  code: string;
  message: string;
}

/** A WebRTC player that reports every failed join and can tell whether media arrives. */
export interface WebRtcPlaybackClient extends PlaybackClient {
  on(event: 'status', listener: (status: PlayerStatus) => void): Unsubscribe;
  on(event: 'failure', listener: (error: PlaybackFailure, willRetry: boolean) => void): Unsubscribe;
  mediaArrived(): Promise<boolean>;
}

export interface AutoPlayerOptions {
  webrtc: () => WebRtcPlaybackClient;
  hls: () => PlaybackClient;
  /** How long WebRTC has, from joining (or the stream going live), to deliver media. */
  deadlineMs?: number;
  /** How often to look whether media arrived, while waiting for it. */
  checkIntervalMs?: number;
}

export interface AutoPlayerEvents {
  status: [status: PlayerStatus];
  /** WebRTC gave way to HLS, and why. */
  fallback: [reason: PlaybackFailure];
}

/** While WebRTC is in one of these, media should be on its way: the deadline runs. */
const WAITING: ReadonlySet<PlayerPhase> = new Set(['connecting', 'starting', 'reconnecting', 'live']);
/** Errors HLS would not fix: the channel does not exist, or a moderator removed the viewer. */
const FINAL_CODES: ReadonlySet<string> = new Set(['not_found', 'kicked']);

export class AutoPlayer extends Emitter<AutoPlayerEvents> implements PlaybackClient {
  readonly #options: Required<AutoPlayerOptions>;
  #current: PlaybackClient | null = null;
  #via: PlaybackVia = 'webrtc';
  #unsubscribe: Unsubscribe[] = [];
  #video: HTMLVideoElement | null = null;
  #pip: HTMLVideoElement | null = null;
  /** WebRTC delivered media once: from then on it owns its recovery. */
  #delivered = false;
  #waitTimer: ReturnType<typeof setInterval> | undefined;
  #waitingSince = 0;
  #checking = false;
  #closed = false;
  #pick: RenditionPick = 'auto';

  constructor(options: AutoPlayerOptions) {
    super();
    this.#options = { deadlineMs: 5_000, checkIntervalMs: 500, ...options };
  }

  get via(): PlaybackVia {
    return this.#via;
  }

  get status(): PlayerStatus {
    return (
      this.#current?.status ?? {
        phase: this.#closed ? 'closed' : 'connecting',
        stream: null,
        error: null,
        soundBlocked: false,
        videoPaused: false,
      }
    );
  }

  start(): void {
    if (this.#current || this.#closed) return;
    const webrtc = this.#options.webrtc();
    this.#current = webrtc;
    this.#unsubscribe = [
      webrtc.on('status', (status) => this.#onWebRtcStatus(webrtc, status)),
      webrtc.on('failure', (error) => {
        // Every seat taken: HLS serves any number of viewers from the same segments.
        if (error.code === 'unavailable') this.#fallBack(error);
      }),
    ];
    if (this.#video) webrtc.attach(this.#video, this.#pip);
    webrtc.start();
    this.#onWebRtcStatus(webrtc, webrtc.status);
  }

  attach(video: HTMLVideoElement, pip: HTMLVideoElement | null = null): void {
    this.#video = video;
    this.#pip = pip;
    this.#current?.attach(video, pip);
  }

  detach(): void {
    this.#video = null;
    this.#pip = null;
    this.#current?.detach();
  }

  unmute(): Promise<void> {
    return this.#current?.unmute() ?? Promise.resolve();
  }

  mute(): void {
    this.#current?.mute();
  }

  stats(): Promise<PlayerStats> {
    if (!this.#current) return Promise.reject(new Error('The player has not started.'));
    return this.#current.stats();
  }

  renditions(): Rendition[] {
    return this.#current?.renditions?.() ?? [];
  }

  pickRendition(pick: RenditionPick): void {
    this.#pick = pick;
    this.#current?.pickRendition?.(pick);
  }

  /** Closes whichever player is playing; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWaiting();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    const closing = this.#current;
    closing?.close();
    this.emit('status', this.status);
    this.#current = null;
    this.removeAllListeners();
  }

  #onWebRtcStatus(webrtc: WebRtcPlaybackClient, status: PlayerStatus): void {
    if (this.#current !== webrtc) return;
    if (status.phase === 'error' && status.error && !FINAL_CODES.has(status.error.code)) {
      this.#fallBack(status.error);
      return;
    }
    if (!this.#delivered) {
      if (WAITING.has(status.phase)) this.#startWaiting(webrtc);
      else this.#stopWaiting();
    }
    this.emit('status', status);
  }

  /** Looks now and then whether media arrived, and falls back when the deadline passes first. */
  #startWaiting(webrtc: WebRtcPlaybackClient): void {
    if (this.#waitTimer !== undefined) return;
    this.#waitingSince = Date.now();
    this.#waitTimer = setInterval(() => void this.#check(webrtc), this.#options.checkIntervalMs);
  }

  #stopWaiting(): void {
    clearInterval(this.#waitTimer);
    this.#waitTimer = undefined;
  }

  async #check(webrtc: WebRtcPlaybackClient): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    let arrived = false;
    try {
      arrived = await webrtc.mediaArrived();
    } catch {
      // A closed transport has no stats: nothing arrived.
    } finally {
      this.#checking = false;
    }
    if (this.#current !== webrtc || this.#waitTimer === undefined) return;
    if (arrived) {
      this.#delivered = true;
      this.#stopWaiting();
    } else if (Date.now() - this.#waitingSince >= this.#options.deadlineMs) {
      this.#fallBack({
        code: 'timeout',
        message: `No media arrived over WebRTC within ${this.#options.deadlineMs / 1000} s.`,
      });
    }
  }

  #fallBack(reason: PlaybackFailure): void {
    if (this.#closed || this.#via === 'hls') return;
    this.#stopWaiting();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#current?.close();
    const hls = this.#options.hls();
    hls.pickRendition?.(this.#pick);
    this.#current = hls;
    this.#via = 'hls';
    this.#unsubscribe = [hls.on('status', (status) => this.emit('status', status))];
    if (this.#video) hls.attach(this.#video, this.#pip);
    hls.start();
    this.emit('fallback', reason);
    this.emit('status', hls.status);
  }
}
