// "End stream" pressed where the stream is not published from (another device, an admin): the API
// can't reach the live state, which belongs to whichever signaling process carries the channel.
// It announces the request on the pub/sub (in-process, or Redis across processes), as
// access-changes.ts does; every signaling process hears it and the one holding the channel's
// stream ends it: its publisher is let go as a replaced one is, and the stream ends now.
import { randomUUID } from 'node:crypto';
import type { ChannelRef } from '../../common/live/channel-directory.ts';
import type { Logger } from '../../common/logger.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';
import type { StreamStatus } from '../../common/protocol/media-signaling.ts';

const TOPIC = 'stream-end-requested';

/** Asks every process to end the channel's live stream. Never throws: a lost message leaves the stream live. */
export type StreamEndRequested = (channel: ChannelRef) => void;

export function streamEndRequestedPublisher(pubsub: PubSub, logger: Logger): StreamEndRequested {
  return (channel) => {
    pubsub
      .publish(TOPIC, { id: channel.id, slug: channel.slug })
      .catch((error: unknown) => logger.warn({ err: error, channel: channel.slug }, 'could not ask to end a stream'));
  };
}

export function onStreamEndRequested(pubsub: PubSub, handler: (channel: ChannelRef) => void): Promise<Unsubscribe> {
  return pubsub.subscribe(TOPIC, (message) => {
    const { id, slug } = (message ?? {}) as { id?: unknown; slug?: unknown };
    if (typeof id === 'string' && typeof slug === 'string') handler({ id, slug });
  });
}

/** What ending a stream needs of the live state (signaling/live-state.ts's LiveRegistry). */
export interface EndableLiveStreams {
  status(channel: ChannelRef): StreamStatus;
  publisherOf(channel: ChannelRef): string | null;
  claimPublisher(channel: ChannelRef, sessionId: string, onReplaced?: () => void): Promise<boolean>;
  publisherEnded(channel: ChannelRef, sessionId: string): Promise<void>;
}

/**
 * Ends the channel's stream if this process carries it; false if it doesn't. The request claims
 * the publisher slot for a moment, which lets the publishing session go (it is told through the
 * `onReplaced` it claimed with, so it stops sending and won't resume), then ends the stream as its
 * publisher, at once. With PUBLISHER_TAKEOVER=refuse a present publisher can't be let go this way:
 * the stream is ended as that publisher, but its session is not told and its media stays in the
 * room until it leaves (telling it needs a way in LiveStreams to end a session for a reason).
 */
export async function endLiveStream(live: EndableLiveStreams, channel: ChannelRef): Promise<boolean> {
  if (!live.status(channel).live) return false;
  const ender = `end-request:${randomUUID()}`;
  if (await live.claimPublisher(channel, ender)) {
    await live.publisherEnded(channel, ender);
    return true;
  }
  const publisher = live.publisherOf(channel);
  if (publisher) await live.publisherEnded(channel, publisher);
  return true;
}
