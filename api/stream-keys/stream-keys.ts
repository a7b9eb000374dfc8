// Stream keys let a tool publish to a channel (OBS over WHIP, the CLI). A key is 160 random bits;
// only its SHA-256 is stored, so a database leak does not leak keys, and the key is shown once.
// A plain hash (not scrypt) is right here: the key has full entropy, and it is checked on every
// publish.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../common/db/database.ts';
import { findChannelBySlug } from '../channels/channels.ts';

const KEY_PREFIX = 'live_';

export interface IssuedStreamKey {
  /** The secret itself: shown once, never stored. */
  key: string;
  id: string;
  channel: string;
  prefix: string;
  createdAt: Date;
}

export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Issues a new key for the channel. Older keys stay valid until revoked (rotation without downtime). */
export async function createStreamKey(prisma: PrismaClient, channelSlug: string): Promise<IssuedStreamKey> {
  const channel = await findChannelBySlug(prisma, channelSlug);
  const key = KEY_PREFIX + randomBytes(20).toString('base64url');
  const prefix = key.slice(0, KEY_PREFIX.length + 4);
  const row = await prisma.streamKey.create({ data: { channelId: channel.id, keyHash: hashStreamKey(key), prefix } });
  return { key, id: row.id, channel: channel.slug, prefix, createdAt: row.createdAt };
}

/** Revokes every active key of the channel; returns how many were revoked. */
export async function revokeStreamKeys(prisma: PrismaClient, channelSlug: string): Promise<{ channel: string; revoked: number }> {
  const channel = await findChannelBySlug(prisma, channelSlug);
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
