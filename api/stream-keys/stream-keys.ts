// Stream keys let a tool publish to a channel (OBS over WHIP, the CLI). A key is 160 random bits;
// only its SHA-256 is stored, so a database leak does not leak keys, and the key is shown once.
// A plain hash (not scrypt) is right here: the key has full entropy, and it is checked on every
// publish.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Prisma } from '../../prisma/generated/client.ts';
import { channelBySlugOr404 } from '../channels/permissions.ts';

const KEY_PREFIX = 'live_';

export interface IssuedStreamKey {
  /** The secret itself: shown once, never stored. */
  key: string;
  id: string;
  channel: string;
  prefix: string;
  createdAt: Date;
}

/** What the studio may see of a key: never the key itself. */
export interface StreamKeyInfo {
  id: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

type Db = PrismaClient | Prisma.TransactionClient;

export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

async function issue(db: Db, channel: { id: string; slug: string }): Promise<IssuedStreamKey> {
  const key = KEY_PREFIX + randomBytes(20).toString('base64url');
  const prefix = key.slice(0, KEY_PREFIX.length + 4);
  const row = await db.streamKey.create({ data: { channelId: channel.id, keyHash: hashStreamKey(key), prefix } });
  return { key, id: row.id, channel: channel.slug, prefix, createdAt: row.createdAt };
}

/** Issues a new key for the channel. Older keys stay valid until revoked (rotation without downtime). */
export async function createStreamKey(prisma: PrismaClient, channelSlug: string): Promise<IssuedStreamKey> {
  return issue(prisma, await channelBySlugOr404(prisma, channelSlug));
}

/** Issues a new key and revokes every older one, at once: no moment with both or neither. */
export async function rotateStreamKey(
  prisma: PrismaClient,
  channel: { id: string; slug: string },
): Promise<IssuedStreamKey> {
  return prisma.$transaction(async (tx) => {
    await tx.streamKey.updateMany({
      where: { channelId: channel.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return issue(tx, channel);
  });
}

/** Issues a key for a channel already looked up (the API has it from its permission check). */
export async function issueStreamKey(
  prisma: PrismaClient,
  channel: { id: string; slug: string },
): Promise<IssuedStreamKey> {
  return issue(prisma, channel);
}

/** The channel's keys, newest first, revoked ones included (they stay for the audit trail). */
export async function listStreamKeys(prisma: PrismaClient, channelId: string, limit = 100): Promise<StreamKeyInfo[]> {
  return prisma.streamKey.findMany({
    where: { channelId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: { id: true, prefix: true, createdAt: true, revokedAt: true },
  });
}

export async function countActiveStreamKeys(prisma: PrismaClient, channelId: string): Promise<number> {
  return prisma.streamKey.count({ where: { channelId, revokedAt: null } });
}

/**
 * Revokes one key of the channel. Returns false when the channel has no key with that id;
 * revoking a key that is already revoked changes nothing and counts as done.
 */
export async function revokeStreamKey(prisma: PrismaClient, channelId: string, keyId: string): Promise<boolean> {
  const key = await prisma.streamKey.findFirst({ where: { id: keyId, channelId }, select: { id: true } });
  if (!key) return false;
  await prisma.streamKey.updateMany({ where: { id: key.id, revokedAt: null }, data: { revokedAt: new Date() } });
  return true;
}

/** Revokes every active key of the channel; returns how many were revoked. */
export async function revokeStreamKeys(
  prisma: PrismaClient,
  channelSlug: string,
): Promise<{ channel: string; revoked: number }> {
  const channel = await channelBySlugOr404(prisma, channelSlug);
  const { count } = await prisma.streamKey.updateMany({
    where: { channelId: channel.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return { channel: channel.slug, revoked: count };
}

/** The channel an active key publishes to, or undefined for an unknown or revoked key. */
export async function channelForStreamKey(prisma: PrismaClient, key: string) {
  if (!key.startsWith(KEY_PREFIX) || key.length > 100) return undefined;
  const row = await prisma.streamKey.findUnique({ where: { keyHash: hashStreamKey(key) }, include: { channel: true } });
  return row && row.revokedAt === null ? row.channel : undefined;
}
