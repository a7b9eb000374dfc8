// A webinar session's presence, as attendance counts it (common/live/webinar-attendance.ts): seen
// when it joins, and again at each check while its client's media is alive (its transports keep
// receiving, see Peer.bytesReceived) or while there is nothing to consume; a page open whose media
// stopped is seen no more, and the tracker counts it as left. On stage while its seat says so: time on stage is attendance too.
import type { AttendanceLog, AttendanceVia, Presence } from '../common/live/webinar-attendance.ts';
import type { Peer } from '../sfu/peer.ts';

/** How often a session's media is checked. */
const CHECK_EVERY_MS = 10_000;

export class AttendancePresence {
  readonly #log: AttendanceLog;
  readonly #peer: Peer;
  readonly #via: () => AttendanceVia;
  readonly #timer: NodeJS.Timeout;
  #presence: Presence;
  #bytes = 0;
  #closed = false;

  constructor(
    log: AttendanceLog,
    who: Omit<Presence, 'via'>,
    peer: Peer,
    via: () => AttendanceVia,
    checkEveryMs = CHECK_EVERY_MS,
  ) {
    this.#log = log;
    this.#peer = peer;
    this.#via = via;
    this.#presence = { ...who, via: via() };
    log.seen(this.#presence);
    this.#timer = setInterval(() => void this.#check(), checkEveryMs);
    this.#timer.unref();
  }

  /** Stops counting; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#log.left(this.#presence);
  }

  async #check(): Promise<void> {
    const bytes = await this.#peer.bytesReceived();
    if (this.#closed) return;
    // Nothing to watch yet (an empty stage): the open page is all there is to attend.
    const alive = bytes > this.#bytes || this.#peer.consumerCount() === 0;
    this.#bytes = bytes;
    const via = this.#via();
    // Stepping on or off the stage ends one stretch and starts the other.
    if (via !== this.#presence.via) {
      this.#log.left(this.#presence);
      this.#presence = { ...this.#presence, via };
      this.#log.seen(this.#presence);
    } else if (alive) this.#log.seen(this.#presence);
  }
}
