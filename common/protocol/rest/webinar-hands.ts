// Raised hands as the REST routes answer them (api/webinars/hand-routes.ts); the /hands socket
// pushes the same shapes (common/protocol/webinar-hands.ts).
import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Uuid } from './schema.ts';

/** A host's invitation, until the attendee answers it, a host withdraws it, or it lapses. */
export const HandInvitation = Type.Object({ invitedAt: DateTime, expiresAt: DateTime });
export type HandInvitation = Static<typeof HandInvitation>;

/** One attendee as the hosts see them: a raised hand, an invitation waiting, or a guest on stage. */
export const HandEntry = Type.Object({
  userId: Uuid,
  username: Type.String(),
  name: Type.String(),
  /** When they raised their hand (null: not raised). */
  raisedAt: Nullable(DateTime),
  invitation: Nullable(HandInvitation),
  /** On the stage through an invitation: "Move to audience" sends them back. */
  guest: Type.Boolean(),
});
export type HandEntry = Static<typeof HandEntry>;

/** The hosts' view: the hand queue, oldest hand first, and who else is invited or on stage as a guest. */
export const HandQueue = Type.Object({
  webinarId: Uuid,
  handRaising: Type.Boolean(),
  /** Raised hands, ordered by when they were raised (each may carry an invitation already). */
  hands: Type.Array(HandEntry),
  /** Invited without a raised hand (from the attendee list, or by name). */
  invited: Type.Array(HandEntry),
  guests: Type.Array(HandEntry),
});
export type HandQueue = Static<typeof HandQueue>;

/** An attendee's own state. */
export const MyHand = Type.Object({
  webinarId: Uuid,
  /** Whether this webinar lets attendees raise a hand now. */
  handRaising: Type.Boolean(),
  raisedAt: Nullable(DateTime),
  invitation: Nullable(HandInvitation),
  /** On the stage as a guest (accepted an invitation): join it as a stage member. */
  guest: Type.Boolean(),
});
export type MyHand = Static<typeof MyHand>;
