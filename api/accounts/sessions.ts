// Login sessions in the Lucia model (lucia-auth.com, the retired library's own guide): the cookie
// holds a random token; the database stores only its SHA-256, so a database leak hands out no
// sessions. Sessions slide: one used in the second half of its life is extended to a full term.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../common/db/database.ts';

export const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;
const RENEW_WHEN_LEFT_MS = SESSION_LIFETIME_MS / 2;
const TOKEN = /^[a-z2-7]{32}$/;

export interface SessionUser {
  id: string;
  email: string;
  username: string;
  name: string;
  role: 'viewer' | 'creator' | 'admin';
}

export interface ValidSession {
  id: string;
  user: SessionUser;
  expiresAt: Date;
  /** True when this validation extended the session: the cookie must be sent again. */
  renewed: boolean;
}

/** 160 random bits, base32 (lowercase, no padding): 32 characters. */
export function generateSessionToken(): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(20));
}

export function sessionIdOf(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(prisma: PrismaClient, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = generateSessionToken();
  const expiresAt = new Date(Date.now() + SESSION_LIFETIME_MS);
  await prisma.session.create({ data: { id: sessionIdOf(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The session a token stands for, or undefined for a malformed, unknown or expired token. */
export async function validateSessionToken(prisma: PrismaClient, token: string): Promise<ValidSession | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const id = sessionIdOf(token);
  const row = await prisma.session.findUnique({
    where: { id },
    include: { user: { select: { id: true, email: true, username: true, name: true, role: true } } },
  });
  if (!row) return undefined;
  const now = Date.now();
  if (row.expiresAt.getTime() <= now) {
    await prisma.session.deleteMany({ where: { id } });
    return undefined;
  }
  let expiresAt = row.expiresAt;
  let renewed = false;
  if (expiresAt.getTime() - now < RENEW_WHEN_LEFT_MS) {
    expiresAt = new Date(now + SESSION_LIFETIME_MS);
    await prisma.session.update({ where: { id }, data: { expiresAt } });
    renewed = true;
  }
  return { id, user: row.user, expiresAt, renewed };
}

export async function invalidateSession(prisma: PrismaClient, sessionId: string): Promise<void> {
  await prisma.session.deleteMany({ where: { id: sessionId } });
}

/** Ends every session of the user except `keep` (after a password change); the ids it ended. */
export async function invalidateOtherSessions(
  prisma: PrismaClient,
  userId: string,
  keep: string | undefined,
): Promise<string[]> {
  const where = { userId, ...(keep ? { id: { not: keep } } : {}) };
  return prisma.$transaction(async (tx) => {
    const ended = await tx.session.findMany({ where, select: { id: true } });
    await tx.session.deleteMany({ where: { id: { in: ended.map((s) => s.id) } } });
    return ended.map((s) => s.id);
  });
}

export async function deleteExpiredSessions(prisma: PrismaClient): Promise<number> {
  const { count } = await prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } });
  return count;
}
