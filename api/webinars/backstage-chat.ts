// A webinar's backstage chat reaches its stage members live through their media sessions, which
// may be on any process: the API publishes each message on the pub/sub (in-process, or Redis
// across processes) and every process with signaling hands it to its sessions on that stage.
import type { Logger } from '../../common/logger.ts';
import type { BackstageMessage } from '../../common/protocol/rest/webinars.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';

const TOPIC = 'webinar-backstage-chat';

/** Announces a stored message. Never throws: the message is kept, and the stage reads it on joining. */
export type BackstageMessagePosted = (webinarId: string, message: BackstageMessage) => void;

export function backstageMessagePublisher(pubsub: PubSub, logger: Logger): BackstageMessagePosted {
  return (webinarId, message) => {
    pubsub
      .publish(TOPIC, { webinarId, message })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not announce a backstage message'));
  };
}

export function onBackstageMessage(
  pubsub: PubSub,
  handler: (webinarId: string, message: BackstageMessage) => void,
): Promise<Unsubscribe> {
  return pubsub.subscribe(TOPIC, (payload) => {
    const { webinarId, message } = (payload ?? {}) as { webinarId?: unknown; message?: BackstageMessage };
    if (typeof webinarId !== 'string' || typeof message?.id !== 'string') return;
    handler(webinarId, message);
  });
}
