// The check in front of every media and recording route (live HLS, VOD and clip files and APIs):
// passes for a public channel, asks watch-access.ts for a private one. A segment request comes every
// second from every HLS viewer, so what the guard needs of a channel (id, owner, privacy) is kept
// for a few seconds instead of read per request: making a channel private takes effect within
// PRIVACY_CACHE_MS. Tokens and sessions are always checked fresh (revocation is immediate).
import type { FastifyRequest } from 'fastify';
import type { WatchableChannel, WatchGuard } from '../../common/access/watch-guard.ts';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, NotFoundError, UnauthorizedError } from '../../common/errors.ts';
import { queryToken } from '../../common/http/query-token.ts';
import { userOf } from '../accounts/auth.ts';
import { canManageChannel, type ChannelRow } from '../channels/permissions.ts';
import { joinCookieName, RegistrationRepository } from '../webinars/registration-repository.ts';
import { assertRequestCanWatch, requestTokens } from './watch-access.ts';

const PRIVACY_CACHE_MS = 5000;
/** Bounds the cache: far more channels than are watched at once. */
const MAX_CACHED = 10_000;

export type { WatchGuard };

const SELECT = { id: true, slug: true, ownerId: true, private: true } as const;

interface AudienceRule {
  audience: 'anyone' | 'signed_in' | 'registered';
  channel: ChannelRow;
}

export function createWatchGuard(prisma: PrismaClient): WatchGuard {
  const cache = new Map<string, { channel: WatchableChannel | null; at: number }>();
  /** A webinar's audience rule, kept like a channel's privacy (a segment request per viewer per second). */
  const audiences = new Map<string, { webinar: AudienceRule | null; at: number }>();
  const registrations = new RegistrationRepository(prisma);

  async function cached(key: string, load: () => Promise<WatchableChannel | null>): Promise<WatchableChannel | null> {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < PRIVACY_CACHE_MS) return hit.channel;
    const channel = await load();
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, { channel, at: Date.now() });
    return channel;
  }

  async function guard(
    request: FastifyRequest,
    channel: WatchableChannel | null,
    what: string,
  ): Promise<WatchableChannel> {
    if (!channel) throw new NotFoundError('Channel', what);
    await assertRequestCanWatch(prisma, request, channel);
    return channel;
  }

  return {
    async channelBySlug(request, slug) {
      const normalized = slug.trim().toLowerCase();
      const channel = await cached(`slug:${normalized}`, () =>
        prisma.channel.findUnique({ where: { slug: normalized }, select: SELECT }),
      );
      return guard(request, channel, slug);
    },
    async channelById(request, id) {
      const channel = await cached(`id:${id}`, () => prisma.channel.findUnique({ where: { id }, select: SELECT }));
      return guard(request, channel, id);
    },
    async assertMayAttend(request, webinarId) {
      let hit = audiences.get(webinarId);
      if (!hit || Date.now() - hit.at >= PRIVACY_CACHE_MS) {
        const row = await prisma.webinar.findUnique({
          where: { id: webinarId },
          select: { audience: true, channel: { select: { id: true, slug: true, ownerId: true } } },
        });
        hit = { webinar: row && { audience: row.audience, channel: row.channel }, at: Date.now() };
        if (audiences.size >= MAX_CACHED) audiences.clear();
        audiences.set(webinarId, hit);
      }
      const { webinar } = hit;
      if (!webinar) throw new NotFoundError('Webinar', webinarId);
      if (webinar.audience === 'anyone') return { restricted: false };
      const user = await userOf(request);
      // A registrant's personal join link: its token travels as `?token=` (repeated in the playlists'
      // URIs), or in the cookie the webinar's page set from it.
      const token =
        requestTokens(request, webinar.channel.id).find((t) => t.startsWith('wreg_')) ??
        request.cookies?.[joinCookieName(webinarId)];
      if (!user && !token) throw new UnauthorizedError('Sign in to attend this webinar.');
      if (user && (webinar.audience === 'signed_in' || canManageChannel(user, webinar.channel)))
        return { restricted: true };
      if (webinar.audience === 'signed_in') throw new UnauthorizedError('Sign in to attend this webinar.');
      // The stage's own people, and approved registrants (signed in, or by their join link).
      const member =
        user &&
        (await prisma.webinarMember.findUnique({
          where: { webinarId_userId: { webinarId, userId: user.id } },
          select: { role: true },
        }));
      if (!member && !(await registrations.isApproved(webinarId, { userId: user?.id, token })))
        throw new AppError(403, 'registration_required', 'This webinar is for registered attendees only.');
      return { restricted: true };
    },
    async attendeeOf(request, webinarId) {
      const user = await userOf(request);
      if (user) return user.id;
      // The join link's token, as assertMayAttend reads it: in the page's cookie or the playlist's query.
      const query = queryToken(request);
      const token = request.cookies?.[joinCookieName(webinarId)] ?? (query?.startsWith('wreg_') ? query : undefined);
      if (!token) return undefined;
      return (await registrations.isApproved(webinarId, { token }))?.userId;
    },
  };
}
