import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { isUniqueViolation, normalizeEmail } from '../accounts/users.ts';
import { validateSlug } from './slugs.ts';

export interface NewChannel {
  ownerEmail: string;
  slug: string;
  title?: string | undefined;
}

export interface ChannelSummary {
  id: string;
  slug: string;
  title: string;
  ownerId: string;
  createdAt: Date;
}

export async function createChannel(prisma: PrismaClient, input: NewChannel): Promise<ChannelSummary> {
  const slug = validateSlug(input.slug);
  const owner = await prisma.user.findUnique({ where: { email: normalizeEmail(input.ownerEmail) } });
  if (!owner) throw new NotFoundError('User', input.ownerEmail);
  const title = (input.title ?? slug).trim().slice(0, 140);
  try {
    const channel = await prisma.$transaction(async (tx) => {
      const created = await tx.channel.create({ data: { slug, title, ownerId: owner.id } });
      // Owning a channel makes a viewer a creator; admins stay admins.
      if (owner.role === 'viewer') await tx.user.update({ where: { id: owner.id }, data: { role: 'creator' } });
      return created;
    });
    return { id: channel.id, slug: channel.slug, title: channel.title, ownerId: channel.ownerId, createdAt: channel.createdAt };
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError('slug_taken', `The channel slug '${slug}' is taken.`);
    throw error;
  }
}

export async function findChannelBySlug(prisma: PrismaClient, slug: string) {
  const channel = await prisma.channel.findUnique({ where: { slug: slug.trim().toLowerCase() } });
  if (!channel) throw new NotFoundError('Channel', slug);
  return channel;
}
