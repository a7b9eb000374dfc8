// The database side of live streams, as signaling needs it (signaling/channel-directory.ts).
import type { PrismaClient } from '../../common/db/database.ts';
import type { ChannelDirectory, ChannelRef } from '../../signaling/channel-directory.ts';
import { channelForStreamKey } from '../stream-keys/stream-keys.ts';

export function createStreamDirectory(prisma: PrismaClient): ChannelDirectory {
  return {
    async channelForStreamKey(key) {
      const channel = await channelForStreamKey(prisma, key);
      return channel ? { id: channel.id, slug: channel.slug } : undefined;
    },

    async channelBySlug(slug) {
      const channel = await prisma.channel.findUnique({ where: { slug: slug.toLowerCase() }, select: { id: true, slug: true } });
      return channel ?? undefined;
    },

    async streamStarted(channel: ChannelRef) {
      const startedAt = new Date();
      const stream = await prisma.$transaction(async (tx) => {
        // A stream left 'live' by a crash can't still be live: this start supersedes it.
        await tx.stream.updateMany({ where: { channelId: channel.id, state: 'live' }, data: { state: 'ended', endedAt: startedAt } });
        const info = await tx.channel.findUniqueOrThrow({ where: { id: channel.id }, select: { title: true, category: true } });
        return tx.stream.create({
          data: { channelId: channel.id, state: 'live', startedAt, title: info.title, category: info.category },
        });
      });
      return { streamId: stream.id, startedAt };
    },

    async streamEnded(streamId) {
      await prisma.stream.updateMany({ where: { id: streamId, state: 'live' }, data: { state: 'ended', endedAt: new Date(), viewers: 0 } });
    },

    async viewersChanged(streamId, viewers) {
      // Keep the peak in the same statement, so concurrent writers can't lower it.
      await prisma.$executeRaw`UPDATE "Stream" SET "viewers" = ${viewers}, "peakViewers" = GREATEST("peakViewers", ${viewers}) WHERE "id" = ${streamId}::uuid`;
    },
  };
}
