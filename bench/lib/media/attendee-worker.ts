// An attendee process of the webinar-attendees-per-core benchmark: hosts many werift attendees and
// answers the benchmark's requests (attendee-protocol.ts) over IPC. It exits when the parent goes
// away, so an interrupted benchmark never leaves load running.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AttendeeAnswer, AttendeeRequest } from './attendee-protocol.ts';
import { startLoopbackStun } from './loopback-stun.ts';
import { WeriftAttendee } from './werift-attendee.ts';

const stun = await startLoopbackStun();
const attendees: WeriftAttendee[] = [];
// Event-loop lag tells whether this process keeps up with its packets (then its counts are real).
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

async function handle(request: AttendeeRequest): Promise<AttendeeAnswer> {
  switch (request.type) {
    case 'add': {
      const failures: string[] = [];
      const joinMs: number[] = [];
      let retries = 0;
      const join = async (): Promise<void> => {
        const started = performance.now();
        attendees.push(
          await WeriftAttendee.join({
            serverUrl: request.serverUrl,
            webinar: request.webinar,
            timeoutMs: request.timeoutMs,
            stunUrl: stun.url,
          }),
        );
        joinMs.push(performance.now() - started);
      };
      let next = 0;
      const joiner = async () => {
        while (next < request.count) {
          next++;
          try {
            await join();
          } catch {
            // Once more, as the web app's page would; a second failure counts.
            retries++;
            try {
              await join();
            } catch (error) {
              failures.push((error as Error).message);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, joiner));
      return { id: request.id, ok: true, type: 'added', attendees: attendees.length, failures, retries, joinMs };
    }
    case 'window-start':
      for (const attendee of attendees) attendee.startWindow();
      loopDelay.reset();
      return { id: request.id, ok: true, type: 'window-started' };
    case 'window-end':
      return {
        id: request.id,
        ok: true,
        type: 'window',
        attendees: attendees.map((a) => a.endWindow()),
        lagMs: loopDelay.percentile(99) / 1e6,
      };
    case 'close':
      await Promise.all(attendees.splice(0).map((a) => a.close()));
      await stun.close();
      return { id: request.id, ok: true, type: 'closed' };
  }
}

process.on('message', (message: AttendeeRequest) => {
  handle(message).then(
    (answer) => process.send?.(answer),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: (error as Error).stack ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
// Loading this process (tsx, werift) takes seconds on a busy machine: the pool waits for this before
// it starts timing its requests.
process.send?.({ id: 0, ok: true, type: 'ready' } satisfies AttendeeAnswer);
// werift reports some socket errors of closing peers as unhandled rejections; they must not kill
// the other attendees of this process, but they must not vanish either.
process.on('unhandledRejection', (reason) =>
  process.stderr.write(`attendee-worker: unhandled rejection: ${String(reason)}\n`),
);
