// Writes a "channel is live" notification for every follower of a channel and pushes each to the
// follower's open pages. Followers are read and written in batches, so a channel with a million
// followers never holds a million rows in memory nor one giant statement. A follower who already
// has the notification of this stream (the same start reported twice) is skipped by the unique
// (userId, kind, streamId): repeating a fan-out is harmless.
import type { PrismaClient } from '../../common/db/database.ts';
import type { NotificationPush } from './notification-push.ts';
import { deliverNotifications } from './notification-batch.ts';

export interface FanoutDeps {
  prisma: PrismaClient;
  push: NotificationPush;
  /** Followers per batch (default 1000). */
  batchSize?: number;
}

export interface FanoutResult {
  followers: number;
  notified: number;
}

const DEFAULT_BATCH_SIZE = 1000;

export async function notifyFollowersOfLiveStream(
  deps: FanoutDeps,
  channelId: string,
  streamId: string,
): Promise<FanoutResult> {
  const { prisma, push } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const [channel, stream] = await Promise.all([
    prisma.channel.findUnique({ where: { id: channelId }, select: { slug: true, title: true, private: true } }),
    prisma.stream.findUnique({ where: { id: streamId }, select: { title: true } }),
  ]);
  // A private channel's followers may not be its audience: its creator shares links instead.
  if (!channel || !stream || channel.private) return { followers: 0, notified: 0 };
  const title = liveTitle(channel.title || channel.slug, stream.title);

  let followers = 0;
  let notified = 0;
  let after: string | undefined;
  for (;;) {
    const batch = await prisma.follow.findMany({
      where: { channelId, ...(after ? { userId: { gt: after } } : {}) },
      select: { userId: true },
      orderBy: { userId: 'asc' },
      take: batchSize,
    });
    if (batch.length === 0) break;
    followers += batch.length;
    after = batch.at(-1)!.userId;

    notified += await deliverNotifications(
      prisma,
      push,
      batch.map(({ userId }) => ({ userId, kind: 'channel_live', channelId, streamId, title })),
    );
    if (batch.length < batchSize) break;
  }
  return { followers, notified };
}

/** "Speedrun Club is live: Any% attempts tonight" (the stream title starts as the channel's). */
function liveTitle(channelTitle: string, streamTitle: string): string {
  const stream = streamTitle.trim();
  return stream === '' || stream === channelTitle ? `${channelTitle} is live` : `${channelTitle} is live: ${stream}`;
}
