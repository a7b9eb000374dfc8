// Timed polls close by themselves, with no host connected and across a restart: the deadline is
// stored at launch (Poll.closesAt), and every API process sweeps for open polls past it every
// SWEEP_MS (at start too, so a restart closes what expired while it was down). The process that
// launched a poll also keeps a timer for its exact deadline, so it closes on time rather than up
// to a sweep later. Closing is one conditional update: whichever process gets there first closes
// and broadcasts; the others find it closed. Votes past the deadline are refused anyway
// (poll-repository.ts), so a late sweep never lets one in. Polls still open when their webinar
// ends are closed by the same sweep (and take no votes meanwhile: polls.ts).
import type { Logger } from '../../common/logger.ts';
import type { PollRepository } from './poll-repository.ts';

const SWEEP_MS = 2_000;
/** Longer timers are left to the sweep (setTimeout caps at ~24.8 days anyway). */
const LONGEST_TIMER_MS = 86_400_000;

export interface PollDeadlinesOptions {
  polls: PollRepository;
  /** Closes an open poll and tells its rooms; false when it was not open. */
  close(pollId: string): Promise<boolean>;
  logger: Logger;
  sweepMs?: number;
}

export class PollDeadlines {
  readonly #options: PollDeadlinesOptions;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #sweep: ReturnType<typeof setInterval> | undefined;
  #sweeping: Promise<void> | undefined;
  #closed = false;

  constructor(options: PollDeadlinesOptions) {
    this.#options = options;
  }

  /** Sweeps now and then every sweepMs until closed. */
  start(): void {
    if (this.#closed || this.#sweep) return;
    this.#sweep = setInterval(() => this.#tick(), this.#options.sweepMs ?? SWEEP_MS);
    this.#sweep.unref();
    this.#tick();
  }

  /** Closes the poll at its deadline, from this process. */
  schedule(poll: { id: string; closesAt: Date | null }): void {
    if (this.#closed || !poll.closesAt) return;
    const delay = poll.closesAt.getTime() - Date.now();
    if (delay > LONGEST_TIMER_MS) return;
    clearTimeout(this.#timers.get(poll.id));
    const timer = setTimeout(
      () => {
        this.#timers.delete(poll.id);
        this.#close(poll.id);
      },
      Math.max(0, delay),
    );
    timer.unref();
    this.#timers.set(poll.id, timer);
  }

  /** Closes every open poll past its deadline; resolves when done. */
  async sweep(): Promise<void> {
    const due = await this.#options.polls.due(new Date());
    for (const { id } of due) await this.#closeOne(id);
  }

  /** Stops the timers and the sweep; safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.#sweeping;
  }

  #tick(): void {
    if (this.#closed || this.#sweeping) return; // the previous sweep is still at work
    this.#sweeping = this.sweep()
      .catch((error: unknown) => this.#options.logger.error({ err: error }, 'could not close the polls due'))
      .finally(() => (this.#sweeping = undefined));
  }

  #close(pollId: string): void {
    if (this.#closed) return;
    void this.#closeOne(pollId);
  }

  async #closeOne(pollId: string): Promise<void> {
    try {
      if (await this.#options.close(pollId)) this.#options.logger.info({ poll: pollId }, 'poll closed by itself');
    } catch (error) {
      this.#options.logger.error({ err: error, poll: pollId }, 'could not close a poll by itself');
    }
  }
}
