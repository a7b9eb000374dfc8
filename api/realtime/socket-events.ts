// How the platform's socket.io namespaces (chat, Q&A, polls) take events from one socket: at most
// so many a second (more is a broken or hostile client), one at a time in arrival order (a client
// can't race its own sends past a rule, and its answers come in the order it asked), every event
// answered through its ack with `{ ok: true, ... }` or `{ ok: false, error: problem }`, and nothing
// thrown in a handler escaping it (a 5xx is logged, its details never sent).
import type { Socket } from 'socket.io';
import { AppError, toProblem } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';

type Reply = (reply: unknown) => void;

export interface SocketEvents {
  /** Answers `event` with what `run` returns for its payload, in the socket's queue. */
  handle(event: string, run: (payload: unknown) => Promise<object>): void;
  /** Runs `work` in the socket's queue (after the events before it); its failure is logged. */
  enqueue(work: () => Promise<void>, failure: string): Promise<void>;
}

export function socketEvents(
  socket: Socket,
  options: { maxPerSecond: number; /** "chat", "Q&A", "poll" */ what: string; logger: Logger },
): SocketEvents {
  const { logger, what } = options;
  const window = new EventWindow(options.maxPerSecond);
  let queue: Promise<void> = Promise.resolve();

  const enqueue = (work: () => Promise<void>, failure: string): Promise<void> => {
    queue = queue.then(work).catch((error: unknown) => logger.error({ err: error, socket: socket.id }, failure));
    return queue;
  };

  return {
    enqueue,
    handle(event, run) {
      socket.on(event, (...args: unknown[]) => {
        // The ack is the last argument; a client may also emit with the callback alone.
        const last = args.at(-1);
        const reply: Reply = typeof last === 'function' ? (last as Reply) : () => undefined;
        const payload = typeof args[0] === 'function' ? undefined : args[0];
        if (!window.allow(Date.now())) {
          const slowDown = new AppError(429, 'rate_limited', `Too many ${what} events; slow down.`, {
            retryAfterSeconds: 1,
          });
          reply({ ok: false, error: toProblem(slowDown) });
          return;
        }
        void enqueue(
          () =>
            run(payload).then(
              (result) => reply({ ok: true, ...result }),
              (error: unknown) => {
                const problem = toProblem(error);
                if (problem.status >= 500)
                  logger.error({ err: error, event, socket: socket.id }, `${what} event failed`);
                reply({ ok: false, error: problem });
              },
            ),
          `could not answer a ${what} event`,
        );
      });
    },
  };
}

/** Counts events in one-second windows. */
class EventWindow {
  readonly #max: number;
  #windowStart = 0;
  #count = 0;

  constructor(max: number) {
    this.#max = max;
  }

  allow(now: number): boolean {
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#count = 0;
    }
    return ++this.#count <= this.#max;
  }
}
