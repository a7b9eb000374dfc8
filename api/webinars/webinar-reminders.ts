// The 15-minute reminder: a small scheduler in the API role looks every half minute for webinars
// that take registrations and start within 15 minutes, and puts a notification in the bell of each
// approved registrant. Each webinar is claimed by one conditional update of its row
// (reminderSentAt from null to now), so with several API processes exactly one sends it; a moved
// start clears the mark (webinar-routes.ts) and earns a new reminder.
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import { deliverNotifications, type NotificationSink } from '../notifications/notification-batch.ts';

export const REMINDER_LEAD_MS = 15 * 60_000;
/** A webinar that should have started this long ago gets no "starts soon" any more. */
const TOO_LATE_MS = 5 * 60_000;
const TICK_MS = 30_000;
/** Registrants notified per insert. */
const BATCH = 500;

export interface WebinarRemindersOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** Pushes to open pages; without it the notifications wait in the bell's list. */
  push?: NotificationSink | undefined;
  /** The clock (tests set it instead of waiting). */
  now?: () => Date;
  tickMs?: number;
}

export class WebinarReminders {
  readonly #options: WebinarRemindersOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #closed = false;

  private constructor(options: WebinarRemindersOptions) {
    this.#options = options;
  }

  /** A scheduler that doesn't run by itself: call tick(). */
  static manual(options: WebinarRemindersOptions): WebinarReminders {
    return new WebinarReminders(options);
  }

  /** A scheduler ticking every half minute until closed. */
  static start(options: WebinarRemindersOptions): WebinarReminders {
    const reminders = new WebinarReminders(options);
    reminders.#timer = setInterval(() => {
      if (reminders.#running) return; // the previous tick is still at work
      reminders.#running = reminders
        .tick()
        .catch((error: unknown) => options.logger.error({ err: error }, 'webinar reminders failed'))
        .finally(() => (reminders.#running = undefined));
    }, options.tickMs ?? TICK_MS);
    reminders.#timer.unref();
    return reminders;
  }

  /** Sends the reminders due now; answers how many registrants were notified. */
  async tick(): Promise<number> {
    if (this.#closed) return 0;
    const { prisma } = this.#options;
    const now = this.#options.now?.() ?? new Date();
    const due = await prisma.webinar.findMany({
      where: {
        audience: 'registered',
        state: { in: ['scheduled', 'backstage'] },
        reminderSentAt: null,
        scheduledStart: { lte: new Date(now.getTime() + REMINDER_LEAD_MS), gt: new Date(now.getTime() - TOO_LATE_MS) },
      },
      select: { id: true, title: true, channelId: true, scheduledStart: true },
      take: 100,
    });
    let notified = 0;
    for (const webinar of due) {
      const { count } = await prisma.webinar.updateMany({
        where: { id: webinar.id, reminderSentAt: null, scheduledStart: webinar.scheduledStart },
        data: { reminderSentAt: now },
      });
      if (count === 0) continue; // another process claimed it, or the start moved meanwhile
      notified += await this.#notify(webinar, now);
    }
    return notified;
  }

  async #notify(
    webinar: { id: string; title: string; channelId: string; scheduledStart: Date },
    now: Date,
  ): Promise<number> {
    const { prisma, push, logger } = this.#options;
    const minutes = Math.max(0, Math.round((webinar.scheduledStart.getTime() - now.getTime()) / 60_000));
    const title = minutes > 0 ? `${webinar.title} starts in ${minutes} minutes` : `${webinar.title} is about to start`;
    let notified = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await prisma.webinarRegistration.findMany({
        where: { webinarId: webinar.id, status: 'approved', ...(after ? { userId: { gt: after } } : {}) },
        select: { userId: true },
        orderBy: { userId: 'asc' },
        take: BATCH,
      });
      if (batch.length === 0) break;
      after = batch.at(-1)!.userId;
      notified += await deliverNotifications(
        prisma,
        push,
        batch.map(({ userId }) => ({
          userId,
          kind: 'webinar_reminder',
          channelId: webinar.channelId,
          webinarId: webinar.id,
          title,
        })),
      );
      if (batch.length < BATCH) break;
    }
    logger.info({ webinar: webinar.id, notified }, 'webinar reminder sent');
    return notified;
  }

  /** Stops ticking and waits for a tick under way; safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running;
  }
}
