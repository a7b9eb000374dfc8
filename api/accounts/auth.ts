// Who is calling: the session cookie, read lazily (most requests, like HLS segments, never ask),
// the CSRF guard for cookie-authenticated writes, and no caching of answers that depend on the caller.
//
// CSRF: the cookie is SameSite=Lax, so other sites' forms and fetches don't carry it on POST, PUT,
// PATCH or DELETE in current browsers; on top of that (Lucia's advice, for older browsers and
// same-site subdomains) a write that carries the cookie must come with an Origin header naming us.
import { fastifyCookie as cookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ForbiddenError, UnauthorizedError } from '../../common/errors.ts';
import {
  invalidateSession,
  sessionIdOf,
  validateSessionToken,
  type SessionUser,
  type ValidSession,
} from './sessions.ts';

export const SESSION_COOKIE = 'aethex_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthOptions {
  prisma: PrismaClient;
  /** PUBLIC_URL: its origin is always accepted for writes, besides the request's own Host. */
  publicUrl: string;
  /** Send the cookie with `Secure` (HTTPS, or loopback, which browsers treat as secure). */
  secureCookie: boolean;
}

interface SessionState {
  promise: Promise<ValidSession | undefined> | undefined;
  /** Set-Cookie to send: a renewed session's new expiry, or clearing a dead cookie. */
  pending: { token: string; expiresAt: Date } | 'clear' | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    authOptions: AuthOptions;
  }
  interface FastifyRequest {
    sessionState: SessionState | null;
  }
}

export async function registerAuth(app: FastifyInstance, authOptions: AuthOptions): Promise<void> {
  await app.register(cookie);
  app.decorate('authOptions', authOptions);
  app.decorateRequest('sessionState', null);

  app.addHook('onRequest', async (request) => {
    request.sessionState = { promise: undefined, pending: undefined };
    if (SAFE_METHODS.has(request.method) || !request.cookies[SESSION_COOKIE]) return;
    if (!isTrustedOrigin(request.headers.origin, request.headers.host, authOptions.publicUrl)) {
      throw new ForbiddenError(
        'Cross-site request refused: a signed-in write must come from this site (Origin header).',
      );
    }
  });

  app.addHook('onSend', async (request, reply) => {
    const pending = request.sessionState?.pending;
    if (pending === 'clear') clearSessionCookie(reply);
    else if (pending) setSessionCookie(reply, pending.token, pending.expiresAt);
    // An answer that looked at who is asking (/auth/me, /me/...) is kept by no cache: on a shared
    // computer the browser's back button or a proxy would show it to the next person. Routes that
    // chose their own caching (a channel's `private, no-cache`, HLS) keep theirs.
    if (request.sessionState?.promise && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
}

/** The caller's session, or undefined when signed out. Validated once per request. */
export function sessionOf(request: FastifyRequest): Promise<ValidSession | undefined> {
  const state = request.sessionState ?? (request.sessionState = { promise: undefined, pending: undefined });
  state.promise ??= (async () => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return undefined;
    const session = await validateSessionToken(request.server.authOptions.prisma, token);
    if (!session) state.pending = 'clear';
    else if (session.renewed) state.pending = { token, expiresAt: session.expiresAt };
    return session;
  })();
  return state.promise;
}

export async function userOf(request: FastifyRequest): Promise<SessionUser | undefined> {
  return (await sessionOf(request))?.user;
}

/** The signed-in user, or a 401 problem. */
export async function requireUser(request: FastifyRequest): Promise<SessionUser> {
  const user = await userOf(request);
  if (!user) throw new UnauthorizedError('Sign in to do this.');
  return user;
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, token, { ...cookieAttributes(reply), expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieAttributes(reply));
}

/** HttpOnly, SameSite=Lax, Secure as configured, for the whole site: every cookie we set. */
export function cookieAttributes(reply: FastifyReply) {
  return { httpOnly: true, sameSite: 'lax', secure: reply.server.authOptions.secureCookie, path: '/' } as const;
}

/** Signs the request's session out (logout). */
/** Signs the caller out: the session row goes and the cookie is cleared. The id it ended, if any. */
export async function endSession(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
  const session = await sessionOf(request);
  if (session) await invalidateSession(request.server.authOptions.prisma, session.id);
  if (request.sessionState) request.sessionState.pending = undefined;
  clearSessionCookie(reply);
  return session?.id;
}

/** Origin names us: the Host the request came to, or PUBLIC_URL (behind a proxy). */
export function isTrustedOrigin(origin: string | undefined, host: string | undefined, publicUrl: string): boolean {
  if (!origin) return false;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return false;
  }
  if (originUrl.origin === new URL(publicUrl).origin) return true;
  return host !== undefined && originUrl.host === host;
}

/** The session behind a raw Cookie header (socket.io handshakes). */
export async function sessionFromCookieHeader(
  prisma: PrismaClient,
  header: string | undefined,
): Promise<ValidSession | undefined> {
  if (!header) return undefined;
  const token = cookie.parse(header)[SESSION_COOKIE];
  return token ? validateSessionToken(prisma, token) : undefined;
}

/** The id of the session a raw Cookie header carries, without asking whether it is valid. */
export function sessionIdFromCookieHeader(header: string | undefined): string | undefined {
  const token = header ? cookie.parse(header)[SESSION_COOKIE] : undefined;
  return token ? sessionIdOf(token) : undefined;
}

/** Whether the user may secure cookies on this public URL: HTTPS, or a loopback host. */
export function cookieCanBeSecure(publicUrl: string): boolean {
  const url = new URL(publicUrl);
  return (
    url.protocol === 'https:' ||
    ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ||
    url.hostname.endsWith('.localhost')
  );
}
