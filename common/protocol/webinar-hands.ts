// Raised hands onto a webinar's stage: what the REST routes answer (api/webinars/hand-routes.ts)
// and the /hands socket.io namespace that pushes each change to the hosts and to the attendee it
// concerns. Promotion takes both sides' consent: a host invites (a raised hand or anyone watching),
// the attendee accepts ("Join stage") within HAND_INVITATION_TTL_MS and becomes a guest on the
// stage for this webinar only, until a host moves them back to the audience.
//
// Socket protocol: the client emits `watch` { webinar } with an ack; the reply is
// `{ ok: true, ...HandsWatch }` or `{ ok: false, error: Problem }`. Then hosts get `queue` and the
// attendee gets `mine` whenever they change. Changes themselves go through the REST routes.
import type { Problem } from './problem.ts';
import type { HandEntry, HandInvitation, HandQueue, MyHand } from './rest/webinar-hands.ts';

export type { HandEntry, HandInvitation, HandQueue, MyHand };

export const HANDS_NAMESPACE = '/hands';

/** How long an invitation to the stage waits for the attendee's answer. */
export const HAND_INVITATION_TTL_MS = 2 * 60_000;

/** What `watch` answers: a host gets the queue, anyone else signed in their own state. */
export type HandsWatch = { role: 'host'; queue: HandQueue } | { role: 'attendee'; mine: MyHand };

export type HandsAck<T extends object> = (reply: ({ ok: true } & T) | { ok: false; error: Problem }) => void;

export interface HandsClientEvents {
  watch: (payload: { webinar: string }, ack: HandsAck<HandsWatch>) => void;
  unwatch: (payload: { webinar: string }, ack: HandsAck<Record<never, never>>) => void;
}

export interface HandsServerEvents {
  /** To the webinar's hosts: the queue changed. */
  queue: (queue: HandQueue) => void;
  /** To one attendee: their hand, invitation or guest place changed (or hand raising was turned on or off). */
  mine: (mine: MyHand) => void;
  /** To everyone watching the webinar's hands: a host turned hand raising on or off. */
  handRaising: (change: { webinarId: string; handRaising: boolean }) => void;
}
