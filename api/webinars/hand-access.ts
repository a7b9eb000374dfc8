// Who may do what with raised hands. Hosts and co-hosts run the queue (webinar-access.ts); an
// attendee is anyone signed in who may watch the webinar (its channel's privacy, and an approved
// registration when its audience is 'registered') and is not on its stage list already.
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, ConflictError } from '../../common/errors.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { canManageChannel } from '../channels/permissions.ts';
import { RegistrationRepository } from './registration-repository.ts';
import type { WebinarRow } from './webinar-repository.ts';

/** Throws unless `user` attends `webinar` (watching allowed by the caller's check of the channel). */
export async function assertAttendee(prisma: PrismaClient, webinar: WebinarRow, user: SessionUser): Promise<void> {
  if (canManageChannel(user, webinar.channel))
    throw new ConflictError('already_member', 'The host is on the stage already.');
  if (
    webinar.audience === 'registered' &&
    !(await new RegistrationRepository(prisma).isApproved(webinar.id, { userId: user.id }))
  )
    throw new AppError(403, 'registration_required', 'This webinar is for registered attendees only.');
}

/** Whether `userId` is on the webinar's stage list (a co-host, a panelist, a guest). */
export async function isStageMember(prisma: PrismaClient, webinarId: string, userId: string): Promise<boolean> {
  return (await prisma.webinarMember.count({ where: { webinarId, userId } })) > 0;
}
