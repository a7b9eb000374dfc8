// What a process must stop when it shuts down, stopped newest first: a service is stopped before
// what it was built on (streams end before their rooms, rooms before the workers, everything
// before the database). A failure is logged and the rest still run.
import type { Logger } from '../common/logger.ts';

export type Closer = () => Promise<void> | void;

export class Closers {
  readonly #closers: Closer[] = [];
  readonly #logger: Logger;
  #closing: Promise<void> | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  add(close: Closer): void {
    this.#closers.push(close);
  }

  /** Stops everything added, newest first; safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const close of this.#closers.splice(0).reverse()) {
        try {
          await close();
        } catch (error) {
          this.#logger.error({ err: error }, 'error while shutting down');
        }
      }
    })();
    return this.#closing;
  }
}

/** What a role builder hands back: what it exposes, and how to stop what it started. */
export type Started<T> = T & { close(): Promise<void> };

/**
 * Runs a role's builder with closers of its own. If building fails half way, what was already
 * built is stopped before the error goes on, so a failed start leaves no worker or port behind.
 */
export async function startRole<T extends object>(
  logger: Logger,
  build: (closers: Closers) => Promise<T>,
): Promise<Started<T>> {
  const closers = new Closers(logger);
  try {
    const built = await build(closers);
    return Object.assign(built, { close: () => closers.close() });
  } catch (error) {
    await closers.close();
    throw error;
  }
}
