// A webinar's recording as its channel's history: the Stream row its VOD belongs to (written when
// the recorder makes the VOD, with the webinar's title, times and the Webinars category), and the
// VOD the webinar page offers once it has ended.
import type { PrismaClient } from '../../common/db/database.ts';

/** The category a webinar's recording is filed under (seeded by the platform_core migration). */
const WEBINARS_CATEGORY = 'webinars';

export function createWebinarRecordings(prisma: PrismaClient) {
  return {
    async ensureStream(webinarId: string, streamId: string): Promise<void> {
      const webinar = await prisma.webinar.findUnique({
        where: { id: webinarId },
        select: { channelId: true, title: true, startedAt: true, endedAt: true },
      });
      if (!webinar) throw new Error(`Webinar ${webinarId} is gone: its recording has no stream to belong to.`);
      const category = await prisma.category.findUnique({ where: { slug: WEBINARS_CATEGORY }, select: { slug: true } });
      const times = { startedAt: webinar.startedAt, endedAt: webinar.endedAt ?? new Date() };
      await prisma.stream.upsert({
        where: { id: streamId },
        create: {
          id: streamId,
          channelId: webinar.channelId,
          title: webinar.title,
          category: category?.slug ?? null,
          state: 'ended',
          ...times,
        },
        update: { state: 'ended', ...times },
      });
    },

    /** The VODs of webinars' recordings that have one, by stream id (one query for a page of webinars). */
    async vodsOf(streamIds: readonly string[]) {
      if (streamIds.length === 0) return new Map<string, WebinarVod>();
      const vods = await prisma.vod.findMany({
        where: { streamId: { in: [...streamIds] } },
        select: { id: true, streamId: true, durationSeconds: true, posterPath: true },
      });
      return new Map<string, WebinarVod>(vods.map((vod) => [vod.streamId, vod]));
    },
  };
}

export interface WebinarVod {
  id: string;
  durationSeconds: number;
  posterPath: string | null;
}

export type WebinarRecordings = ReturnType<typeof createWebinarRecordings>;
