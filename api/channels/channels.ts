import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../common/errors.ts';
import { normalizeEmail } from '../accounts/users.ts';
import { validateSlug } from './slugs.ts';
import { isUniqueViolation } from '../../common/db/unique-violation.ts';

/** A new channel's owner: by id from the API (the signed-in user), by email from the operator's CLI. */
export type ChannelOwner = { ownerId: string } | { ownerEmail: string };

export type NewChannel = ChannelOwner & {
  slug: string;
  title?: string | undefined;
  /** A category slug; it must exist. */
  category?: string | null | undefined;
};

export interface ChannelSummary {
  id: string;
  slug: string;
  title: string;
  ownerId: string;
  createdAt: Date;
}

export const CHANNEL_TITLE_MAX = 140;

export async function createChannel(prisma: PrismaClient, input: NewChannel): Promise<ChannelSummary> {
  const slug = validateSlug(input.slug);
  const owner =
    'ownerId' in input
      ? await prisma.user.findUnique({ where: { id: input.ownerId } })
      : await prisma.user.findUnique({ where: { email: normalizeEmail(input.ownerEmail) } });
  if (!owner) throw new NotFoundError('User', 'ownerId' in input ? input.ownerId : input.ownerEmail);
  const title = (input.title?.trim() || slug).slice(0, CHANNEL_TITLE_MAX);
  const category = input.category ? await existingCategory(prisma, input.category) : null;
  try {
    const channel = await prisma.$transaction(async (tx) => {
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
}

/** The category slug, if such a category exists; otherwise a 400 unknown_category. */
export async function existingCategory(prisma: PrismaClient, slug: string): Promise<string> {
  const category = await prisma.category.findUnique({ where: { slug }, select: { slug: true } });
  if (!category) throw new BadRequestError(`There is no category '${slug}'.`, { code: 'unknown_category' });
  return category.slug;
}

export async function findChannelBySlug(prisma: PrismaClient, slug: string) {
  const channel = await prisma.channel.findUnique({ where: { slug: slug.trim().toLowerCase() } });
  if (!channel) throw new NotFoundError('Channel', slug);
  return channel;
}
