// A webinar going live or ending, announced to every process: the one whose recorder holds the
// webinar's room records its stage from the start and makes the VOD at the end. The API publishes
// after the state change is stored; the recorder role subscribes (platform/recorder-role.ts).
import type { ChannelRef } from '../../common/live/channel-directory.ts';
import type { Logger } from '../../common/logger.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';

const TOPIC = 'webinar-broadcast';

export type WebinarBroadcast =
  { webinarId: string; live: true; channel: ChannelRef; streamId: string } | { webinarId: string; live: false };

/** Never throws: a lost announcement loses the recording, not the webinar (logged). */
export type WebinarBroadcastPublisher = (broadcast: WebinarBroadcast) => void;

export function webinarBroadcastPublisher(pubsub: PubSub, logger: Logger): WebinarBroadcastPublisher {
  return (broadcast) => {
    pubsub
      .publish(TOPIC, broadcast)
      .catch((error: unknown) =>
        logger.error(
          { err: error, webinar: broadcast.webinarId },
          'could not announce that a webinar started or ended',
        ),
      );
  };
}

export function onWebinarBroadcast(
  pubsub: PubSub,
  handler: (broadcast: WebinarBroadcast) => void,
): Promise<Unsubscribe> {
  return pubsub.subscribe(TOPIC, (message) => {
    const { webinarId, live, channel, streamId } = (message ?? {}) as Record<string, unknown>;
    if (typeof webinarId !== 'string') return;
    if (live === false) return handler({ webinarId, live });
    const ref = channel as Partial<ChannelRef> | undefined;
    if (live !== true || typeof streamId !== 'string' || typeof ref?.id !== 'string' || typeof ref.slug !== 'string')
      return;
    handler({ webinarId, live, streamId, channel: { id: ref.id, slug: ref.slug } });
  });
}
