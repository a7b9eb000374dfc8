// Every query on VODs. The REST routes read them (api/vods/vod-routes.ts); the recorder creates
// them when a recording ends, serves their files and applies retention, through the VodCatalog
// port (common/recordings/catalog.ts) that this repository implements.
//
// Why the recorder gets a port rather than a repository of its own: a VOD is a REST resource, and
// with two modules writing the same table the rules about it (a VOD's title is its stream's, ids
// that are not UUIDs are unknown rather than a database error) would live in two places. The
// recorder's role still needs a database, but it reaches it only through this interface.
import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError } from '../../common/errors.ts';
import type { VodCatalog } from '../../common/recordings/catalog.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A VOD as the REST routes show it. */
export interface VodRow {
  id: string;
  title: string;
  durationSeconds: number;
  createdAt: Date;
  mp4Path: string | null;
  posterPath: string | null;
  channel: { slug: string };
}

export interface VodRepository extends VodCatalog {
  /**
   * A page of the channel's VODs, newest first, after the VOD `cursor` (the last one handed out).
   * A cursor that is not one of the channel's VODs is a 400.
   */
  page(channelId: string, cursor: string | undefined, limit: number): Promise<{ rows: VodRow[]; more: boolean }>;
  find(id: string): Promise<(VodRow & { channelId: string }) | undefined>;
}

const withChannelSlug = { channel: { select: { slug: true } } } as const;

export function createVodRepository(prisma: PrismaClient): VodRepository {
  return {
    async page(channelId, cursor, limit) {
      if (cursor && !(await prisma.vod.findFirst({ where: { id: cursor, channelId }, select: { id: true } }))) {
        throw new BadRequestError('The cursor does not belong to this channel.');
      }
      const rows = await prisma.vod.findMany({
        where: { channelId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        ...(cursor && { cursor: { id: cursor }, skip: 1 }),
        include: withChannelSlug,
      });
      return { rows: rows.slice(0, limit), more: rows.length > limit };
    },
    async find(id) {
      if (!UUID.test(id)) return undefined;
      return (await prisma.vod.findUnique({ where: { id }, include: withChannelSlug })) ?? undefined;
    },
    async create(vod) {
      const stream = await prisma.stream.findUnique({ where: { id: vod.streamId }, select: { title: true } });
      return prisma.vod.create({ data: { ...vod, title: stream?.title ?? '' }, select: { id: true } });
    },
    async existsForStream(streamId) {
      if (!UUID.test(streamId)) return false;
      return (await prisma.vod.count({ where: { streamId } })) > 0;
    },
    async files(id) {
      if (!UUID.test(id)) return undefined;
      const row = await prisma.vod.findUnique({
        where: { id },
        select: { id: true, channelId: true, playlistPath: true, mp4Path: true, posterPath: true },
      });
      return row ?? undefined;
    },
    oldestFirst() {
      return prisma.vod.findMany({
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { id: true, createdAt: true, playlistPath: true },
      });
    },
    async delete(id) {
      await prisma.vod.delete({ where: { id } });
    },
  };
}
