// The rules of raised hands, free of the database: what a hand row shows the hosts and its
// attendee (an invitation counts only until it lapses), and why accepting one is refused.
import { ConflictError } from '../../common/errors.ts';
import type { HandEntry, HandInvitation, HandQueue, MyHand } from '../../common/protocol/rest/webinar-hands.ts';

export interface HandRow {
  userId: string;
  raisedAt: Date | null;
  invitedAt: Date | null;
  invitationExpiresAt: Date | null;
  guest: boolean;
}

export interface HandRowWithUser extends HandRow {
  user: { id: string; username: string; name: string };
}

/** The invitation still waiting for the attendee's answer, or null (none, or lapsed at `now`). */
export function pendingInvitation(row: HandRow | undefined, now: Date): HandInvitation | null {
  if (!row?.invitedAt || !row.invitationExpiresAt || row.invitationExpiresAt <= now) return null;
  return { invitedAt: row.invitedAt.toISOString(), expiresAt: row.invitationExpiresAt.toISOString() };
}

/** Why "Join stage" is refused at `now`, or undefined when the invitation stands. */
export function acceptRefusal(row: HandRow | undefined, now: Date): ConflictError | undefined {
  if (row?.guest) return new ConflictError('already_on_stage', 'You are on the stage already.');
  if (!row?.invitedAt) return new ConflictError('not_invited', 'Only an attendee a host invited can join the stage.');
  if (!pendingInvitation(row, now))
    return new ConflictError('invitation_expired', 'The invitation to the stage has expired; raise your hand again.');
  return undefined;
}

function toEntry(row: HandRowWithUser, now: Date): HandEntry {
  return {
    userId: row.user.id,
    username: row.user.username,
    name: row.user.name,
    raisedAt: row.raisedAt?.toISOString() ?? null,
    invitation: pendingInvitation(row, now),
    guest: row.guest,
  };
}

/** The hosts' view of a webinar's rows: raised hands oldest first, then invitations, then guests. */
export function toQueue(webinar: { id: string; handRaising: boolean }, rows: HandRowWithUser[], now: Date): HandQueue {
  const entries = rows.map((row) => toEntry(row, now));
  const byRaise = (a: HandEntry, b: HandEntry) => Date.parse(a.raisedAt!) - Date.parse(b.raisedAt!);
  return {
    webinarId: webinar.id,
    handRaising: webinar.handRaising,
    hands: entries.filter((e) => !e.guest && e.raisedAt !== null).sort(byRaise),
    invited: entries.filter((e) => !e.guest && e.raisedAt === null && e.invitation !== null),
    guests: entries.filter((e) => e.guest),
  };
}

export function toMine(webinar: { id: string; handRaising: boolean }, row: HandRow | undefined, now: Date): MyHand {
  return {
    webinarId: webinar.id,
    handRaising: webinar.handRaising,
    raisedAt: row?.raisedAt?.toISOString() ?? null,
    invitation: row?.guest ? null : pendingInvitation(row, now),
    guest: row?.guest ?? false,
  };
}
