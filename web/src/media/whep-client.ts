// A WHEP client: receives a channel's audio and video from a WHEP endpoint over fetch and
// RTCPeerConnection, with the complete offer in one POST. It stays on the channel: while the
// server answers `not_live` it asks again every few seconds; when media stops arriving (the
// stream ended) or the session is lost, it ends that session and asks again. WHEP has no way to
// tell a player that the stream ended, so silence on the wire is how it notices.
import { backoffDelay } from './backoff.ts';
import { Emitter } from './emitter.ts';
import { HttpMediaError, isRetryable } from './http-media-error.ts';
import { HttpMediaSession } from './http-media-session.ts';
import { createLog, type Log } from './log.ts';
import { announce, withdraw } from './page-media.ts';
import { DeltaSampler, readPlayerStats, type PlayerStats } from './stats.ts';

declare module './page-media.ts' {
  interface PageMedia {
    /** The channel page's WHEP client. */
    whepClient: WhepClient;
  }
}

/**
 * connecting: asking for the first time. offline: the channel is not live; asking again now and
 * then. starting: the server answered; media is not flowing yet. live: media flows.
 * ended: the stream ended while we watched; waiting for it to come back.
 * reconnecting: the session was lost; asking again. error: asking cannot succeed (not_found...).
 * closed: close() was called.
 */
export type WhepPhase = 'connecting' | 'offline' | 'starting' | 'live' | 'ended' | 'reconnecting' | 'error' | 'closed';

export interface WhepStatus {
  phase: WhepPhase;
  error: { code: string; message: string } | null;
}

export interface WhepClientOptions {
  /** The WHEP endpoint, e.g. `/api/whep/<channel>`. */
  endpoint: string;
  iceServers?: RTCIceServer[];
  log?: Log;
  /** How often to ask again while the channel is not live. */
  pollIntervalMs?: number;
  /** No media for this long while connected means the stream ended. */
  stallTimeoutMs?: number;
}

export interface WhepClientEvents {
  status: [status: WhepStatus];
  /** The tracks being received now (empty between sessions). */
  tracks: [tracks: MediaStreamTrack[]];
}

const EMPTY_STATS: PlayerStats = {
  framesDecoded: 0,
  framesDropped: 0,
  frameWidth: 0,
  frameHeight: 0,
  fps: 0,
  audioPacketsReceived: 0,
  audioTotalSamplesReceived: 0,
  audioLevel: 0,
  bitrate: 0,
  packetLoss: 0,
  rttMs: null,
  jitterBufferMs: null,
  decodeMs: null,
  delayMs: null,
  spatialLayer: null,
  temporalLayer: null,
};

interface Session {
  http: HttpMediaSession;
  tracks: MediaStreamTrack[];
  /** Bytes received so far, and when that last grew: how a silent (ended) stream shows. */
  received: { bytes: number; at: number };
  stallTimer: ReturnType<typeof setInterval> | undefined;
  /** Media flowed at some point in this session. */
  flowed: boolean;
}

export class WhepClient extends Emitter<WhepClientEvents> {
  readonly #options: Required<Omit<WhepClientOptions, 'iceServers' | 'log'>> & { iceServers: RTCIceServer[] };
  readonly #log: Log;
  readonly #sampler = new DeltaSampler();
  #session: Session | null = null;
  #epoch = 0;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #closed = false;
  /** The server said not_live and has not said otherwise since. */
  #offline = false;
  #everLive = false;
  #answeredOnce = false;
  #error: WhepStatus['error'] = null;
  #status: WhepStatus = { phase: 'connecting', error: null };

  constructor(options: WhepClientOptions) {
    super();
    this.#options = { pollIntervalMs: 3_000, stallTimeoutMs: 5_000, iceServers: [], ...options };
    this.#log = options.log ?? createLog('whep');
  }

  get status(): WhepStatus {
    return this.#status;
  }

  get tracks(): MediaStreamTrack[] {
    return [...(this.#session?.tracks ?? [])];
  }

  /** The session URL on the server, while there is one. */
  get resource(): string | null {
    return this.#session?.http.resource ?? null;
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    announce('whepClient', this);
    void this.#connect();
  }

  /** Restarts ICE now, as after a network change; the client also does so by itself on failure. */
  async restartIce(): Promise<void> {
    await this.#session?.http.restartIce();
  }

  async stats(): Promise<PlayerStats> {
    const session = this.#session;
    if (!session?.http.resource) return { ...EMPTY_STATS };
    const video = session.tracks.find((t) => t.kind === 'video');
    const audio = session.tracks.find((t) => t.kind === 'audio');
    const report = await session.http.pc.getStats();
    return {
      ...readPlayerStats(report, { videoTrackId: video?.id ?? null, audioTrackId: audio?.id ?? null }, this.#sampler),
      spatialLayer: null,
      temporalLayer: null,
    };
  }

  /** Ends the session (DELETE) and stops asking. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#epoch += 1;
    clearTimeout(this.#retryTimer);
    const session = this.#dropSession();
    this.#update();
    withdraw('whepClient', this);
    this.removeAllListeners();
    await session?.http.close();
  }

  async #connect(): Promise<void> {
    const epoch = ++this.#epoch;
    const http = new HttpMediaSession({
      endpoint: this.#options.endpoint,
      iceServers: this.#options.iceServers,
      log: this.#log,
    });
    const session: Session = {
      http,
      tracks: [],
      received: { bytes: 0, at: Date.now() },
      stallTimer: undefined,
      flowed: false,
    };
    http.pc.addTransceiver('video', { direction: 'recvonly' });
    http.pc.addTransceiver('audio', { direction: 'recvonly' });
    // Tracks arrive while the answer is applied, before the session is current.
    http.on('track', ({ track }) => {
      if (epoch !== this.#epoch) return;
      session.tracks.push(track);
      // Remote tracks unmute when their first packets arrive.
      track.addEventListener('unmute', () => this.#session === session && this.#update());
      if (this.#session !== session) return;
      this.emit('tracks', [...session.tracks]);
      this.#update();
    });
    http.on('connectionState', (state) => {
      if (this.#session !== session) return;
      if (state === 'connected') this.#watchStall(session);
      this.#update();
    });
    http.on('lost', (reason) => {
      if (this.#session === session) void this.#renew(`session lost: ${reason}`);
    });
    // Until the server answers, the page keeps showing what it showed (offline while polling).
    try {
      await http.negotiate();
      // Closed or replaced while asking: this session is nobody's.
      if (epoch !== this.#epoch) {
        void http.close();
        return;
      }
      this.#session = session;
      this.#attempt = 0;
      this.#offline = false;
      this.#error = null;
      this.#answeredOnce = true;
      this.#log.info(`session ${http.resource}`);
      if (session.tracks.length > 0) this.emit('tracks', [...session.tracks]);
      if (http.pc.connectionState === 'connected') this.#watchStall(session);
      this.#update();
    } catch (error) {
      void http.close();
      if (epoch !== this.#epoch) return;
      this.#fail(error);
    }
  }

  /** Ends the current session and asks for a new one (the stream ended, or ICE gave up). */
  async #renew(reason: string): Promise<void> {
    this.#log.info(`asking again: ${reason}`);
    this.#epoch += 1;
    const session = this.#dropSession();
    this.#update();
    await session?.http.close();
    if (this.#closed) return;
    // A stream that played has probably ended: ask at once. One that never played would only
    // fail the same way again right now.
    if (session?.flowed) await this.#connect();
    else this.#retryLater(this.#options.pollIntervalMs);
  }

  #watchStall(session: Session): void {
    if (session.stallTimer !== undefined) return;
    session.received = { bytes: 0, at: Date.now() };
    session.stallTimer = setInterval(() => void this.#checkStall(session), 1_000);
  }

  async #checkStall(session: Session): Promise<void> {
    if (this.#session !== session) return;
    let bytes = 0;
    (await session.http.pc.getStats()).forEach((stat: { type: string; bytesReceived?: number }) => {
      if (stat.type === 'inbound-rtp') bytes += stat.bytesReceived ?? 0;
    });
    if (this.#session !== session) return;
    const now = Date.now();
    if (bytes > session.received.bytes) {
      session.received = { bytes, at: now };
      if (!this.#everLive) this.#update();
    } else if (
      now - session.received.at >= this.#options.stallTimeoutMs &&
      session.http.pc.connectionState === 'connected'
    ) {
      void this.#renew(`no media for ${Math.round((now - session.received.at) / 1000)} s`);
    }
  }

  #fail(error: unknown): void {
    const code = error instanceof HttpMediaError ? error.code : 'internal';
    const message = (error as Error).message ?? String(error);
    if (code === 'not_live') {
      this.#offline = true;
      this.#error = null;
      this.#update();
      this.#retryLater(this.#options.pollIntervalMs);
      return;
    }
    if (!isRetryable(error)) {
      this.#log.warn('giving up', error);
      this.#error = { code, message };
      this.#update();
      return;
    }
    const delay = backoffDelay(this.#attempt++);
    this.#log.warn(`asking failed, again in ${delay} ms`, error);
    this.#update();
    this.#retryLater(delay);
  }

  #retryLater(delay: number): void {
    clearTimeout(this.#retryTimer);
    const epoch = this.#epoch;
    this.#retryTimer = setTimeout(() => epoch === this.#epoch && !this.#closed && void this.#connect(), delay);
  }

  #dropSession(): Session | null {
    const session = this.#session;
    if (!session) return null;
    this.#session = null;
    clearInterval(session.stallTimer);
    this.emit('tracks', []);
    return session;
  }

  #update(): void {
    const session = this.#session;
    const flowing =
      session !== null &&
      session.http.pc.connectionState === 'connected' &&
      (session.received.bytes > 0 || session.tracks.some((t) => !t.muted));
    let phase: WhepPhase;
    if (this.#closed) phase = 'closed';
    else if (this.#error) phase = 'error';
    else if (flowing) phase = 'live';
    else if (session) phase = session.flowed ? 'reconnecting' : 'starting';
    else if (this.#offline) phase = this.#everLive ? 'ended' : 'offline';
    else phase = this.#answeredOnce ? 'reconnecting' : 'connecting';
    if (flowing) {
      session.flowed = true;
      this.#everLive = true;
    }
    if (phase === this.#status.phase && this.#error === this.#status.error) return;
    this.#status = { phase, error: this.#error };
    this.emit('status', this.#status);
  }
}
