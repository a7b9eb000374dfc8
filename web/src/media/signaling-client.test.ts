// The client against a real socket.io server speaking the '/media' protocol.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../common/protocol/media-signaling.ts';
import { SignalingClient, SignalingError, type SignalingState } from './signaling-client.ts';

type ServerSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

let http: HttpServer | undefined;
let io: Server | undefined;
let client: SignalingClient | undefined;

afterEach(async () => {
  client?.close();
  io?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  http = io = client = undefined;
});

async function serve(onSocket: (socket: ServerSocket) => void, namespace = '/media'): Promise<string> {
  http = createServer();
  io = new Server(http);
  io.of(namespace).on('connection', onSocket);
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

function waitForState(c: SignalingClient, wanted: SignalingState): Promise<void> {
  return new Promise((resolve) => {
    if (c.state === wanted) return resolve();
    const stop = c.onState((state) => {
      if (state === wanted) {
        stop();
        resolve();
      }
    });
  });
}

describe('SignalingClient', () => {
  it('resolves a request with the data of an ok ack, sent once connected', async () => {
    const url = await serve((socket) =>
      socket.on('request', (request, ack) => ack({ ok: true, data: { echoed: request.method, data: request.data } })),
    );
    client = new SignalingClient({ url });
    // Sent before the connection is up: it waits for it.
    const answer = await client.request('join', { role: 'viewer', channel: 'demo' });
    expect(answer).toEqual({ echoed: 'join', data: { role: 'viewer', channel: 'demo' } });
    expect(client.state).toBe('connected');
  });

  it('rejects with the server code on an error ack', async () => {
    const url = await serve((socket) =>
      socket.on('request', (_request, ack) => ack({ ok: false, error: { code: 'unauthorized', message: 'bad key' } })),
    );
    client = new SignalingClient({ url });
    const error = await client.request('join', { role: 'publisher', streamKey: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalingError);
    expect(error).toMatchObject({ code: 'unauthorized', message: 'bad key' });
  });

  it('times out a request nobody answers', async () => {
    const url = await serve(() => undefined);
    client = new SignalingClient({ url, requestTimeoutMs: 300 });
    await expect(client.request('leave')).rejects.toMatchObject({ code: 'timeout' });
  });

  it('delivers notifications', async () => {
    const url = await serve((socket) =>
      socket.emit('notification', { method: 'mediaReset', data: { reason: 'worker died' } }),
    );
    client = new SignalingClient({ url });
    const notification = await new Promise((resolve) => client!.onNotification(resolve));
    expect(notification).toEqual({ method: 'mediaReset', data: { reason: 'worker died' } });
  });

  it('fails requests in flight when the connection drops, then reconnects by itself', async () => {
    let connections = 0;
    const url = await serve((socket) => {
      connections += 1;
      socket.on('request', (request) => {
        // Drop the connection instead of answering the first session's request.
        if (request.method === 'leave') socket.conn.close();
      });
    });
    client = new SignalingClient({ url });
    await waitForState(client, 'connected');
    await expect(client.request('leave')).rejects.toMatchObject({ code: 'disconnected' });
    // While the connection is down, requests fail at once instead of going to a later session.
    if (client.state === 'reconnecting')
      await expect(client.request('leave')).rejects.toMatchObject({ code: 'disconnected' });
    await waitForState(client, 'connected');
    expect(connections).toBe(2);
  });

  it('closes for good when the server has no media namespace', async () => {
    const url = await serve(() => undefined, '/other');
    client = new SignalingClient({ url });
    await waitForState(client, 'closed');
    expect(client.detail).toMatch(/does not run media signaling/);
    await expect(client.request('leave')).rejects.toMatchObject({ code: 'closed' });
  });
});
