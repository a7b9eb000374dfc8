// The browser end of media signaling: one socket.io connection to the '/media' namespace of the
// page's origin, typed requests with an ack and a timeout, and typed notifications.
import { io, type Socket } from 'socket.io-client';
import {
  MEDIA_NAMESPACE,
  type Ack,
  type ClientToServerEvents,
  type MediaMethod,
  type MediaNotification,
  type MediaRequest,
  type MediaResponses,
  type ServerToClientEvents,
} from '../../../common/protocol/media-signaling.ts';
import { Emitter, type Unsubscribe } from './emitter.ts';

/**
 * connecting: before the first connection; requests wait for it.
 * connected: requests are sent.
 * reconnecting: the connection dropped and socket.io is retrying; requests fail at once, because
 *   the server forgot this session and whoever made them must join again anyway.
 * closed: close() was called or the server has no media signaling; nothing works any more.
 */
export type SignalingState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** A request that failed: `code` is the server's stable code (unauthorized, not_found...) or one of
 * the client's own: timeout, disconnected, closed. */
export class SignalingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

type RequestData<M extends MediaMethod> = Extract<MediaRequest, { method: M }>['data'];
type RequestArgs<M extends MediaMethod> =
  undefined extends RequestData<M> ? [data?: RequestData<M>] : [data: RequestData<M>];

export interface SignalingEvents {
  state: [state: SignalingState, detail: string | null];
  notification: [notification: MediaNotification];
}

export interface SignalingOptions {
  /** Origin of the server; the page's own by default. */
  url?: string;
  requestTimeoutMs?: number;
}

export class SignalingClient extends Emitter<SignalingEvents> {
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly #timeoutMs: number;
  /** Rejecters of requests waiting for an ack; a dropped connection fails them all at once. */
  readonly #inFlight = new Set<(error: SignalingError) => void>();
  #state: SignalingState = 'connecting';
  #detail: string | null = null;

  constructor(options: SignalingOptions = {}) {
    super();
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    const origin = options.url ?? window.location.origin;
    this.#socket = io(`${origin}${MEDIA_NAMESPACE}`, {
      // One connection per client: two players on a page must be two peers on the server.
      forceNew: true,
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.#socket.on('connect', () => this.#setState('connected', null));
    this.#socket.on('disconnect', (reason) => {
      this.#failInFlight(new SignalingError('disconnected', `The connection to the server dropped (${reason}).`));
      if (reason === 'io client disconnect') return;
      this.#setState('reconnecting', reason);
      // socket.io does not retry after the server closed the socket on purpose (for example while
      // shutting down for a restart); we do, after a pause.
      if (reason === 'io server disconnect')
        setTimeout(() => this.#state !== 'closed' && this.#socket.connect(), 1_000);
    });
    this.#socket.on('connect_error', (error) => {
      if (error.message === 'Invalid namespace') {
        // The server runs, but without media signaling: retrying cannot help.
        this.#close('This server does not run media signaling.');
        return;
      }
      this.#setState(this.#state === 'connecting' ? 'connecting' : 'reconnecting', error.message);
    });
    this.#socket.on('notification', (notification) => this.emit('notification', notification));
  }

  get state(): SignalingState {
    return this.#state;
  }

  /** Why the connection is not up, when it is not. */
  get detail(): string | null {
    return this.#detail;
  }

  onNotification(listener: (notification: MediaNotification) => void): Unsubscribe {
    return this.on('notification', listener);
  }

  onState(listener: (state: SignalingState, detail: string | null) => void): Unsubscribe {
    return this.on('state', listener);
  }

  request<M extends MediaMethod>(method: M, ...args: RequestArgs<M>): Promise<MediaResponses[M]> {
    return new Promise<MediaResponses[M]>((resolve, reject) => {
      if (this.#state === 'closed') {
        reject(new SignalingError('closed', this.#detail ?? 'The signaling connection is closed.'));
        return;
      }
      if (this.#state === 'reconnecting') {
        reject(new SignalingError('disconnected', 'Not connected to the server.'));
        return;
      }
      let settled = false;
      let stopWaiting: Unsubscribe = () => {};
      const settle = (error: SignalingError | null, data?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#inFlight.delete(fail);
        stopWaiting();
        if (error) reject(error);
        else resolve(data as MediaResponses[M]);
      };
      const fail = (error: SignalingError) => settle(error);
      const timer = setTimeout(
        () =>
          fail(
            new SignalingError('timeout', `The server did not answer '${method}' within ${this.#timeoutMs / 1000} s.`),
          ),
        this.#timeoutMs,
      );
      const send = () => {
        // The compiler cannot relate `method` and `data` through the generic; RequestArgs<M> does.
        const request = { method, data: args[0] } as MediaRequest;
        this.#socket.emit('request', request, (response: Ack<unknown>) => {
          if (response.ok) settle(null, response.data);
          else settle(new SignalingError(response.error.code, response.error.message));
        });
      };
      this.#inFlight.add(fail);
      if (this.#socket.connected) {
        send();
      } else {
        // Before the first connection only: wait for it within the same timeout.
        stopWaiting = this.onState((state) => {
          if (state === 'connected') {
            stopWaiting();
            send();
          } else if (state === 'closed') {
            fail(new SignalingError('closed', this.#detail ?? 'The signaling connection is closed.'));
          }
        });
      }
    });
  }

  /** Closes the connection; safe to call twice. */
  close(): void {
    this.#close(null);
  }

  #close(detail: string | null): void {
    if (this.#state === 'closed') return;
    this.#socket.disconnect();
    this.#failInFlight(new SignalingError('closed', detail ?? 'The signaling connection is closed.'));
    this.#setState('closed', detail);
    this.removeAllListeners();
  }

  #failInFlight(error: SignalingError): void {
    for (const fail of [...this.#inFlight]) fail(error);
  }

  #setState(state: SignalingState, detail: string | null): void {
    if (this.#state === 'closed') return;
    const changed = state !== this.#state || detail !== this.#detail;
    this.#state = state;
    this.#detail = detail;
    if (changed) this.emit('state', state, detail);
  }
}
