// The database side of live streams, as signaling needs it (common/live/channel-directory.ts).
import type { PrismaClient } from '../../common/db/database.ts';
import type { ChannelDirectory, ChannelRef } from '../../common/live/channel-directory.ts';
import { isTrustedOrigin, sessionFromCookieHeader } from '../accounts/auth.ts';
import { canManageChannel } from '../channels/permissions.ts';
import { channelForStreamKey } from '../stream-keys/stream-keys.ts';
import { canWatch, cookieHeaderTokens } from '../viewer-access/watch-access.ts';

export interface StreamDirectoryOptions {
  /** PUBLIC_URL: pages at its origin may publish with the session, besides pages of the handshake's Host. */
  publicUrl?: string | undefined;
}

/** Without PUBLIC_URL only the Host may match: `.invalid` (RFC 2606) is never a page's origin. */
const NO_PUBLIC_URL = 'http://public-url.invalid';

export function createStreamDirectory(prisma: PrismaClient, options: StreamDirectoryOptions = {}): ChannelDirectory {
  return {
    async channelForStreamKey(key) {
      const channel = await channelForStreamKey(prisma, key);
      if (!channel) return undefined;
      return { id: channel.id, slug: channel.slug, musicKbps: channel.mode === 'dj' ? channel.audioKbps : null };
    },

    async channelForPublisherSession(handshake, slug) {
      // Cross-site WebSocket hijacking: another site's page can open a socket that carries our
      // cookie, but not with our Origin.
      if (!isTrustedOrigin(handshake.origin, handshake.host, options.publicUrl ?? NO_PUBLIC_URL)) return undefined;
      const session = await sessionFromCookieHeader(prisma, handshake.cookie);
      if (!session) return undefined;
      const channel = await prisma.channel.findUnique({
        where: { slug: slug.trim().toLowerCase() },
        select: { id: true, slug: true, ownerId: true },
      });
      if (!channel || !canManageChannel(session.user, channel)) return undefined;
      return { id: channel.id, slug: channel.slug };
    },

    async channelToWatch(slug, viewer) {
      const channel = await prisma.channel.findUnique({
        where: { slug: slug.trim().toLowerCase() },
        select: { id: true, slug: true, ownerId: true, private: true, webrtcSeats: true },
      });
      if (!channel) return undefined;
      const ref = { id: channel.id, slug: channel.slug, webrtcSeats: channel.webrtcSeats };
      if (!channel.private) return ref;
      // Cookies (session, access) count only from our own pages: another site's page could open a
      // socket that carries them and receive the stream on the victim's behalf.
      const { handshake } = viewer;
      const fromOurPage = isTrustedOrigin(handshake.origin, handshake.host, options.publicUrl ?? NO_PUBLIC_URL);
      const user = fromOurPage ? (await sessionFromCookieHeader(prisma, handshake.cookie))?.user : undefined;
      const tokens = [
        ...(viewer.token ? [viewer.token] : []),
        ...(fromOurPage ? cookieHeaderTokens(handshake.cookie, channel.id) : []),
      ];
      return (await canWatch(prisma, channel, { user, tokens })) ? ref : 'private';
    },

    async streamStarted(channel: ChannelRef) {
      const startedAt = new Date();
      const stream = await prisma.$transaction(async (tx) => {
        // A stream left 'live' by a crash can't still be live: this start supersedes it.
        await tx.stream.updateMany({
          where: { channelId: channel.id, state: 'live' },
          data: { state: 'ended', endedAt: startedAt },
        });
        const info = await tx.channel.findUniqueOrThrow({
          where: { id: channel.id },
          select: { title: true, category: true },
        });
        return tx.stream.create({
          data: { channelId: channel.id, state: 'live', startedAt, title: info.title, category: info.category },
        });
      });
      return { streamId: stream.id, startedAt };
    },

    async streamEnded(streamId) {
      await prisma.stream.updateMany({
        where: { id: streamId, state: 'live' },
        data: { state: 'ended', endedAt: new Date(), viewers: 0 },
      });
    },

    async viewersChanged(streamId, viewers) {
      // Keep the peak in the same statement, so concurrent writers can't lower it.
      await prisma.$executeRaw`UPDATE "Stream" SET "viewers" = ${viewers}, "peakViewers" = GREATEST("peakViewers", ${viewers}) WHERE "id" = ${streamId}::uuid`;
    },
  };
}
