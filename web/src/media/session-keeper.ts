// The part Publisher and Player share: keep one media session joined. It joins when signaling
// connects, joins again after a reconnect, a `mediaReset` or a lost ICE connection, retries with
// backoff when joining fails for a reason that may pass, and gives up on one that will not (a bad
// stream key, a channel that does not exist).
//
// Every (re)join gets a new epoch; work started for an older epoch notices with isCurrent() and
// drops its results. All session work runs through one queue, so a device switch cannot interleave
// with a rejoin.
import { backoffDelay } from './backoff.ts';
import type { Unsubscribe } from './emitter.ts';
import type { Log } from './log.ts';
import { SignalingError, type SignalingClient, type SignalingState } from './signaling-client.ts';

export type JoinReason = 'start' | 'reconnected' | 'media-reset' | 'ice-failed' | 'retry';

export interface SessionHooks {
  /** Joins and sets up the session; throws when that fails. */
  connect(epoch: number, reason: JoinReason): Promise<void>;
  /** Forgets the current session locally (closes transport, producers, consumers). */
  teardown(): void;
  /** A join failed; `willRetry` says whether the keeper tries again by itself. */
  onFailure(error: unknown, willRetry: boolean): void;
  /** The signaling connection dropped; a join follows when it is back. */
  onDisconnected(): void;
}

/** Failures that joining again cannot fix. */
const FATAL_CODES: ReadonlySet<string> = new Set([
  'unauthorized',
  'forbidden',
  'not_found',
  'bad_request',
  'closed',
  'unsupported',
  'already_live',
]);

export function isFatal(error: unknown): boolean {
  if (error instanceof SignalingError) return FATAL_CODES.has(error.code);
  return (error as Error | undefined)?.name === 'UnsupportedError';
}

export class SessionKeeper {
  readonly #signaling: SignalingClient;
  readonly #hooks: SessionHooks;
  readonly #log: Log;
  #epoch = 0;
  #running = false;
  #queue: Promise<void> = Promise.resolve();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #joinedOnce = false;
  #unsubscribe: Unsubscribe | undefined;

  constructor(signaling: SignalingClient, hooks: SessionHooks, log: Log) {
    this.#signaling = signaling;
    this.#hooks = hooks;
    this.#log = log;
  }

  get running(): boolean {
    return this.#running;
  }

  isCurrent(epoch: number): boolean {
    return this.#running && epoch === this.#epoch;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#signaling.onState((state) => this.#onSignalingState(state));
    if (this.#signaling.state === 'connected') this.rejoin('start');
    else if (this.#signaling.state === 'closed')
      this.#fail(new SignalingError('closed', this.#signaling.detail ?? 'Signaling is closed.'));
  }

  /** Drops the current session and joins afresh. */
  rejoin(reason: JoinReason): void {
    if (!this.#running) return;
    clearTimeout(this.#retryTimer);
    const epoch = ++this.#epoch;
    this.#hooks.teardown();
    void this.enqueue(async () => {
      if (!this.isCurrent(epoch)) return;
      this.#log.info(`joining (${reason})`);
      try {
        await this.#hooks.connect(epoch, reason);
        if (this.isCurrent(epoch)) {
          this.#attempt = 0;
          this.#joinedOnce = true;
        }
      } catch (error) {
        if (this.isCurrent(epoch)) this.#fail(error);
        else this.#log.debug('a stale join failed', error);
      }
    });
  }

  /** Runs session work after the work queued before it; errors are logged, not thrown. */
  enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task).catch((error: unknown) => this.#log.warn('session task failed', error));
    this.#queue = run;
    return run;
  }

  /** Stops keeping the session; safe to call twice. Does not tear down: the owner does. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#epoch += 1;
    clearTimeout(this.#retryTimer);
    this.#unsubscribe?.();
  }

  #fail(error: unknown): void {
    const fatal = isFatal(error);
    // Stop first: the owner may close signaling in onFailure, which must not count as a new failure.
    if (fatal) this.stop();
    this.#hooks.teardown();
    this.#hooks.onFailure(error, !fatal);
    if (fatal) {
      this.#log.warn('giving up', error);
      return;
    }
    // A dropped connection rejoins by itself when it is back.
    if (this.#signaling.state !== 'connected') return;
    const delay = backoffDelay(this.#attempt++);
    this.#log.warn(`join failed, retrying in ${delay} ms`, error);
    this.#retryTimer = setTimeout(() => this.rejoin('retry'), delay);
  }

  #onSignalingState(state: SignalingState): void {
    switch (state) {
      case 'connected':
        this.rejoin(this.#joinedOnce ? 'reconnected' : 'start');
        break;
      case 'reconnecting':
        // The server dropped our peer with the connection; nothing of the session survives.
        this.#epoch += 1;
        clearTimeout(this.#retryTimer);
        this.#hooks.teardown();
        this.#hooks.onDisconnected();
        break;
      case 'closed':
        this.#fail(new SignalingError('closed', this.#signaling.detail ?? 'Signaling is closed.'));
        break;
      case 'connecting':
        break;
    }
  }
}
