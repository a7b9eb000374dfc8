// Viewer tokens let their holders watch a private channel: the owner shares a link with one, or
// hands it to a WHEP player as its bearer token. Like stream keys: 160 random bits, only the
// SHA-256 stored, shown once, revocable (a revoked token stops working at the next request).
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../common/db/database.ts';

const TOKEN_PREFIX = 'view_';
/** Enough for every audience a creator shares with; more is a leak waiting to happen. */
export const MAX_ACTIVE_VIEWER_TOKENS = 50;

export interface IssuedViewerToken {
  /** The secret itself: shown once, never stored. */
  token: string;
  id: string;
  label: string;
  prefix: string;
  createdAt: Date;
}

export interface ViewerTokenInfo {
  id: string;
  label: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

function hashViewerToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function issueViewerToken(
  prisma: PrismaClient,
  channelId: string,
  label: string,
): Promise<IssuedViewerToken> {
  const token = TOKEN_PREFIX + randomBytes(20).toString('base64url');
  const prefix = token.slice(0, TOKEN_PREFIX.length + 4);
  const row = await prisma.viewerToken.create({
    data: { channelId, tokenHash: hashViewerToken(token), prefix, label },
  });
  return { token, id: row.id, label: row.label, prefix, createdAt: row.createdAt };
}

/** The channel's tokens, newest first, revoked ones included. */
export function listViewerTokens(prisma: PrismaClient, channelId: string, limit = 200): Promise<ViewerTokenInfo[]> {
  return prisma.viewerToken.findMany({
    where: { channelId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: { id: true, label: true, prefix: true, createdAt: true, revokedAt: true },
  });
}

export function countActiveViewerTokens(prisma: PrismaClient, channelId: string): Promise<number> {
  return prisma.viewerToken.count({ where: { channelId, revokedAt: null } });
}

/** Revokes one token of the channel; false when the channel has no token with that id. */
export async function revokeViewerToken(prisma: PrismaClient, channelId: string, tokenId: string): Promise<boolean> {
  const row = await prisma.viewerToken.findFirst({ where: { id: tokenId, channelId }, select: { id: true } });
  if (!row) return false;
  await prisma.viewerToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
  return true;
}

/** Whether `token` is an active viewer token of the channel. */
export async function isViewerTokenOf(prisma: PrismaClient, channelId: string, token: string): Promise<boolean> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return false;
  const row = await prisma.viewerToken.findUnique({
    where: { tokenHash: hashViewerToken(token) },
    select: { channelId: true, revokedAt: true },
  });
  return row !== null && row.channelId === channelId && row.revokedAt === null;
}
