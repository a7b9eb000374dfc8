// Every query on clips: making one (from a live channel or a VOD, whose rows say what the clip is
// of), reading one or a channel's, and what the recorder needs to serve a clip's files (the
// ClipCatalog port, common/recordings/catalog.ts).
import type { PrismaClient } from '../../common/db/database.ts';
import type { ClipCatalog } from '../../common/recordings/catalog.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ClipRow {
  id: string;
  channelId: string;
  streamId: string | null;
  vodId: string | null;
  title: string;
  startSeconds: number;
  durationSeconds: number;
  path: string;
  posterPath: string | null;
  createdAt: Date;
}

export type NewClip = Omit<ClipRow, 'createdAt'>;

/** What clipping a VOD needs of it. */
export interface VodToClip {
  id: string;
  channelId: string;
  streamId: string;
  title: string;
  durationSeconds: number;
  playlistPath: string;
  channel: { slug: string };
}

export interface ClipRepository extends ClipCatalog {
  /** The channel a live clip is of: its title names the clip when the clipper gives none. */
  channel(channelId: string): Promise<{ slug: string; title: string } | undefined>;
  vod(vodId: string): Promise<VodToClip | undefined>;
  create(clip: NewClip): Promise<ClipRow>;
  find(id: string): Promise<(ClipRow & { channel: { slug: string } }) | undefined>;
  /** The channel's newest `limit` clips, newest first. */
  newestOfChannel(channelId: string, limit: number): Promise<ClipRow[]>;
}

export function createClipRepository(prisma: PrismaClient): ClipRepository {
  return {
    async channel(channelId) {
      const channel = await prisma.channel.findUnique({
        where: { id: channelId },
        select: { slug: true, title: true },
      });
      return channel ?? undefined;
    },
    async vod(vodId) {
      if (!UUID.test(vodId)) return undefined;
      const vod = await prisma.vod.findUnique({
        where: { id: vodId },
        select: {
          id: true,
          channelId: true,
          streamId: true,
          title: true,
          durationSeconds: true,
          playlistPath: true,
          channel: { select: { slug: true } },
        },
      });
      return vod ?? undefined;
    },
    create(clip) {
      return prisma.clip.create({ data: clip });
    },
    async find(id) {
      if (!UUID.test(id)) return undefined;
      const clip = await prisma.clip.findUnique({ where: { id }, include: { channel: { select: { slug: true } } } });
      return clip ?? undefined;
    },
    newestOfChannel(channelId, limit) {
      return prisma.clip.findMany({
        where: { channelId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit,
      });
    },
    async files(id) {
      if (!UUID.test(id)) return undefined;
      const clip = await prisma.clip.findUnique({
        where: { id },
        select: { path: true, posterPath: true, channelId: true },
      });
      return clip ?? undefined;
    },
  };
}
