// When access narrows, the people watching must be asked again, and they may be connected to
// another process. What narrowed is one of two things: a channel's rules (a viewer token revoked,
// the channel made private, a moderator removed) or sessions that ended (log-out, a password
// change ending the others): a team member watching a private channel on the strength of a
// session must not go on once it ended. The API publishes the change on the pub/sub (in-process,
// or Redis across processes); every process turns it into a RecheckFilter and asks its viewers,
// WHEP sessions and chat sockets that the filter picks (signaling/media-signaling.ts,
// signaling/whip/http-sessions.ts, api/chat/chat-socket.ts).
import type { Logger } from '../../common/logger.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';
import type { RecheckFilter } from '../../common/live/channel-directory.ts';
import { sessionIdFromCookieHeader } from '../accounts/auth.ts';

const TOPIC = 'access-narrowed';

export type AccessChange = { channelId: string } | { sessionIds: string[] };

/** Tells every process that access narrowed. Never throws: a lost message leaves viewers as they were. */
export type AccessNarrowed = (change: AccessChange) => void;

export function accessNarrowedPublisher(pubsub: PubSub, logger: Logger): AccessNarrowed {
  return (change) => {
    pubsub
      .publish(TOPIC, change)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not announce an access change'));
  };
}

export function onAccessNarrowed(pubsub: PubSub, handler: (filter: RecheckFilter) => void): Promise<Unsubscribe> {
  return pubsub.subscribe(TOPIC, (message) => {
    const change = accessChangeOf(message);
    if (change) handler(recheckFilter(change));
  });
}

/** The viewers a change concerns: those of the channel, or those who joined with an ended session. */
export function recheckFilter(change: AccessChange): RecheckFilter {
  if ('channelId' in change) return (viewer) => viewer.channelId === change.channelId;
  const ended = new Set(change.sessionIds);
  return (viewer) => {
    const sessionId = sessionIdFromCookieHeader(viewer.cookie);
    return sessionId !== undefined && ended.has(sessionId);
  };
}

function accessChangeOf(message: unknown): AccessChange | undefined {
  const { channelId, sessionIds } = (message ?? {}) as { channelId?: unknown; sessionIds?: unknown };
  if (typeof channelId === 'string') return { channelId };
  if (Array.isArray(sessionIds) && sessionIds.every((id) => typeof id === 'string')) return { sessionIds };
  return undefined;
}
