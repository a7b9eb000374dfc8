// When a channel's access narrows (a viewer token revoked, the channel made private), the people
// watching it must be asked again, and they may be connected to another process. The API publishes
// the channel's id on the pub/sub (in-process, or Redis across processes); every process with
// signaling rechecks its viewers of that channel (signaling/media-signaling.ts, WHEP sessions).
import type { Logger } from '../../common/logger.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';

const TOPIC = 'channel-access-narrowed';

/** Tells every process that `channelId`'s access narrowed. Never throws: a lost message leaves viewers as they were. */
export type AccessNarrowed = (channelId: string) => void;

export function accessNarrowedPublisher(pubsub: PubSub, logger: Logger): AccessNarrowed {
  return (channelId) => {
    pubsub.publish(TOPIC, { channelId }).catch((error: unknown) => logger.warn({ err: error, channelId }, 'could not announce an access change'));
  };
}

export function onAccessNarrowed(pubsub: PubSub, handler: (channelId: string) => void): Promise<Unsubscribe> {
  return pubsub.subscribe(TOPIC, (message) => {
    const channelId = (message as { channelId?: unknown } | null)?.channelId;
    if (typeof channelId === 'string') handler(channelId);
  });
}
