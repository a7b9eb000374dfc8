// The database side of a webinar's stage, as signaling asks it (common/live/webinar-stage.ts): the
// caller's seat, from their session (cookies count only from our own pages, as for channels) and
// the webinar's members. Attendance follows the webinar's audience; a private channel's webinar
// lets in only those who may watch the channel.
import type { PrismaClient } from '../../common/db/database.ts';
import type { ViewerCredentials } from '../../common/live/channel-directory.ts';
import type { SeatRefusal, StageSeat, WebinarStageDirectory } from '../../common/live/webinar-stage.ts';
import { isTrustedOrigin, sessionFromCookieHeader } from '../accounts/auth.ts';
import { canManageChannel } from '../channels/permissions.ts';
import { canWatch, cookieHeaderTokens } from '../viewer-access/watch-access.ts';
import { fastifyCookie as cookie } from '@fastify/cookie';
import { joinCookieName, RegistrationRepository } from './registration-repository.ts';
import { WebinarRepository } from './webinar-repository.ts';

/** Without PUBLIC_URL only the Host may match: `.invalid` (RFC 2606) is never a page's origin. */
const NO_PUBLIC_URL = 'http://public-url.invalid';

export function createWebinarStageDirectory(
  prisma: PrismaClient,
  options: { publicUrl?: string | undefined } = {},
): WebinarStageDirectory {
  const webinars = new WebinarRepository(prisma);
  const registrations = new RegistrationRepository(prisma);
  return {
    async seatAt(webinarId, caller: ViewerCredentials): Promise<StageSeat | SeatRefusal> {
      const webinar = await webinars.byId(webinarId);
      if (!webinar) return 'not_found';
      const { handshake } = caller;
      const fromOurPage = isTrustedOrigin(handshake.origin, handshake.host, options.publicUrl ?? NO_PUBLIC_URL);
      const user = fromOurPage ? (await sessionFromCookieHeader(prisma, handshake.cookie))?.user : undefined;
      const seat = (
        role: StageSeat['role'],
        onStage: boolean,
        who: { id: string; name: string } | undefined = user,
      ): StageSeat => ({
        webinarId: webinar.id,
        channel: { id: webinar.channel.id, slug: webinar.channel.slug },
        state: webinar.state,
        role,
        onStage: onStage && webinar.state !== 'ended',
        userId: who?.id,
        name: who?.name ?? 'Guest',
      });
      if (user && canManageChannel(user, webinar.channel)) return seat('host', true);
      const member = user
        ? await prisma.webinarMember.findUnique({ where: { webinarId_userId: { webinarId, userId: user.id } } })
        : null;
      if (member) return seat(member.role, member.onStage);

      const tokens = [
        ...(caller.token ? [caller.token] : []),
        ...(fromOurPage ? cookieHeaderTokens(handshake.cookie, webinar.channel.id) : []),
      ];
      if (!(await canWatch(prisma, webinar.channel, { user, tokens }))) return 'private';
      if (webinar.audience === 'registered') {
        // An approved registrant: signed in, or holding their personal join link's token.
        // The join link's token comes as the join's viewerToken, or in the cookie its page set.
        const fromCookie =
          fromOurPage && handshake.cookie ? cookie.parse(handshake.cookie)[joinCookieName(webinar.id)] : undefined;
        const token = caller.token?.startsWith('wreg_') ? caller.token : fromCookie;
        const registration = await registrations.isApproved(webinar.id, { userId: user?.id, token });
        if (!registration) return user || token ? 'registration_required' : 'sign_in';
        return seat('attendee', false, registration.user);
      }
      if (webinar.audience === 'signed_in' && !user) return 'sign_in';
      return seat('attendee', false);
    },
  };
}
