// "End stream" pressed where the stream is not published from (another device, an admin): the API
// can't reach the live state, which belongs to whichever signaling process carries the channel.
// It announces the request on the pub/sub (in-process, or Redis across processes), as
// access-changes.ts does; every signaling process hears it and the one holding the channel's
// stream ends it (LiveRegistry.endStream): its publisher is told and let go, and the stream ends now.
import type { ChannelRef } from '../../common/live/channel-directory.ts';
import type { Logger } from '../../common/logger.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';

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
