// Who may watch a channel. A public channel: everyone. A private one: its team (owner, moderators,
// admins, signed in) and whoever presents one of its active viewer tokens: as a bearer token (WHEP
// players, API clients), a `token` query parameter (external HLS players), or the access cookie
// the channel page sets from a share link (so the browser's HLS, socket.io and API requests all
// carry it without the web app passing it around). Every way a stream or a recording leaves the
// server asks here, so the rule lives in one place.
import { fastifyCookie as cookie } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { WatchableChannel } from '../../common/access/watch-guard.ts';
import type { PrismaClient } from '../../common/db/database.ts';
import { PrivateChannelError } from '../../common/errors.ts';
import { queryToken } from '../../common/http/query-token.ts';
import { userOf } from '../accounts/auth.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { canModerateChannel } from '../channels/permissions.ts';
import { isViewerTokenOf } from './viewer-tokens.ts';

export interface WatchCredentials {
  user: SessionUser | undefined;
  /** Viewer tokens the caller presented, in any of the ways above. */
  tokens: string[];
}

/** At most this many tokens are checked per request: each costs a lookup. */
const MAX_TOKENS_CHECKED = 3;

export async function canWatch(
  prisma: PrismaClient,
  channel: WatchableChannel,
  credentials: WatchCredentials,
): Promise<boolean> {
  if (!channel.private) return true;
  if (await canModerateChannel(prisma, credentials.user, channel)) return true;
  for (const token of credentials.tokens.slice(0, MAX_TOKENS_CHECKED)) {
    if (await isViewerTokenOf(prisma, channel.id, token)) return true;
  }
  return false;
}

/** The cookie holding a browser's viewer token for one channel (by id: slugs can change). */
export function accessCookieName(channelId: string): string {
  return `aethex_view_${channelId.replaceAll('-', '')}`;
}

/** Tokens an HTTP request carries for the channel: bearer, `?token=`, the channel's access cookie. */
export function requestTokens(request: FastifyRequest, channelId: string): string[] {
  const tokens: string[] = [];
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) tokens.push(bearer);
  const query = queryToken(request);
  if (query) tokens.push(query);
  const fromCookie = request.cookies?.[accessCookieName(channelId)];
  if (fromCookie) tokens.push(fromCookie);
  return tokens;
}

/** The token in a raw Cookie header (a socket.io handshake) for the channel, if any. */
export function cookieHeaderTokens(header: string | undefined, channelId: string): string[] {
  if (!header) return [];
  const token = cookie.parse(header)[accessCookieName(channelId)];
  return token ? [token] : [];
}

/** Whether this HTTP request may watch the channel. */
export async function requestCanWatch(
  prisma: PrismaClient,
  request: FastifyRequest,
  channel: WatchableChannel,
): Promise<boolean> {
  if (!channel.private) return true;
  return canWatch(prisma, channel, { user: await userOf(request), tokens: requestTokens(request, channel.id) });
}

/** Throws PrivateChannelError (403) unless this HTTP request may watch the channel. */
export async function assertRequestCanWatch(
  prisma: PrismaClient,
  request: FastifyRequest,
  channel: WatchableChannel,
): Promise<void> {
  if (!(await requestCanWatch(prisma, request, channel))) throw new PrivateChannelError(channel.slug);
}
