// Every query that creates or changes a channel: creating one (its owner becomes a creator),
// editing its settings, pointing it at new images, and retitling the stream it has live. Reading a
// channel for its page is channel-view.ts; who may change it is permissions.ts.
import type { ChannelMode } from '../../common/protocol/channel-mode.ts';
import type { PrismaClient } from '../../common/db/database.ts';
import { isUniqueViolation } from '../../common/db/unique-violation.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../common/errors.ts';
import { normalizeEmail } from '../accounts/users.ts';
import { validateSlug } from './slugs.ts';

export const CHANNEL_TITLE_MAX = 140;

/** A new channel's owner: by id from the API (the signed-in user), by email from the operator's CLI. */
export type ChannelOwner = { ownerId: string } | { ownerEmail: string };

export type NewChannel = ChannelOwner & {
  slug: string;
  title?: string | undefined;
  /** A category slug; it must exist. */
  category?: string | null | undefined;
  /** How many channels the owner may own, this one counted (admins may own more); absent: no limit. */
  maxOwned?: number | undefined;
};

/** The owner already has as many channels as one account may. */
export class ChannelLimitError extends ConflictError {
  constructor(readonly limit: number) {
    super('channel_limit_reached', `An account may own at most ${limit} channels, and yours has reached that limit.`);
  }
}

export interface ChannelSummary {
  id: string;
  slug: string;
  title: string;
  ownerId: string;
  createdAt: Date;
}

/** Settings to change; absent ones stay as they are. */
export interface ChannelChanges {
  title?: string;
  description?: string;
  category?: string | null;
  tags?: string[];
  private?: boolean;
  webrtcSeats?: number | null;
  mode?: ChannelMode;
  /** kbit/s, within DJ_AUDIO_KBPS. */
  audioKbps?: number;
}

/** What may change on a live stream. */
export interface LiveStreamChanges {
  title?: string;
  category?: string | null;
}

export type ChannelImageColumn = 'avatarPath' | 'bannerPath';

export interface ChannelRepository {
  /** 400 for a bad slug or an unknown category, 404 for an unknown owner, 409 slug_taken or channel_limit_reached. */
  create(input: NewChannel): Promise<ChannelSummary>;
  /** The category slug, if such a category exists; otherwise a 400 unknown_category. */
  existingCategory(slug: string): Promise<string>;
  update(channelId: string, changes: ChannelChanges): Promise<void>;
  /** Changes the stream the channel has live; undefined when it has none (or it ended meanwhile). */
  changeLiveStream(
    channelId: string,
    changes: LiveStreamChanges,
  ): Promise<{ id: string; title: string; category: string | null } | undefined>;
  /**
   * Points the channel's image at `name` (or at nothing) and returns what it pointed at before. The
   * row is locked meanwhile, so of two uploads at once each learns the file the other replaced and
   * no file is removed while a row still points at it.
   */
  setImage(channelId: string, column: ChannelImageColumn, name: string | null): Promise<string | null>;
}

export function createChannelRepository(prisma: PrismaClient): ChannelRepository {
  async function existingCategory(slug: string): Promise<string> {
    const category = await prisma.category.findUnique({ where: { slug }, select: { slug: true } });
    if (!category) throw new BadRequestError(`There is no category '${slug}'.`, { code: 'unknown_category' });
    return category.slug;
  }

  return {
    existingCategory,

    async create(input) {
      const slug = validateSlug(input.slug);
      const owner =
        'ownerId' in input
          ? await prisma.user.findUnique({ where: { id: input.ownerId } })
          : await prisma.user.findUnique({ where: { email: normalizeEmail(input.ownerEmail) } });
      if (!owner) throw new NotFoundError('User', 'ownerId' in input ? input.ownerId : input.ownerEmail);
      const title = (input.title?.trim() || slug).slice(0, CHANNEL_TITLE_MAX);
      const category = input.category ? await existingCategory(input.category) : null;
      try {
        const channel = await prisma.$transaction(async (tx) => {
          if (input.maxOwned !== undefined && owner.role !== 'admin') {
            // The owner's row stays locked until the channel is created, so two creations at once
            // can't both see room for one more.
            await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${owner.id}::uuid FOR UPDATE`;
            const owned = await tx.channel.count({ where: { ownerId: owner.id } });
            if (owned >= input.maxOwned) throw new ChannelLimitError(input.maxOwned);
          }
          const created = await tx.channel.create({ data: { slug, title, category, ownerId: owner.id } });
          // Owning a channel makes a viewer a creator; admins stay admins.
          if (owner.role === 'viewer') await tx.user.update({ where: { id: owner.id }, data: { role: 'creator' } });
          return created;
        });
        return {
          id: channel.id,
          slug: channel.slug,
          title: channel.title,
          ownerId: channel.ownerId,
          createdAt: channel.createdAt,
        };
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('slug_taken', `The channel slug '${slug}' is taken.`);
        throw error;
      }
    },

    async update(channelId, changes) {
      if (Object.keys(changes).length > 0) await prisma.channel.update({ where: { id: channelId }, data: changes });
    },

    async changeLiveStream(channelId, changes) {
      const stream = await prisma.stream.findFirst({
        where: { channelId, state: 'live' },
        orderBy: { startedAt: 'desc' },
        select: { id: true },
      });
      if (!stream) return undefined;
      // Only while still live: a stream that ended meanwhile keeps the title it ended with.
      const { count } = await prisma.stream.updateMany({ where: { id: stream.id, state: 'live' }, data: changes });
      if (count === 0) return undefined;
      return prisma.stream.findUniqueOrThrow({
        where: { id: stream.id },
        select: { id: true, title: true, category: true },
      });
    },

    setImage(channelId, column, name) {
      return prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ avatarPath: string | null; bannerPath: string | null }[]>`
          SELECT "avatarPath", "bannerPath" FROM "Channel" WHERE "id" = ${channelId}::uuid FOR UPDATE`;
        const row = rows[0];
        if (!row) throw new NotFoundError('Channel');
        await tx.channel.update({ where: { id: channelId }, data: { [column]: name } });
        return row[column];
      });
    },
  };
}
