// The body of a load process (see load-protocol.ts): joins peers with `join` as the benchmark asks,
// each twice at most as a page would retry, reports their windows and its event-loop lag, and exits
// when the parent goes away, so an interrupted benchmark never leaves load running.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LoadAnswer, LoadPeer, LoadRequest } from './load-protocol.ts';
import { startLoopbackStun } from './loopback-stun.ts';

export async function serveLoad<Join, Window>(
  name: string,
  join: (request: Join, stunUrl: string) => Promise<LoadPeer<Window>>,
): Promise<void> {
  const stun = await startLoopbackStun();
  const peers: LoadPeer<Window>[] = [];
  // Event-loop lag tells whether this process keeps up with its packets (then its counts are real).
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();

  async function add(request: Extract<LoadRequest<Join>, { type: 'add' }>): Promise<LoadAnswer<Window>> {
    const failures: string[] = [];
    const joinMs: number[] = [];
    let retries = 0;
    const joinOne = async (): Promise<void> => {
      const started = performance.now();
      peers.push(await join(request, stun.url));
      joinMs.push(performance.now() - started);
    };
    let next = 0;
    const joiner = async () => {
      while (next < request.count) {
        next++;
        try {
          await joinOne();
        } catch {
          // Once more, as the web app's pages would; a second failure counts.
          retries++;
          try {
            await joinOne();
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, joiner));
    return { id: request.id, ok: true, type: 'added', peers: peers.length, failures, retries, joinMs };
  }

  async function handle(request: LoadRequest<Join>): Promise<LoadAnswer<Window>> {
    switch (request.type) {
      case 'add':
        return add(request);
      case 'window-start':
        for (const peer of peers) peer.startWindow();
        if (request.starvePercent > 0) peers[0]?.starve?.(request.starvePercent);
        loopDelay.reset();
        return { id: request.id, ok: true, type: 'window-started' };
      case 'window-end':
        return {
          id: request.id,
          ok: true,
          type: 'window',
          windows: peers.map((peer) => peer.endWindow()),
          lagMs: loopDelay.percentile(99) / 1e6,
        };
      case 'close':
        await Promise.all(peers.splice(0).map((peer) => peer.close()));
        await stun.close();
        return { id: request.id, ok: true, type: 'closed' };
    }
  }

  const send = (answer: LoadAnswer<Window>) => process.send?.(answer);
  process.on('message', (message: LoadRequest<Join>) => {
    handle(message).then(send, (error: unknown) =>
      send({ id: message.id, ok: false, error: (error as Error).stack ?? String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  // werift reports some socket errors of closing peers as unhandled rejections; they must not kill
  // the other peers of this process, but they must not vanish either.
  process.on('unhandledRejection', (reason) =>
    process.stderr.write(`${name}: unhandled rejection: ${String(reason)}\n`),
  );
  // Loading this process (tsx, werift) takes seconds on a busy machine: the pool waits for this
  // before it starts timing its requests.
  send({ id: 0, ok: true, type: 'ready' });
}
