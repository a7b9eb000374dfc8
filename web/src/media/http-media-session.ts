// One WHIP or WHEP session: an RTCPeerConnection negotiated by a single HTTP POST of the complete
// offer (RFC 9725), and the session resource the server answers with. It keeps ICE alive by
// itself: a failed or long-disconnected connection gets an ICE restart over PATCH; when restarts
// do not help, or the server dropped the session, it says so with `lost` and its owner starts a
// new session. close() DELETEs the resource.
import { Emitter } from './emitter.ts';
import { errorFromResponse, HttpMediaError } from './http-media-error.ts';
import {
  applyRestartFragment,
  buildRestartFragment,
  parseIceFragment,
  parseLinkIceServers,
  withStereoOpus,
} from './http-media-sdp.ts';
import type { Log } from './log.ts';

const SDP = 'application/sdp';
const TRICKLE = 'application/trickle-ice-sdpfrag';

export interface HttpMediaSessionOptions {
  /** The WHIP endpoint, or the WHEP endpoint of a channel; relative to the page is fine. */
  endpoint: string;
  /** Sent as `Authorization: Bearer` with every request (WHIP's stream key). */
  token?: string | null;
  iceServers?: RTCIceServer[];
  log: Log;
  /** The offer goes out when ICE gathering completes, or after this long with what it has. */
  gatherTimeoutMs?: number;
  requestTimeoutMs?: number;
  disconnectedGraceMs?: number;
  /** How long one ICE restart may take before the next one. */
  restartTimeoutMs?: number;
  maxRestarts?: number;
}

export interface HttpMediaSessionEvents {
  connectionState: [state: RTCPeerConnectionState];
  track: [event: RTCTrackEvent];
  /** ICE restarts did not bring the connection back, or the server ended the session. */
  lost: [reason: string];
}

export class HttpMediaSession extends Emitter<HttpMediaSessionEvents> {
  readonly pc: RTCPeerConnection;
  readonly #options: Required<Omit<HttpMediaSessionOptions, 'token' | 'iceServers'>> & { token: string | null };
  readonly #log: Log;
  /** Aborts requests in flight when the session closes. */
  readonly #abort = new AbortController();
  #resource: string | null = null;
  #etag: string | null = null;
  #answer: string | null = null;
  #linkIceServers: RTCIceServer[] = [];
  #closed = false;
  #lost = false;
  #takenOver = false;
  #restarts = 0;
  #restarting = false;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(options: HttpMediaSessionOptions) {
    super();
    this.#options = {
      gatherTimeoutMs: 1_000,
      requestTimeoutMs: 10_000,
      disconnectedGraceMs: 2_000,
      restartTimeoutMs: 8_000,
      maxRestarts: 3,
      ...options,
      token: options.token ?? null,
    };
    this.#log = options.log;
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers ?? [],
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    this.pc.addEventListener('connectionstatechange', this.#onConnectionState);
    this.pc.addEventListener('track', this.#onTrack);
  }

  /** The session's URL once the server created it. */
  /**
   * The server said (409 taken_over, to an ICE restart or the DELETE) that another publisher took
   * the channel over, which ended this session: publishing again would take it back.
   */
  get takenOver(): boolean {
    return this.#takenOver;
  }

  get resource(): string | null {
    return this.#resource;
  }

  /** The ETag of the current ICE session (it changes with each ICE restart). */
  get etag(): string | null {
    return this.#etag;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** STUN/TURN servers the server advertised in Link headers; used from the next ICE restart on. */
  get iceServers(): RTCIceServer[] {
    return this.#linkIceServers;
  }

  /** Sends the offer for the transceivers added so far and applies the answer. */
  async negotiate(): Promise<void> {
    if (this.#resource) throw new Error('A session negotiates once.');
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription({ type: 'offer', sdp: withStereoOpus(offer.sdp ?? '') });
    await this.#gathered();
    // Not aborted by close(): a session the server created must be deleted, so wait for its URL.
    const response = await this.#request(
      this.#options.endpoint,
      { method: 'POST', headers: { 'content-type': SDP, accept: SDP }, body: this.pc.localDescription!.sdp },
      { abortOnClose: false },
    );
    if (response.status !== 201 && !response.ok) throw await errorFromResponse(response);
    const location = response.headers.get('location');
    if (!location)
      throw new HttpMediaError('bad_response', 'The server created no session (no Location header).', response.status);
    this.#resource = new URL(location, new URL(this.#options.endpoint, window.location.href)).href;
    this.#etag = response.headers.get('etag');
    this.#linkIceServers = parseLinkIceServers(response.headers.get('link'));
    const answer = await response.text();
    // Closed while the POST was on the wire: the server has a session nobody will use.
    if (this.#closed) {
      void this.#delete(this.#resource);
      throw new HttpMediaError('closed', 'The session was closed.');
    }
    this.#answer = answer;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    // The server closing its side (DTLS close_notify) ends the session as surely as a failure.
    const dtls = this.pc.getTransceivers().find((t) => t.receiver.transport)?.receiver.transport;
    dtls?.addEventListener('statechange', () => {
      if (dtls.state === 'closed' || dtls.state === 'failed') this.#loseSession(`DTLS ${dtls.state}`);
    });
  }

  /**
   * Restarts ICE (RFC 9725 section 4.4.2): new local credentials to the server in a PATCH with
   * `If-Match: "*"`, the server's new credentials into a remote description rebuilt from the answer.
   */
  async restartIce(): Promise<void> {
    const resource = this.#resource;
    if (!resource || !this.#answer || this.#closed) return;
    if (this.#linkIceServers.length > 0) {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: this.#linkIceServers });
    }
    // (Stereo again: a description without it would turn the decoder back to mono.)
    const restart = await this.pc.createOffer({ iceRestart: true });
    await this.pc.setLocalDescription({ type: 'offer', sdp: withStereoOpus(restart.sdp ?? '') });
    try {
      await this.#gathered();
      const response = await this.#request(resource, {
        method: 'PATCH',
        headers: { 'content-type': TRICKLE, 'if-match': '*' },
        body: buildRestartFragment(this.pc.localDescription!.sdp),
      });
      if (!response.ok) throw await errorFromResponse(response);
      if (response.status !== 200)
        throw new HttpMediaError('restart_unsupported', 'The server did not restart ICE.', response.status);
      const sdp = applyRestartFragment(this.#answer, parseIceFragment(await response.text()));
      this.#etag = response.headers.get('etag') ?? this.#etag;
      if (this.#closed) return;
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
      this.#answer = sdp;
    } catch (error) {
      if (this.pc.signalingState === 'have-local-offer')
        await this.pc.setLocalDescription({ type: 'rollback' }).catch(() => undefined);
      throw error;
    }
  }

  /** Ends the session on the server (DELETE) and closes the connection. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimers();
    this.#abort.abort();
    this.removeAllListeners();
    this.pc.removeEventListener('connectionstatechange', this.#onConnectionState);
    this.pc.removeEventListener('track', this.#onTrack);
    // DELETE before closing: a vanished connection would make the server wait for it to come back.
    if (this.#resource) await this.#delete(this.#resource);
    this.pc.close();
  }

  readonly #onTrack = (event: RTCTrackEvent): void => {
    this.emit('track', event);
  };

  readonly #onConnectionState = (): void => {
    if (this.#closed) return;
    const state = this.pc.connectionState;
    this.emit('connectionState', state);
    switch (state) {
      case 'connected':
        this.#restarts = 0;
        this.#clearTimers();
        break;
      case 'disconnected':
        clearTimeout(this.#graceTimer);
        this.#graceTimer = setTimeout(() => void this.#recover('disconnected'), this.#options.disconnectedGraceMs);
        break;
      case 'failed':
        void this.#recover('failed');
        break;
      case 'new':
      case 'connecting':
      case 'closed':
        break;
    }
  };

  async #recover(reason: string): Promise<void> {
    if (this.#closed || this.#lost || this.#restarting || this.pc.connectionState === 'connected') return;
    if (this.#restarts >= this.#options.maxRestarts) {
      this.#loseSession(`ICE did not recover after ${this.#restarts} restarts (${reason})`);
      return;
    }
    this.#restarts += 1;
    this.#restarting = true;
    this.#log.warn(`ICE ${reason}: restart ${this.#restarts} of ${this.#options.maxRestarts}`);
    try {
      await this.restartIce();
    } catch (error) {
      this.#log.warn('ICE restart failed', error);
      if (error instanceof HttpMediaError && error.code === 'taken_over') this.#takenOver = true;
      // The server forgot the session (it timed out, or the stream was taken over): start over.
      if (
        error instanceof HttpMediaError &&
        (error.status === 404 ||
          error.status === 403 ||
          error.code === 'taken_over' ||
          error.code === 'restart_unsupported')
      ) {
        this.#loseSession(`ICE restart refused: ${error.code}`);
        return;
      }
    } finally {
      this.#restarting = false;
    }
    if (this.#closed) return;
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(
      () => void this.#recover(`still ${this.pc.connectionState}`),
      this.#options.restartTimeoutMs,
    );
  }

  #loseSession(reason: string): void {
    if (this.#closed || this.#lost) return;
    this.#lost = true;
    this.#clearTimers();
    this.#log.warn(`session lost: ${reason}`);
    this.emit('lost', reason);
  }

  /** Resolves when ICE gathering completes, or after gatherTimeoutMs. */
  #gathered(): Promise<void> {
    const pc = this.pc;
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', onChange);
        resolve();
      };
      const onChange = () => pc.iceGatheringState === 'complete' && done();
      const timer = setTimeout(done, this.#options.gatherTimeoutMs);
      pc.addEventListener('icegatheringstatechange', onChange);
    });
  }

  async #request(
    url: string,
    init: RequestInit & { headers: Record<string, string> },
    { abortOnClose = true }: { abortOnClose?: boolean } = {},
  ): Promise<Response> {
    const headers = {
      ...init.headers,
      ...(this.#options.token ? { authorization: `Bearer ${this.#options.token}` } : {}),
    };
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    if (abortOnClose) this.#abort.signal.addEventListener('abort', onAbort);
    const timer = setTimeout(() => controller.abort(), this.#options.requestTimeoutMs);
    try {
      return await fetch(url, { ...init, headers, signal: controller.signal, cache: 'no-store' });
    } catch (error) {
      if (abortOnClose && this.#abort.signal.aborted) throw new HttpMediaError('closed', 'The session was closed.');
      if (controller.signal.aborted) throw new HttpMediaError('timeout', "The server didn't answer in time.");
      throw new HttpMediaError('network', `Can't reach the server: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      this.#abort.signal.removeEventListener('abort', onAbort);
    }
  }

  /** DELETEs the session; failures are logged (the server also ends sessions whose peer vanished). */
  async #delete(resource: string): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 2_000);
    try {
      const response = await fetch(resource, {
        method: 'DELETE',
        headers: this.#options.token ? { authorization: `Bearer ${this.#options.token}` } : {},
        // Survives the page going away, so closing the tab ends the stream at once.
        keepalive: true,
        signal: controller.signal,
      });
      if (response.status === 409 && (await errorFromResponse(response)).code === 'taken_over') this.#takenOver = true;
      else if (!response.ok && response.status !== 404)
        this.#log.warn(`DELETE ${resource} answered ${response.status}`);
    } catch (error) {
      this.#log.warn(`DELETE ${resource} failed`, error);
    } finally {
      clearTimeout(timer);
    }
  }

  #clearTimers(): void {
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#watchdog);
    this.#graceTimer = undefined;
    this.#watchdog = undefined;
  }
}
