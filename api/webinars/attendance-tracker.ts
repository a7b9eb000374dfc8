// Keeps the open stretches of presence of this process's attendees (see
// common/live/webinar-attendance.ts) and stores them: a stretch is written when it opens, its
// lastSeenAt every WRITE_EVERY_MS while it stays open, and its end when the attendee leaves, when
// their media has not been seen for STOPPED_AFTER_MS (it ends when it was last seen), or when the
// webinar ends. Writes are queued per stretch, so an end never lands before its start; none of
// them throws at the media planes (a lost write is logged).
import type { PrismaClient } from '../../common/db/database.ts';
import type { AttendanceLog, Presence } from '../../common/live/webinar-attendance.ts';
import type { Logger } from '../../common/logger.ts';

/** Media not seen for this long counts as left (a page open whose player stopped). */
export const STOPPED_AFTER_MS = 60_000;
/** An open stretch's lastSeenAt is stored this often: a crash loses at most this much. */
const WRITE_EVERY_MS = 15_000;
const SWEEP_EVERY_MS = 5_000;

interface OpenStretch {
  presence: Presence;
  lastSeen: number;
  lastWritten: number;
  /** The stretch's row id once written; every later write waits for it. */
  chain: Promise<string | undefined>;
}

export interface AttendanceTrackerOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** The clock (tests move it). */
  now?: () => number;
  /** 0: no timer; the caller sweeps (tests). */
  sweepEveryMs?: number;
}

export class AttendanceTracker implements AttendanceLog {
  readonly #prisma: PrismaClient;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #open = new Map<string, OpenStretch>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: AttendanceTrackerOptions) {
    this.#prisma = options.prisma;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    const every = options.sweepEveryMs ?? SWEEP_EVERY_MS;
    if (every > 0) {
      this.#timer = setInterval(() => void this.sweep(), every);
      this.#timer.unref();
    }
  }

  seen(presence: Presence): void {
    const key = keyOf(presence);
    const now = this.#now();
    const open = this.#open.get(key);
    if (!open) {
      const at = new Date(now);
      const chain = this.#track(
        this.#prisma.webinarAttendance
          .create({
            data: {
              webinarId: presence.webinarId,
              userId: presence.userId ?? null,
              viewer: viewerOf(presence),
              via: presence.via,
              joinedAt: at,
              lastSeenAt: at,
            },
            select: { id: true },
          })
          .then((row) => row.id),
      );
      this.#open.set(key, { presence, lastSeen: now, lastWritten: now, chain });
      return;
    }
    open.lastSeen = now;
    if (now - open.lastWritten < WRITE_EVERY_MS) return;
    open.lastWritten = now;
    this.#write(open, { lastSeenAt: new Date(now) });
  }

  left(presence: Presence): void {
    const key = keyOf(presence);
    const open = this.#open.get(key);
    if (!open) return;
    this.#open.delete(key);
    const at = new Date(this.#now());
    this.#write(open, { lastSeenAt: at, leftAt: at });
  }

  /** Ends the stretches whose media stopped: they end when it was last seen. */
  async sweep(): Promise<void> {
    const now = this.#now();
    for (const [key, open] of this.#open) {
      if (now - open.lastSeen < STOPPED_AFTER_MS) continue;
      this.#open.delete(key);
      const at = new Date(open.lastSeen);
      this.#write(open, { lastSeenAt: at, leftAt: at });
    }
    await this.settled();
  }

  /**
   * The webinar ended at `endedAt`: every stretch of it still open, this process's or another's
   * (a crashed one's too), ends. One seen within STOPPED_AFTER_MS of the end was there at the end;
   * an older one ends when it was last seen.
   */
  async webinarEnded(webinarId: string, endedAt: Date): Promise<void> {
    for (const [key, open] of this.#open) {
      if (open.presence.webinarId !== webinarId) continue;
      this.#open.delete(key);
      this.#write(open, { lastSeenAt: new Date(Math.max(open.lastSeen, endedAt.getTime())) });
    }
    await this.settled();
    const recent = new Date(endedAt.getTime() - STOPPED_AFTER_MS);
    await this.#prisma.$executeRaw`
      UPDATE "WebinarAttendance"
         SET "leftAt" = CASE WHEN "lastSeenAt" >= ${recent} THEN ${endedAt} ELSE "lastSeenAt" END
       WHERE "webinarId" = ${webinarId}::uuid AND "leftAt" IS NULL`;
  }

  /** At boot: stretches a stopped process left open end when they were last seen, if that is long enough ago. */
  async closeAbandoned(): Promise<number> {
    const before = new Date(this.#now() - STOPPED_AFTER_MS);
    return this.#prisma.$executeRaw`
      UPDATE "WebinarAttendance" SET "leftAt" = "lastSeenAt"
       WHERE "leftAt" IS NULL AND "lastSeenAt" < ${before}`;
  }

  /** Resolves once every write asked for so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** On shutdown: this process's attendees are let go now. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const open of [...this.#open.values()]) this.left(open.presence);
    await this.settled();
  }

  #write(open: OpenStretch, data: { lastSeenAt: Date; leftAt?: Date }): void {
    open.chain = this.#track(
      open.chain.then(async (id) => {
        if (id === undefined) return undefined;
        // A stretch the webinar's end already closed keeps that end.
        await this.#prisma.webinarAttendance.updateMany({ where: { id, leftAt: null }, data });
        return id;
      }),
    );
  }

  #track(write: Promise<string | undefined>): Promise<string | undefined> {
    const tracked = write.catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'could not store attendance');
      return undefined;
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
    return tracked;
  }
}

function viewerOf(presence: Presence): string {
  return presence.userId !== undefined ? `user:${presence.userId}` : `anon:${presence.session}`;
}

function keyOf(presence: Presence): string {
  return `${presence.webinarId}|${presence.session}|${presence.via}`;
}
