// The channel page's player over HLS: the recorder's live playlist in the same <video>, with the
// same status and controls as the WebRTC players. It starts from the master playlist, whose
// variant URIs carry a playback id (recorder/playback-id.ts); hls.js and Safari ask for those URIs
// as written, which is how this playback counts among the channel's viewers. HLS says nothing
// about the stream, so the channel API is asked every few seconds whether it is live and how many
// watch. While it is live but its first segments are not written yet (2-4 s after going live) the
// playlist is asked for every second; when it goes (the stream ended) or ENDLIST is reached, the
// stream has ended, and when the channel goes live again it plays again by itself.
import type { StreamStatus } from '../../../common/protocol/media-signaling.ts';
import { ApiError, getJson } from '../lib/api.ts';
import { playWithSoundIfAllowed } from './autoplay.ts';
import { backoffDelay } from './backoff.ts';
import { Emitter } from './emitter.ts';
import { HlsSource, NO_PLAYBACK, type HlsFailure, type HlsPlaybackStats } from './hls-source.ts';
import { createLog, type Log } from './log.ts';
import { announce, withdraw } from './page-media.ts';
import { SoundState } from './sound-state.ts';
import type { PlaybackClient, Rendition, RenditionPick } from './playback-client.ts';
import type { PlayerPhase, PlayerStatus } from './player.ts';
import { DeltaSampler, type PlayerStats } from './stats.ts';

declare module './page-media.ts' {
  interface PageMedia {
    /** HLS playback on the page: a live channel's HlsPlayer, or a VOD's HlsSource. */
    hlsPlayer: { stats(): HlsPlaybackStats };
  }
}

export interface HlsPlayerOptions {
  channel: string;
  /** How often to ask the channel API whether the stream is live, and its viewer count. */
  pollIntervalMs?: number;
  /** How often to ask for the playlist while the stream is live but has no segments yet. */
  probeIntervalMs?: number;
  /**
   * Whether what the channel's HLS carries is live: by default the channel's own stream (GET
   * /api/v1/channels/:slug); a live webinar's page answers for its webinar instead.
   */
  liveStatus?: LiveStatusSource;
}

export type LiveStatusSource = (signal: AbortSignal) => Promise<LiveStatusReply>;

/** GET /api/v1/channels/:slug, the part of it the player needs. */
export interface LiveStatusReply {
  slug: string;
  live: boolean;
  viewers: number;
  streamId: string | null;
  startedAt: string | null;
}

export class HlsPlayer extends Emitter<{ status: [status: PlayerStatus] }> implements PlaybackClient {
  readonly channel: string;
  readonly via = 'hls';
  readonly #options: Required<Omit<HlsPlayerOptions, 'channel' | 'liveStatus'>>;
  readonly #liveStatus: LiveStatusSource;
  readonly #log: Log;
  readonly #sound: SoundState;
  readonly #sampler = new DeltaSampler();
  /** What the page announces of this player: where its HLS playback is. */
  readonly #playback = { stats: () => this.playbackStats() };
  #video: HTMLVideoElement | null = null;
  #source: HlsSource | null = null;
  #stream: StreamStatus | null = null;
  #answered = false;
  /** The current source shows a picture. */
  #playing = false;
  #everLive = false;
  /** The stream whose end we saw (ENDLIST, or its playlist went away); it is not asked for again. */
  #endedStreamId: string | null = null;
  /** Playback broke while the stream is still live; the playlist is being asked for again. */
  #recovering = false;
  #attempt = 0;
  #error: PlayerStatus['error'] = null;
  #closed = false;
  #started = false;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #probing = false;
  #pick: RenditionPick = 'auto';
  readonly #abort = new AbortController();
  #status: PlayerStatus = { phase: 'connecting', stream: null, error: null, soundBlocked: false, videoPaused: false };

  constructor(options: HlsPlayerOptions) {
    super();
    this.channel = options.channel;
    this.#options = { pollIntervalMs: 5_000, probeIntervalMs: 1_000, ...options };
    this.#liveStatus =
      options.liveStatus ??
      ((signal) => getJson<LiveStatusReply>(`/api/v1/channels/${encodeURIComponent(this.channel)}`, signal));
    this.#log = createLog('hls', options.channel);
    this.#sound = new SoundState(this.#log);
  }

  get status(): PlayerStatus {
    return this.#status;
  }

  get playlistUrl(): string {
    return `/hls/${encodeURIComponent(this.channel)}/master.m3u8`;
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    announce('hlsPlayer', this.#playback);
    void this.#poll();
    this.#pollTimer = setInterval(() => void this.#poll(), this.#options.pollIntervalMs);
  }

  attach(video: HTMLVideoElement): void {
    if (video === this.#video) return;
    this.#stopSource();
    this.#video = video;
    this.#maybePlay();
  }

  detach(): void {
    this.#stopSource();
    this.#video = null;
  }

  /** Turns the sound on; call it from a click, which is what browsers want before playing sound. */
  async unmute(): Promise<void> {
    const video = this.#video;
    if (!video) return;
    await this.#sound.unmute(video);
    this.#update();
  }

  /** The viewer's own mute button. */
  mute(): void {
    this.#sound.mute(this.#video);
    this.#update();
  }

  /** Where playback is: position, delay behind the live edge, level, buffer. */
  playbackStats(): HlsPlaybackStats {
    return this.#source?.stats() ?? { ...NO_PLAYBACK };
  }

  async stats(): Promise<PlayerStats> {
    const hls = this.playbackStats();
    const fps = this.#sampler.rate('frames', performance.now(), hls.decodedFrames) ?? 0;
    return {
      framesDecoded: hls.decodedFrames,
      framesDropped: hls.droppedFrames,
      frameWidth: hls.width,
      frameHeight: hls.height,
      fps,
      audioPacketsReceived: 0,
      audioTotalSamplesReceived: 0,
      audioLevel: 0,
      bitrate: hls.bitrate,
      packetLoss: 0,
      rttMs: null,
      jitterBufferMs: null,
      decodeMs: null,
      delayMs: hls.latencySeconds === null ? null : hls.latencySeconds * 1000,
      spatialLayer: null,
      temporalLayer: null,
    };
  }

  renditions(): Rendition[] {
    return this.#source?.renditions() ?? [];
  }

  pickRendition(pick: RenditionPick): void {
    this.#pick = pick;
    this.#source?.pickRendition(pick);
  }

  /** Stops playing and asking; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#probeTimer);
    this.#abort.abort();
    this.#stopSource();
    this.#video = null;
    withdraw('hlsPlayer', this.#playback);
    this.#update();
    this.removeAllListeners();
  }

  async #poll(): Promise<void> {
    if (this.#closed) return;
    let reply: LiveStatusReply;
    try {
      reply = await this.#liveStatus(this.#abort.signal);
    } catch (error) {
      if (this.#closed) return;
      if (error instanceof ApiError && error.status === 404) {
        this.#giveUp({ code: 'not_found', message: error.message });
        return;
      }
      // Keep what we know and ask again at the next tick.
      this.#log.warn('could not ask whether the channel is live', error);
      return;
    }
    if (this.#closed) return;
    this.#answered = true;
    const before = this.#stream;
    const next: StreamStatus = {
      channel: this.channel,
      live: reply.live,
      streamId: reply.streamId,
      viewers: reply.viewers,
      startedAt: reply.startedAt,
    };
    const same =
      before &&
      before.live === next.live &&
      before.streamId === next.streamId &&
      before.viewers === next.viewers &&
      before.startedAt === next.startedAt;
    if (!same) this.#stream = next;
    if (!next.live) {
      // Over: what is still buffered would be a few seconds of a stream that ended.
      if (this.#source) this.#endStream(before?.streamId ?? null);
      this.#recovering = false;
    } else if (before?.streamId && next.streamId !== before.streamId && this.#source) {
      // A new stream of the channel: a new recording, with a new playlist.
      this.#stopSource();
    }
    this.#maybePlay();
    this.#update();
  }

  /** Starts asking for the playlist when the stream is live and there is an element to play in. */
  #maybePlay(): void {
    const stream = this.#stream;
    if (this.#closed || this.#error || !this.#video || this.#source || this.#probing || this.#probeTimer !== undefined)
      return;
    if (!stream?.live || stream.streamId === this.#endedStreamId) return;
    void this.#probe();
  }

  /** Asks for the live playlist until it exists, then plays it. */
  async #probe(): Promise<void> {
    this.#probing = true;
    let found = false;
    try {
      const response = await fetch(this.playlistUrl, { cache: 'no-store', signal: this.#abort.signal });
      found = response.ok;
      if (!response.ok && response.status !== 404) this.#log.warn(`live playlist: HTTP ${response.status}`);
      await response.body?.cancel();
    } catch (error) {
      if (!this.#closed) this.#log.warn('could not ask for the live playlist', error);
    } finally {
      this.#probing = false;
    }
    if (this.#closed) return;
    const stream = this.#stream;
    if (!stream?.live || stream.streamId === this.#endedStreamId) return;
    if (found && this.#video) {
      this.#startSource(this.#video);
      return;
    }
    const delay = this.#recovering
      ? backoffDelay(this.#attempt++, this.#options.probeIntervalMs)
      : this.#options.probeIntervalMs;
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      this.#maybePlay();
    }, delay);
  }

  #startSource(video: HTMLVideoElement): void {
    const source = new HlsSource({ url: this.playlistUrl, live: true, log: this.#log });
    this.#source = source;
    source.pickRendition(this.#pick);
    source.on('ready', () => void this.#play(video));
    source.on('playing', () => {
      this.#playing = true;
      this.#everLive = true;
      this.#recovering = false;
      this.#attempt = 0;
      this.#update();
    });
    source.on('ended', () => this.#endStream(this.#stream?.streamId ?? null));
    source.on('failed', (failure) => this.#onFailed(failure));
    void source.start(video);
  }

  async #play(video: HTMLVideoElement): Promise<void> {
    const result = await playWithSoundIfAllowed(video);
    if (this.#video !== video || result === 'interrupted') return;
    this.#sound.afterAutoplay(result);
    this.#update();
  }

  #onFailed(failure: HlsFailure): void {
    this.#stopSource();
    if (failure.kind === 'unsupported') {
      this.#giveUp({ code: 'hls_unsupported', message: failure.message });
      return;
    }
    // The playlist went away (the stream is ending) or loading broke: ask the API, then again.
    this.#recovering = true;
    this.#update();
    void this.#poll();
  }

  /** The stream we played is over: stop, and do not ask for it again. */
  #endStream(streamId: string | null): void {
    this.#endedStreamId = streamId;
    this.#recovering = false;
    this.#stopSource();
    this.#update();
  }

  #giveUp(error: { code: string; message: string }): void {
    this.#error = error;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#probeTimer);
    this.#stopSource();
    this.#update();
  }

  #stopSource(): void {
    this.#source?.close();
    this.#source = null;
    this.#playing = false;
  }

  #update(): void {
    const stream = this.#stream;
    let phase: PlayerPhase;
    if (this.#closed) phase = 'closed';
    else if (this.#error) phase = 'error';
    else if (!this.#answered) phase = 'connecting';
    else if (this.#playing) phase = 'live';
    else if (stream?.live && stream.streamId !== this.#endedStreamId)
      phase = this.#recovering && this.#everLive ? 'reconnecting' : 'starting';
    else phase = this.#everLive ? 'ended' : 'offline';
    if (phase === 'live') this.#everLive = true;
    const next: PlayerStatus = {
      phase,
      stream,
      error: this.#error,
      soundBlocked: this.#sound.blocked && phase === 'live',
      videoPaused: false,
    };
    const prev = this.#status;
    if (
      prev.phase === next.phase &&
      prev.stream === next.stream &&
      prev.error === next.error &&
      prev.soundBlocked === next.soundBlocked
    )
      return;
    this.#status = next;
    this.emit('status', next);
  }
}
