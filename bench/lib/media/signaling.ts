// A minimal client of the media signaling protocol (common/protocol/media-signaling.ts) for the
// benchmarks' own peers. It runs both in Node (the werift viewers) and in the browser (bundled into
// the benchmark page). Unlike the web app's client it never reconnects: a benchmark that loses its
// connection has failed and must say so, not hide it.
import { io, type Socket } from 'socket.io-client';
import {
  MEDIA_NAMESPACE,
  type Ack,
  type ClientToServerEvents,
  type MediaNotification,
  type MediaRequest,
  type MediaResponses,
  type ServerToClientEvents,
} from '../../../common/protocol/media-signaling.ts';

export class SignalingRequestError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    message: string,
  ) {
    super(`${method}: ${code}: ${message}`);
    this.name = 'SignalingRequestError';
  }
}

type DataOf<M extends MediaRequest['method']> = Extract<MediaRequest, { method: M }>['data'];

export class BenchSignaling {
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly #timeoutMs: number;

  private constructor(socket: Socket<ServerToClientEvents, ClientToServerEvents>, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Connects over WebSocket only (no long-polling upgrade dance: one fewer variable to measure).
   * `headers` (Node only): e.g. a session cookie and the site's Origin, as a page of the site sends them.
   */
  static connect(serverUrl: string, timeoutMs = 10_000, headers?: Record<string, string>): Promise<BenchSignaling> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${serverUrl}${MEDIA_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      timeout: timeoutMs,
      forceNew: true,
      ...(headers && { extraHeaders: headers }),
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error(`no socket.io connection to ${serverUrl} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new BenchSignaling(socket, timeoutMs));
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        socket.close();
        reject(new Error(`socket.io connection to ${serverUrl} failed: ${error.message}`));
      });
    });
  }

  request<M extends MediaRequest['method']>(method: M, data: DataOf<M>): Promise<MediaResponses[M]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SignalingRequestError(method, 'timeout', `no answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      const request = { method, data } as MediaRequest;
      this.#socket.emit('request', request, (response: Ack<unknown>) => {
        clearTimeout(timer);
        if (response.ok) resolve(response.data as MediaResponses[M]);
        else reject(new SignalingRequestError(method, response.error.code, response.error.message));
      });
    });
  }

  onNotification(listener: (notification: MediaNotification) => void): void {
    this.#socket.on('notification', listener);
  }

  /** Safe to call twice. */
  close(): void {
    this.#socket.close();
  }
}
