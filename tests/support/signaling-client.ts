// A small media-signaling client for integration tests: one socket.io connection to the '/media'
// namespace, requests that resolve with the raw ack (so a test sees `{ ok: false, error }` as the
// server sent it), and every notification kept in arrival order.
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
} from '../../common/protocol/media-signaling.ts';
import { waitFor } from './wait.ts';

type RequestData<M extends MediaMethod> = Extract<MediaRequest, { method: M }>['data'];
type NotificationData<M extends MediaNotification['method']> = Extract<MediaNotification, { method: M }>['data'];

export class TestSignalingClient {
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly #ackTimeoutMs: number;
  /** Every notification received, oldest first. */
  readonly notifications: MediaNotification[] = [];

  /** Connects and waits for the connection; rejects when the server refuses or does not answer in time. */
  static async connect(
    baseUrl: string,
    {
      timeoutMs = 10_000,
      ackTimeoutMs = 10_000,
      headers,
    }: {
      timeoutMs?: number;
      ackTimeoutMs?: number;
      /** e.g. a browser page's cookie and origin. */ headers?: Record<string, string>;
    } = {},
  ): Promise<TestSignalingClient> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${baseUrl}${MEDIA_NAMESPACE}`, {
      forceNew: true,
      transports: ['websocket'],
      reconnection: false,
      timeout: timeoutMs,
      ...(headers ? { extraHeaders: headers } : {}),
    });
    const client = new TestSignalingClient(socket, ackTimeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no connection to ${baseUrl}${MEDIA_NAMESPACE} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('connect_error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    } catch (error) {
      socket.disconnect();
      throw error;
    }
    return client;
  }

  private constructor(socket: Socket<ServerToClientEvents, ClientToServerEvents>, ackTimeoutMs: number) {
    this.#socket = socket;
    this.#ackTimeoutMs = ackTimeoutMs;
    socket.on('notification', (notification) => this.notifications.push(notification));
  }

  /** The server's id for this connection (the prefix of its peer ids). */
  get id(): string | undefined {
    return this.#socket.id;
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Sends a well-typed request and resolves with the ack, whether it reports success or an error. */
  request<M extends MediaMethod>(method: M, data: RequestData<M>): Promise<Ack<MediaResponses[M]>> {
    return this.send({ method, data }) as Promise<Ack<MediaResponses[M]>>;
  }

  /** Sends a request and returns its data; throws with the server's code and message on an error ack. */
  async ok<M extends MediaMethod>(method: M, data: RequestData<M>): Promise<MediaResponses[M]> {
    const ack = await this.request(method, data);
    if (!ack.ok) throw new Error(`'${method}' failed: ${ack.error.code}: ${ack.error.message}`);
    return ack.data;
  }

  /** Sends anything as a request, for the malformed and hostile cases. */
  send(payload: unknown): Promise<Ack<unknown>> {
    const socket = this.#socket as unknown as Socket;
    return socket.timeout(this.#ackTimeoutMs).emitWithAck('request', payload) as Promise<Ack<unknown>>;
  }

  notificationsOf<M extends MediaNotification['method']>(method: M): NotificationData<M>[] {
    return this.notifications
      .filter((n): n is Extract<MediaNotification, { method: M }> => n.method === method)
      .map((n) => n.data as NotificationData<M>);
  }

  /** Waits for a notification of `method` whose data satisfies `matches` (including ones already received). */
  async waitForNotification<M extends MediaNotification['method']>(
    method: M,
    matches: (data: NotificationData<M>) => boolean = () => true,
    { timeoutMs = 10_000 } = {},
  ): Promise<NotificationData<M>> {
    // Boxed, so a notification whose data is falsy still counts as found.
    const found = await waitFor(
      () => {
        const list = this.notificationsOf(method);
        const index = list.findIndex(matches);
        return index >= 0 ? { data: list[index]! } : undefined;
      },
      { timeoutMs, what: `a '${method}' notification` },
    );
    return found.data;
  }

  /** Disconnects; safe to call twice. */
  close(): void {
    this.#socket.disconnect();
  }
}
