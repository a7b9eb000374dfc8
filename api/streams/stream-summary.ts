// What a stream amounted to, counted from the database: its span and peak (the Stream row), the
// follows, chat messages and clips made within it, and its recording once written.
import type { PrismaClient } from '../../common/db/database.ts';
import type { StreamSummary } from '../../common/protocol/rest/streams.ts';

export interface StreamSummaryRepository {
  /** The stream with its channel's owner (for the permission check); undefined when there is none. */
  find(streamId: string): Promise<{ channel: { id: string; slug: string; ownerId: string } } | undefined>;
  /** The summary of an existing stream, `now` ending one still live. */
  summary(streamId: string, now?: Date): Promise<StreamSummary | undefined>;
}

export function createStreamSummaryRepository(prisma: PrismaClient): StreamSummaryRepository {
  return {
    async find(streamId) {
      const stream = await prisma.stream.findUnique({
        where: { id: streamId },
        select: { channel: { select: { id: true, slug: true, ownerId: true } } },
      });
      return stream ?? undefined;
    },

    async summary(streamId, now = new Date()) {
      const stream = await prisma.stream.findUnique({
        where: { id: streamId },
        select: {
          id: true,
          channelId: true,
          title: true,
          state: true,
          startedAt: true,
          endedAt: true,
          peakViewers: true,
          channel: { select: { slug: true } },
          vod: { select: { id: true, durationSeconds: true } },
        },
      });
      if (!stream) return undefined;
      const { startedAt, endedAt } = stream;
      const until = endedAt ?? now;
      const [newFollowers, chatMessages, clips] = await Promise.all([
        startedAt
          ? prisma.follow.count({ where: { channelId: stream.channelId, createdAt: { gte: startedAt, lte: until } } })
          : 0,
        prisma.chatMessage.count({ where: { streamId } }),
        prisma.clip.count({ where: { streamId } }),
      ]);
      return {
        id: stream.id,
        channel: stream.channel.slug,
        title: stream.title,
        live: stream.state === 'live',
        startedAt: startedAt?.toISOString() ?? null,
        endedAt: endedAt?.toISOString() ?? null,
        durationSeconds: startedAt ? Math.max(0, Math.round((until.getTime() - startedAt.getTime()) / 1000)) : 0,
        peakViewers: stream.peakViewers,
        newFollowers,
        chatMessages,
        clips,
        vod: stream.vod ? { id: stream.vod.id, durationSeconds: stream.vod.durationSeconds } : null,
      };
    },
  };
}
