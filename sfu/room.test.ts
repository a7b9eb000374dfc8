// The media plane's ownership tree on real mediasoup workers: a room owns its routers and peers, a
// peer its transports, producers and consumers, and each close takes its children with it, once.
// Viewers past consumersPerRouter land on an edge router on another worker, fed through a pipe.
// No media flows: producers and consumers exist on the workers all the same.
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../tests/support/wait.ts';
import type { Peer } from './peer.ts';
import { Room } from './room.ts';
import { AUDIO_PARAMETERS, logger, roomOptions, silentLogger, startPool, VIDEO_PARAMETERS } from './sfu-test-kit.ts';
import type { WorkerPool } from './worker-pool.ts';

let pool: WorkerPool;
/** Every router the pool's workers made, by id, so a test can ask a router what it holds. */
const routers = new Map<string, ms.Router>();

beforeAll(async () => {
  pool = await startPool(2);
  for (const { worker } of pool.workers()) worker.observer.on('newrouter', (router) => routers.set(router.id, router));
});

afterAll(() => pool?.close());

async function publish(room: Room, id = 'publisher') {
  const publisher = await room.join(id, 'publisher');
  const transport = await publisher.createTransport('send');
  const video = await publisher.produce(transport.id, 'video', structuredClone(VIDEO_PARAMETERS), 'camera');
  const audio = await publisher.produce(transport.id, 'audio', structuredClone(AUDIO_PARAMETERS), 'microphone');
  // The room announces a producer once every edge router carries it.
  await waitFor(() => room.producers().length === 2, { what: 'both producers in the room' });
  return { publisher, transport, video, audio };
}

async function watch(room: Room, id: string) {
  const viewer = await room.join(id, 'viewer');
  const transport = await viewer.createTransport('recv');
  const consumers: ms.Consumer[] = [];
  for (const { producer, source } of room.producers()) {
    consumers.push(await viewer.consume(transport.id, producer.id, source, viewer.rtpCapabilities));
  }
  return { viewer, transport, consumers };
}

/** The producer ids a router holds (its own, or fed to it through a pipe). */
async function producerIdsOn(routerId: string): Promise<string[]> {
  const router = routers.get(routerId);
  if (!router) throw new Error(`no router ${routerId} seen`);
  // mediasoup 3.12's dump keys this map by producer id.
  const dump = (await router.dump()) as { mapProducerIdConsumerIds: Record<string, string[]> };
  return Object.keys(dump.mapProducerIdConsumerIds).sort();
}

describe('Room: closing', () => {
  it('closes its peers, their transports, producers and consumers, and its routers; a second close does nothing', async () => {
    const room = await Room.create(pool, roomOptions('cascade'), logger);
    const { publisher, transport: sendTransport, video, audio } = await publish(room);
    const { viewer, transport: recvTransport, consumers } = await watch(room, 'viewer-1');
    const routerIds = room.routerLoad().map((r) => r.routerId);
    const roomClosed = vi.fn();
    const peerClosed = vi.fn();
    const publisherClosed = vi.fn();
    const viewerClosed = vi.fn();
    room.on('closed', roomClosed);
    room.on('peer-closed', peerClosed);
    publisher.on('closed', publisherClosed);
    viewer.on('closed', viewerClosed);

    room.close('the stream ended');
    room.close('again');

    expect(room.closed).toBe(true);
    expect(roomClosed).toHaveBeenCalledTimes(1);
    expect(roomClosed).toHaveBeenCalledWith('the stream ended');
    expect(publisherClosed).toHaveBeenCalledTimes(1);
    expect(viewerClosed).toHaveBeenCalledTimes(1);
    expect(peerClosed.mock.calls.map(([peer]) => (peer as Peer).id).sort()).toEqual(['publisher', 'viewer-1']);
    expect([publisher.closed, viewer.closed]).toEqual([true, true]);
    expect([sendTransport.closed, recvTransport.closed]).toEqual([true, true]);
    expect([video.closed, audio.closed]).toEqual([true, true]);
    expect(consumers.map((c) => c.closed)).toEqual([true, true]);
    expect(room.peers()).toEqual([]);
    expect(room.producers()).toEqual([]);
    // Nothing of the room is left on the workers.
    const left = await Promise.all(pool.workers().map(({ worker }) => worker.dump()));
    expect(left.flatMap((dump) => dump.routerIds).filter((id) => routerIds.includes(id))).toEqual([]);
    await expect(room.join('late', 'viewer')).rejects.toThrow(/closed/);
  });

  it('a closed peer closes what it owns and the room forgets it; its consumers no longer count', async () => {
    const room = await Room.create(pool, roomOptions('peer-close'), logger);
    await publish(room);
    const { viewer, transport, consumers } = await watch(room, 'viewer-1');
    expect(room.routerLoad()[0]!.consumers).toBe(2);
    const closed = vi.fn();
    viewer.on('closed', closed);

    viewer.close();
    viewer.close();

    expect(closed).toHaveBeenCalledTimes(1);
    expect(transport.closed).toBe(true);
    expect(consumers.map((c) => c.closed)).toEqual([true, true]);
    expect(room.peer('viewer-1')).toBeUndefined();
    expect(room.routerLoad()[0]!.consumers).toBe(0);
    expect(room.closed).toBe(false);
    room.close();
  });

  it("a producer that closes leaves the room and takes its viewers' consumers with it", async () => {
    const room = await Room.create(pool, roomOptions('producer-close'), logger);
    const { video } = await publish(room);
    const { consumers } = await watch(room, 'viewer-1');
    const producerClosed = vi.fn();
    room.on('producer-closed', producerClosed);

    video.close();

    expect(producerClosed).toHaveBeenCalledWith(video.id);
    expect(room.producers().map((p) => p.source)).toEqual(['microphone']);
    const videoConsumer = consumers.find((c) => c.producerId === video.id)!;
    await waitFor(() => videoConsumer.closed, { what: 'the video consumer to close' });
    room.close();
  });

  it('closes when the worker of its router dies, saying so', async () => {
    // A pool of its own: the worker this test kills must not be one the other tests use.
    const own = await startPool(1, silentLogger);
    try {
      const room = await Room.create(own, roomOptions('worker-death'), silentLogger);
      const { publisher } = await publish(room);
      const reasons: string[] = [];
      room.on('closed', (reason) => reasons.push(reason));

      process.kill(own.workers()[0]!.worker.pid, 'SIGKILL');

      await waitFor(() => room.closed, { what: 'the room to close' });
      expect(reasons).toEqual(['media worker 0 stopped']);
      expect(publisher.closed).toBe(true);
    } finally {
      own.close();
    }
  });
});

describe('Room: placement across routers', () => {
  it('puts viewers past consumersPerRouter on an edge router of another worker, fed by a pipe', async () => {
    // Two consumers per viewer (audio and video): the origin takes two viewers.
    const room = await Room.create(pool, roomOptions('placement', { consumersPerRouter: 4 }), logger);
    const { video, audio } = await publish(room);
    await watch(room, 'viewer-1');
    await watch(room, 'viewer-2');
    expect(room.routerLoad()).toHaveLength(1);

    const third = await watch(room, 'viewer-3');

    const [origin, edge] = room.routerLoad();
    expect(origin).toMatchObject({ origin: true, consumers: 4 });
    expect(edge).toMatchObject({ origin: false, consumers: 2 });
    expect(edge!.workerIndex).not.toBe(origin!.workerIndex);
    // The edge holds the publisher's producers, under their own ids, through the pipe.
    expect(await producerIdsOn(edge!.routerId)).toEqual([video.id, audio.id].sort());
    expect(third.consumers.map((c) => c.producerId).sort()).toEqual([video.id, audio.id].sort());

    // A producer added later reaches the edge before the room announces it.
    const publisher = room.peer('publisher')!;
    const sendTransportId = (await publisher.createTransport('send')).id;
    const announced = new Promise<string[]>((resolve) =>
      room.once('producer-added', () => void producerIdsOn(edge!.routerId).then(resolve)),
    );
    const screen = await publisher.produce(
      sendTransportId,
      'video',
      { ...structuredClone(VIDEO_PARAMETERS), mid: '2', encodings: [{ ssrc: 3333 }] },
      'screen',
    );
    expect(await announced).toContain(screen.id);
    room.close();
  });

  it('queues placement, so a burst of joins past the limit opens one edge, not one each', async () => {
    const room = await Room.create(pool, roomOptions('burst', { consumersPerRouter: 2 }), logger);
    await publish(room);
    await watch(room, 'viewer-0');

    const burst = await Promise.all(['a', 'b', 'c'].map((id) => room.join(`viewer-${id}`, 'viewer')));

    expect(burst).toHaveLength(3);
    // One edge on the second worker; with every worker serving the room, the rest share the least loaded router.
    expect(room.routerLoad()).toHaveLength(2);
    expect(new Set(room.routerLoad().map((r) => r.workerIndex)).size).toBe(2);
    room.close();
  });
});
