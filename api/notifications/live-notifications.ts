// When a channel goes live, its followers are notified. Runs where streams start (signaling).
// The fan-out runs beside the go-live path, never in it: the live state emits and moves on, and a
// failure is logged, never thrown back into it. Fan-outs run a few at a time, so a burst of
// channels going live together can't take every database connection.
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import type { LiveEvents, Subscribable } from '../../common/live/live-events.ts';
import { notifyFollowersOfLiveStream } from './follower-fanout.ts';
import { NotificationPush } from './notification-push.ts';

const CONCURRENT_FANOUTS = 2;

export function notifyFollowersWhenLive(
  live: Subscribable<LiveEvents>,
  deps: { prisma: PrismaClient; io: SocketServer; logger: Logger },
): void {
  const fanoutDeps = { prisma: deps.prisma, push: new NotificationPush(deps.io) };
  const queue = new TaskQueue(CONCURRENT_FANOUTS);
  live.on('started', (channel, streamId) => {
    queue.add(async () => {
      try {
        const result = await notifyFollowersOfLiveStream(fanoutDeps, channel.id, streamId);
        if (result.followers > 0)
          deps.logger.info({ channel: channel.slug, streamId, ...result }, 'followers notified');
      } catch (error) {
        deps.logger.error({ err: error, channel: channel.slug, streamId }, 'could not notify followers');
      }
    });
  });
}

/** Runs tasks in order of arrival, at most `concurrency` at a time. Tasks must not throw. */
class TaskQueue {
  readonly #waiting: (() => Promise<void>)[] = [];
  #running = 0;

  constructor(private readonly concurrency: number) {}

  add(task: () => Promise<void>): void {
    this.#waiting.push(task);
    this.#next();
  }

  #next(): void {
    while (this.#running < this.concurrency) {
      const task = this.#waiting.shift();
      if (!task) return;
      this.#running++;
      void task().finally(() => {
        this.#running--;
        this.#next();
      });
    }
  }
}
