// Remembers which channels a signed-in user watched, to recommend channels like them.
import type { PrismaClient } from '../../common/db/database.ts';

export async function recordWatched(prisma: PrismaClient, userId: string, channelId: string): Promise<void> {
  // One statement, so two tabs starting playback at once can't collide on the primary key.
  await prisma.$executeRaw`
    INSERT INTO "WatchedChannel" ("userId", "channelId", "lastWatchedAt", "times")
    VALUES (${userId}::uuid, ${channelId}::uuid, now(), 1)
    ON CONFLICT ("userId", "channelId") DO UPDATE SET "lastWatchedAt" = now(), "times" = "WatchedChannel"."times" + 1`;
}
