// One HLS playlist played into a <video>: with hls.js wherever the browser has Media Source
// Extensions (every desktop browser, iOS 17.1+), natively where it has not but plays HLS itself
// (older iPhones). hls.js (its light build: it switches renditions but leaves out alternate audio,
// subtitles and DRM, which the recorder never writes) is loaded on first use, so pages that never
// play HLS never download it. With a rendition ladder, hls.js picks by bandwidth unless the viewer
// picks a height (`pickRendition`).
// A failure hls.js cannot recover from is reported once, by kind, and leaves the source unusable:
// its owner closes it and decides what comes next (ask again, show the end, give up).
import type Hls from 'hls.js';
import type { ErrorData, FragLoadedData, HlsConfig, LevelUpdatedData } from 'hls.js';
import { Emitter } from './emitter.ts';
import { bufferedAhead, liveDelaySeconds } from './hls-timing.ts';
import type { Log } from './log.ts';
import type { Rendition, RenditionPick } from './playback-client.ts';
import { DeltaSampler } from './stats.ts';

export type HlsEngine = 'hls.js' | 'native';

/**
 * not-found: the playlist is gone or not there yet (HTTP 404). network: it could not be loaded.
 * media: what arrived cannot be played. unsupported: this browser plays no HLS at all.
 */
export type HlsFailureKind = 'not-found' | 'network' | 'media' | 'unsupported';

export interface HlsFailure {
  kind: HlsFailureKind;
  message: string;
}

export interface HlsPlaybackStats {
  engine: HlsEngine | null;
  /** The <video>'s position, seconds. */
  currentTime: number;
  /** Seconds behind the live edge (see liveDelaySeconds); null for a VOD or before playing. */
  latencySeconds: number | null;
  /** The hls.js level playing; -1 when native or not known yet. */
  level: number;
  /** Seconds buffered ahead of the playhead. */
  buffered: number;
  decodedFrames: number;
  droppedFrames: number;
  width: number;
  height: number;
  /** Of the segments loaded recently, bits per second. */
  bitrate: number;
}

/** Before anything plays. */
export const NO_PLAYBACK: Readonly<HlsPlaybackStats> = {
  engine: null,
  currentTime: 0,
  latencySeconds: null,
  level: -1,
  buffered: 0,
  decodedFrames: 0,
  droppedFrames: 0,
  width: 0,
  height: 0,
  bitrate: 0,
};

export interface HlsSourceEvents {
  /** The playlist is loaded: playback can start. */
  ready: [];
  /** The first picture plays. */
  playing: [];
  /** Played to the end of a finished playlist (ENDLIST). */
  ended: [];
  failed: [failure: HlsFailure];
}

export interface HlsSourceOptions {
  url: string;
  /** A live playlist: play near its edge and catch up after a stall. */
  live: boolean;
  log: Log;
}

/**
 * For ~1 s segments without partial segments. hls.js applies `maxLiveSyncPlaybackRate` only in
 * `lowLatencyMode` (latency-controller.ts in 1.7), and that mode changes nothing else for a
 * playlist without parts or blocking reload, so it is on: it is what lets a viewer who fell
 * behind catch up by playing at up to 1.2x instead of staying behind.
 */
const LIVE_CONFIG: Partial<HlsConfig> = {
  liveSyncDurationCount: 2,
  // Further behind than this (a long stall): jump back to the sync point rather than speed up.
  liveMaxLatencyDurationCount: 6,
  maxLiveSyncPlaybackRate: 1.2,
  lowLatencyMode: true,
  backBufferLength: 10,
};

const VOD_CONFIG: Partial<HlsConfig> = {
  backBufferLength: 90,
};

/** Media errors hls.js may recover from by resetting the media pipeline, within this window. */
const MEDIA_RECOVERY_WINDOW_MS = 10_000;

interface SafariVideo extends HTMLVideoElement {
  /** The program date time of currentTime 0 (Safari's native HLS only). */
  getStartDate?(): Date;
}

export class HlsSource extends Emitter<HlsSourceEvents> {
  readonly url: string;
  readonly #options: HlsSourceOptions;
  readonly #log: Log;
  readonly #sampler = new DeltaSampler();
  #video: HTMLVideoElement | null = null;
  #hls: Hls | null = null;
  #engine: HlsEngine | null = null;
  #bytesLoaded = 0;
  #mediaErrors: number[] = [];
  #failed = false;
  #closed = false;
  #pick: RenditionPick = 'auto';
  readonly #listeners: [string, () => void][] = [];

  constructor(options: HlsSourceOptions) {
    super();
    this.url = options.url;
    this.#options = options;
    this.#log = options.log;
  }

  get engine(): HlsEngine | null {
    return this.#engine;
  }

  /** Starts loading into `video`; failures arrive as `failed`, never as a rejection. */
  async start(video: HTMLVideoElement): Promise<void> {
    if (this.#video || this.#closed) return;
    this.#video = video;
    // A WebRTC player may have drawn into this element: its stream would hide ours.
    video.srcObject = null;
    this.#listen('playing', () => this.emit('playing'), true);
    this.#listen('ended', () => this.emit('ended'));

    let HlsClass: typeof Hls | null = null;
    try {
      HlsClass = (await import('hls.js/light')).default;
    } catch (error) {
      this.#log.warn('could not load hls.js', error);
    }
    if (this.#closed) return;
    if (HlsClass?.isSupported()) this.#startHlsJs(HlsClass, video);
    else if (video.canPlayType('application/vnd.apple.mpegurl')) this.#startNative(video);
    else this.#fail({ kind: 'unsupported', message: 'This browser cannot play HLS.' });
  }

  stats(): HlsPlaybackStats {
    const video = this.#video;
    if (!video) return { ...NO_PLAYBACK };
    const quality = video.getVideoPlaybackQuality?.();
    const bytesPerSecond = this.#sampler.rate('bytes', performance.now(), this.#bytesLoaded) ?? 0;
    return {
      engine: this.#engine,
      currentTime: video.currentTime,
      latencySeconds: this.#options.live ? this.#latency(video) : null,
      level: this.#hls?.currentLevel ?? -1,
      buffered: bufferedAhead(video.buffered, video.currentTime),
      decodedFrames: quality?.totalVideoFrames ?? 0,
      droppedFrames: quality?.droppedVideoFrames ?? 0,
      width: video.videoWidth,
      height: video.videoHeight,
      bitrate: Math.round(bytesPerSecond * 8),
    };
  }

  /**
   * The renditions the viewer can choose between, tallest first: empty for a single one, for
   * native playback (Safari picks by itself) and before the playlist is loaded.
   */
  renditions(): Rendition[] {
    const levels = this.#hls?.levels ?? [];
    if (levels.length < 2) return [];
    return levels
      .map((level) => ({ height: level.height, bitrate: level.bitrate }))
      .sort((a, b) => b.height - a.height);
  }

  /**
   * Plays the rendition of that height from the next segment on (without emptying the buffer, so
   * nothing stalls), or lets hls.js choose again. Kept for a playlist that is not loaded yet.
   */
  pickRendition(pick: RenditionPick): void {
    this.#pick = pick;
    this.#applyPick();
  }

  #applyPick(): void {
    const hls = this.#hls;
    if (!hls || hls.levels.length < 2) return;
    const index = this.#pick === 'auto' ? -1 : hls.levels.findIndex((level) => level.height === this.#pick);
    // A height this stream does not have (the ladder changed): hls.js chooses.
    // Setting it again would abort the segment loading now.
    if (hls.manualLevel !== index) hls.nextLevel = index;
  }

  /** Stops loading and lets go of the element; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [type, listener] of this.#listeners.splice(0)) this.#video?.removeEventListener(type, listener);
    if (this.#hls) {
      // Detaches the media too: the element is left without a source.
      this.#hls.destroy();
      this.#hls = null;
    } else if (this.#video && this.#engine === 'native') {
      this.#video.removeAttribute('src');
      this.#video.load();
    }
    this.#video = null;
    this.removeAllListeners();
  }

  #startHlsJs(HlsClass: typeof Hls, video: HTMLVideoElement): void {
    this.#engine = 'hls.js';
    const hls = new HlsClass(this.#options.live ? LIVE_CONFIG : VOD_CONFIG);
    this.#hls = hls;
    hls.on(HlsClass.Events.MANIFEST_PARSED, () => {
      this.#applyPick();
      this.emit('ready');
    });
    hls.on(
      HlsClass.Events.FRAG_LOADED,
      (_event, data: FragLoadedData) => (this.#bytesLoaded += data.payload.byteLength),
    );
    hls.on(HlsClass.Events.LEVEL_UPDATED, (_event, data: LevelUpdatedData) => {
      if (this.#options.live && !data.details.live) this.#log.info('the live playlist ended');
    });
    hls.on(HlsClass.Events.ERROR, (_event, data) => this.#onHlsError(HlsClass, hls, data));
    hls.loadSource(this.url);
    hls.attachMedia(video);
  }

  #onHlsError(HlsClass: typeof Hls, hls: Hls, data: ErrorData): void {
    if (!data.fatal) {
      this.#log.debug(`hls.js recovered from ${data.details}`);
      return;
    }
    const { ErrorTypes, ErrorDetails } = HlsClass;
    if (data.type === ErrorTypes.MEDIA_ERROR) {
      // A decoder hiccup: reset the media pipeline and go on, unless it keeps happening.
      const now = Date.now();
      this.#mediaErrors = [...this.#mediaErrors.filter((at) => now - at < MEDIA_RECOVERY_WINDOW_MS), now];
      if (this.#mediaErrors.length <= 2) {
        this.#log.warn(`media error (${data.details}); recovering`);
        if (this.#mediaErrors.length === 2) hls.swapAudioCodec();
        hls.recoverMediaError();
        return;
      }
      this.#fail({ kind: 'media', message: `The stream cannot be decoded (${data.details}).` });
      return;
    }
    if (data.type === ErrorTypes.NETWORK_ERROR) {
      const playlist =
        data.details === ErrorDetails.MANIFEST_LOAD_ERROR || data.details === ErrorDetails.LEVEL_LOAD_ERROR;
      const status = data.response?.code;
      if (playlist && status === 404) this.#fail({ kind: 'not-found', message: 'The playlist is not there.' });
      else
        this.#fail({
          kind: 'network',
          message: `Loading failed (${data.details}${status ? `, HTTP ${status}` : ''}).`,
        });
      return;
    }
    this.#fail({ kind: 'media', message: `Playback failed (${data.details}).` });
  }

  #startNative(video: HTMLVideoElement): void {
    this.#engine = 'native';
    this.#listen('loadedmetadata', () => this.emit('ready'), true);
    this.#listen('error', () => {
      // Native playback does not say what went wrong beyond a code.
      const code = video.error?.code;
      this.#fail(
        code === MediaError.MEDIA_ERR_NETWORK
          ? { kind: 'network', message: 'Loading the stream failed.' }
          : { kind: 'media', message: video.error?.message || 'The stream cannot be played.' },
      );
    });
    video.src = this.url;
  }

  #latency(video: HTMLVideoElement): number | null {
    const now = Date.now();
    if (this.#hls) return liveDelaySeconds({ now, playingDate: this.#hls.playingDate, edgeLatency: this.#hls.latency });
    const start = (video as SafariVideo).getStartDate?.();
    const playingDate =
      start && Number.isFinite(start.getTime()) ? new Date(start.getTime() + video.currentTime * 1000) : null;
    const edge = video.seekable.length > 0 ? video.seekable.end(video.seekable.length - 1) - video.currentTime : null;
    return liveDelaySeconds({ now, playingDate, edgeLatency: edge });
  }

  #listen(type: string, listener: () => void, once = false): void {
    const video = this.#video;
    if (!video) return;
    const wrapped = once
      ? () => {
          video.removeEventListener(type, wrapped);
          listener();
        }
      : listener;
    video.addEventListener(type, wrapped);
    this.#listeners.push([type, wrapped]);
  }

  #fail(failure: HlsFailure): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    this.#log.warn(`HLS failed: ${failure.message}`);
    // Stop loading now; the owner closes the source when it has heard this.
    this.#hls?.stopLoad();
    this.emit('failed', failure);
  }
}
