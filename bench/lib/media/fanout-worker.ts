// A viewer process of the fan-out benchmark: hosts many werift viewers and answers the
// benchmark's requests (fanout-protocol.ts) over IPC. It exits when the parent goes away, so an
// interrupted benchmark never leaves load running.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { WorkerAnswer, WorkerRequest } from './fanout-protocol.ts';
import { startLoopbackStun } from './loopback-stun.ts';
import { WeriftViewer } from './werift-viewer.ts';

const stun = await startLoopbackStun();

const viewers: WeriftViewer[] = [];
// Event-loop lag tells whether this process keeps up with its packets (then its counts are real).
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

function send(answer: WorkerAnswer): void {
  process.send?.(answer);
}

async function handle(request: WorkerRequest): Promise<WorkerAnswer> {
  switch (request.type) {
    case 'add': {
      const failures: string[] = [];
      const joinMs: number[] = [];
      let retries = 0;
      const join = async (): Promise<void> => {
        const started = performance.now();
        viewers.push(
          await WeriftViewer.join({
            serverUrl: request.serverUrl,
            channel: request.channel,
            audio: request.audio,
            bwe: request.bwe,
            receive: request.receive,
            timeoutMs: request.timeoutMs,
            stunUrl: stun.url,
          }),
        );
        joinMs.push(performance.now() - started);
      };
      let next = 0;
      const worker = async () => {
        while (next < request.count) {
          next++;
          try {
            await join();
          } catch {
            // Once more, as the web player would; a second failure counts.
            retries++;
            try {
              await join();
            } catch (error) {
              failures.push((error as Error).message);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, worker));
      return { id: request.id, ok: true, type: 'added', viewers: viewers.length, failures, retries, joinMs };
    }
    case 'window-start':
      for (const viewer of viewers) viewer.startWindow();
      if (request.starvePercent > 0) viewers[0]?.starve(request.starvePercent);
      loopDelay.reset();
      return { id: request.id, ok: true, type: 'window-started' };
    case 'window-end':
      return {
        id: request.id,
        ok: true,
        type: 'window',
        viewers: viewers.map((v) => v.endWindow()),
        lagMs: loopDelay.percentile(99) / 1e6,
      };
    case 'close':
      await Promise.all(viewers.splice(0).map((v) => v.close()));
      await stun.close();
      return { id: request.id, ok: true, type: 'closed' };
  }
}

process.on('message', (message: WorkerRequest) => {
  handle(message).then(send, (error: unknown) =>
    send({ id: message.id, ok: false, error: (error as Error).stack ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
// werift reports some socket errors of closing peers as unhandled rejections; they must not kill
// the other viewers of this process, but they must not vanish either.
process.on('unhandledRejection', (reason) =>
  process.stderr.write(`fanout-worker: unhandled rejection: ${String(reason)}\n`),
);
