// A WHIP client (RFC 9725): publishes one video and one audio track to a WHIP endpoint with a
// bearer token, over fetch and RTCPeerConnection. The offer goes out complete (no trickle), which
// suits an ICE-lite server. A camera is sent as three simulcast layers, a screen as two. It keeps
// the stream up by itself: ICE restarts over PATCH, and a new session when the old one is lost or
// the server was briefly unreachable. stop() DELETEs the session, which ends the stream at once.
import { backoffDelay } from './backoff.ts';
import { Emitter } from './emitter.ts';
import { HttpMediaError, isRetryable } from './http-media-error.ts';
import { HttpMediaSession } from './http-media-session.ts';
import { createLog, type Log } from './log.ts';
import { announce, withdraw } from './page-media.ts';
import { cameraLayers, screenLayers } from './simulcast.ts';
import { DeltaSampler, readPublisherStats, type PublisherStats } from './stats.ts';

declare module './page-media.ts' {
  interface PageMedia {
    /** The studio's WHIP client. */
    whipClient: WhipClient;
  }
}

export type WhipPhase = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stopped' | 'error';

export interface WhipStatus {
  phase: WhipPhase;
  /** Why phase is 'error'; while reconnecting, the last failure. */
  error: { code: string; message: string } | null;
  /** The session URL on the server, while there is one. */
  resource: string | null;
}

export interface WhipMedia {
  video?: MediaStreamTrack | null;
  /** 'camera' is sent as three simulcast layers, 'screen' as two, 'plain' as one. */
  videoSource?: 'camera' | 'screen' | 'plain';
  audio?: MediaStreamTrack | null;
}

export interface WhipClientOptions {
  /** The WHIP endpoint, e.g. `/api/whip`. */
  endpoint: string;
  /** The bearer token: the stream key. */
  token: string;
  iceServers?: RTCIceServer[];
  log?: Log;
}

export interface WhipClientEvents {
  status: [status: WhipStatus];
}

type Kind = 'audio' | 'video';

export class WhipClient extends Emitter<WhipClientEvents> {
  readonly #options: WhipClientOptions;
  readonly #log: Log;
  readonly #sampler = new DeltaSampler();
  /** The tracks to send; a new session sends what is here. */
  readonly #tracks = new Map<Kind, MediaStreamTrack | null>();
  #videoSource: WhipMedia['videoSource'] = 'plain';
  #session: HttpMediaSession | null = null;
  #senders = new Map<Kind, RTCRtpSender>();
  /** Every session attempt gets a new epoch; a stale attempt drops its result. */
  #epoch = 0;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #everLive = false;
  #status: WhipStatus = { phase: 'idle', error: null, resource: null };

  constructor(options: WhipClientOptions) {
    super();
    this.#options = options;
    this.#log = options.log ?? createLog('whip');
  }

  get status(): WhipStatus {
    return this.#status;
  }

  /**
   * Starts publishing. Resolves once media flows to the server; rejects with an HttpMediaError when
   * the server refuses for good (unauthorized, already_live...). Until stop(), it keeps trying.
   */
  start(media: WhipMedia): Promise<void> {
    if (this.#status.phase !== 'idle') return Promise.reject(new Error('A WHIP client starts once; make a new one.'));
    // WHIP has no renegotiation: the kinds sent are fixed now; their tracks can still be replaced.
    if (media.video) this.#tracks.set('video', media.video);
    if (media.audio) this.#tracks.set('audio', media.audio);
    if (this.#tracks.size === 0)
      return Promise.reject(new HttpMediaError('no_media', 'Nothing to publish: no audio or video track.'));
    this.#videoSource = media.videoSource ?? 'plain';
    announce('whipClient', this);
    const outcome = new Promise<void>((resolve, reject) => {
      const stopListening = this.on('status', (status) => {
        if (status.phase === 'live') resolve();
        else if (status.phase === 'error')
          reject(new HttpMediaError(status.error?.code ?? 'internal', status.error?.message ?? 'Failed.'));
        else if (status.phase === 'stopped') reject(new HttpMediaError('closed', 'Stopped before going live.'));
        else return;
        stopListening();
      });
    });
    this.#setStatus({ phase: 'connecting' });
    void this.#connect();
    return outcome;
  }

  /** Sends `track` instead of the current one of its kind (a switched camera, a screen share). */
  async replaceTrack(kind: Kind, track: MediaStreamTrack | null): Promise<void> {
    if (!this.#tracks.has(kind)) {
      if (track) this.#log.warn(`not sending ${kind}: it was not there when the stream started`);
      return;
    }
    this.#tracks.set(kind, track);
    await this.#senders.get(kind)?.replaceTrack(track);
  }

  /** Restarts ICE now, as after a network change; the client also does so by itself on failure. */
  async restartIce(): Promise<void> {
    await this.#session?.restartIce();
  }

  /** Outgoing media now; null while no session is up. */
  async stats(): Promise<PublisherStats | null> {
    const session = this.#session;
    if (!session?.resource) return null;
    const report = await session.pc.getStats();
    return readPublisherStats(report, this.#senders.get('video')?.track?.id ?? null, this.#sampler);
  }

  /** Ends the stream (DELETE) and closes everything. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#status.phase === 'stopped') return;
    this.#epoch += 1;
    clearTimeout(this.#retryTimer);
    const session = this.#session;
    this.#session = null;
    this.#senders = new Map();
    await session?.close();
    this.#setStatus({ phase: 'stopped', resource: null });
    withdraw('whipClient', this);
    this.removeAllListeners();
  }

  async #connect(): Promise<void> {
    const epoch = ++this.#epoch;
    const session = new HttpMediaSession({
      endpoint: this.#options.endpoint,
      token: this.#options.token,
      iceServers: this.#options.iceServers,
      log: this.#log,
    });
    this.#session = session;
    session.on('connectionState', () => this.#updatePhase());
    session.on('lost', (reason) => {
      if (epoch !== this.#epoch) return;
      this.#log.warn(`starting a new session: ${reason}`);
      this.#setStatus({ phase: 'reconnecting', error: { code: 'disconnected', message: reason } });
      void this.#replaceSession();
    });
    try {
      this.#senders = this.#addTransceivers(session.pc);
      await session.negotiate();
      // A newer attempt or stop() took over, and closes this session.
      if (epoch !== this.#epoch) return;
      this.#log.info(`session ${session.resource}`);
      this.#attempt = 0;
      this.#setStatus({ resource: session.resource });
      this.#updatePhase();
    } catch (error) {
      if (epoch !== this.#epoch) return;
      this.#session = null;
      void session.close();
      this.#fail(error);
    }
  }

  #addTransceivers(pc: RTCPeerConnection): Map<Kind, RTCRtpSender> {
    const senders = new Map<Kind, RTCRtpSender>();
    const tracks = [...this.#tracks.values()].filter((t): t is MediaStreamTrack => t !== null);
    // One stream id for both tracks: players keep them in sync.
    const stream = new MediaStream(tracks);
    if (this.#tracks.has('video')) {
      const track = this.#tracks.get('video') ?? 'video';
      const layers =
        this.#videoSource === 'camera' ? cameraLayers() : this.#videoSource === 'screen' ? screenLayers() : null;
      let transceiver: RTCRtpTransceiver;
      try {
        transceiver = pc.addTransceiver(track, {
          direction: 'sendonly',
          streams: [stream],
          ...(layers ? { sendEncodings: layers } : {}),
        });
      } catch (error) {
        // A browser without scalabilityMode in sendEncodings: the same layers, without temporal ones.
        this.#log.warn('simulcast with temporal layers refused; sending plain layers', error);
        const plain = layers?.map(({ scalabilityMode: _mode, ...layer }) => layer);
        transceiver = pc.addTransceiver(track, {
          direction: 'sendonly',
          streams: [stream],
          ...(plain ? { sendEncodings: plain } : {}),
        });
      }
      senders.set('video', transceiver.sender);
    }
    if (this.#tracks.has('audio')) {
      const track = this.#tracks.get('audio') ?? 'audio';
      senders.set('audio', pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] }).sender);
    }
    return senders;
  }

  /**
   * Drops the current session (DELETE, so the server does not wait for it) and opens a new one,
   * unless the server says another publisher took the channel over.
   */
  async #replaceSession(): Promise<void> {
    const epoch = ++this.#epoch;
    const old = this.#session;
    this.#session = null;
    this.#senders = new Map();
    await old?.close();
    if (epoch !== this.#epoch) return;
    if (old?.takenOver) {
      // Another encoder (or tab) publishes with this key now. Publishing again would take the
      // channel back, and it would do the same: stop here and say why.
      this.#log.warn('another publisher took the channel over; stopping');
      this.#setStatus({
        phase: 'error',
        error: { code: 'taken_over', message: 'Another publisher took this channel over.' },
        resource: null,
      });
      return;
    }
    await this.#connect();
  }

  #fail(error: unknown): void {
    const code = error instanceof HttpMediaError ? error.code : 'internal';
    const message = (error as Error).message ?? String(error);
    // Our own previous session, still on the server until it notices we are gone: wait it out.
    const ownLeftover = this.#everLive && code === 'already_live';
    if (!isRetryable(error) && !ownLeftover) {
      this.#log.warn('giving up', error);
      this.#setStatus({ phase: 'error', error: { code, message }, resource: null });
      return;
    }
    const delay = backoffDelay(this.#attempt++);
    this.#log.warn(`publishing failed, retrying in ${delay} ms`, error);
    this.#setStatus({
      phase: this.#everLive ? 'reconnecting' : 'connecting',
      error: { code, message },
      resource: null,
    });
    const epoch = this.#epoch;
    this.#retryTimer = setTimeout(() => epoch === this.#epoch && void this.#connect(), delay);
  }

  #updatePhase(): void {
    const session = this.#session;
    if (!session?.resource || this.#status.phase === 'stopped' || this.#status.phase === 'error') return;
    if (session.pc.connectionState === 'connected') {
      this.#everLive = true;
      this.#setStatus({ phase: 'live', error: null });
    } else {
      this.#setStatus({ phase: this.#everLive ? 'reconnecting' : 'connecting' });
    }
  }

  #setStatus(change: Partial<WhipStatus>): void {
    if (this.#status.phase === 'stopped') return;
    const next = { ...this.#status, ...change };
    const same = (Object.keys(next) as (keyof WhipStatus)[]).every((key) => next[key] === this.#status[key]);
    if (same) return;
    this.#status = next;
    this.emit('status', next);
  }
}
