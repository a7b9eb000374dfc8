// The recorder's database access: VOD rows.
import type { PrismaClient } from '../common/db/database.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewVod {
  channelId: string;
  streamId: string;
  durationSeconds: number;
  playlistPath: string;
  mp4Path: string | null;
  posterPath: string | null;
}

export interface VodRepository {
  create(vod: NewVod): Promise<{ id: string }>;
  find(
    id: string,
  ): Promise<
    | { id: string; channelId: string; playlistPath: string; mp4Path: string | null; posterPath: string | null }
    | undefined
  >;
  existsForStream(streamId: string): Promise<boolean>;
}

export function createVodRepository(prisma: PrismaClient): VodRepository {
  return {
    async create(vod) {
      const stream = await prisma.stream.findUnique({ where: { id: vod.streamId }, select: { title: true } });
      const row = await prisma.vod.create({ data: { ...vod, title: stream?.title ?? '' }, select: { id: true } });
      return row;
    },
    async find(id) {
      if (!UUID.test(id)) return undefined;
      const row = await prisma.vod.findUnique({
        where: { id },
        select: { id: true, channelId: true, playlistPath: true, mp4Path: true, posterPath: true },
      });
      return row ?? undefined;
    },
    async existsForStream(streamId) {
      if (!UUID.test(streamId)) return false;
      return (await prisma.vod.count({ where: { streamId } })) > 0;
    },
  };
}
