// When a webinar's stage changes (a member moved off it or removed, the webinar ended), the
// sessions in its room must be asked again, and they may be on another process. The API publishes
// the change on the pub/sub (in-process, or Redis across processes); every process with signaling
// hands it to its media sessions (signaling/media-signaling.ts), which close the producers of
// whoever is no longer on stage, and let go of attendees once the webinar ended.
import type { StageChange } from '../../common/live/webinar-stage.ts';
import type { Logger } from '../../common/logger.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';

const TOPIC = 'webinar-stage';

/** Announces a stage change to every process. Never throws: the next produce is checked anyway. */
export type StageChanged = (change: StageChange) => void;

export function stageChangedPublisher(pubsub: PubSub, logger: Logger): StageChanged {
  return (change) => {
    pubsub
      .publish(TOPIC, change)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not announce a stage change'));
  };
}

export function onStageChanged(pubsub: PubSub, handler: (change: StageChange) => void): Promise<Unsubscribe> {
  return pubsub.subscribe(TOPIC, (message) => {
    const { webinarId, userId } = (message ?? {}) as { webinarId?: unknown; userId?: unknown };
    if (typeof webinarId !== 'string') return;
    handler({ webinarId, ...(typeof userId === 'string' ? { userId } : {}) });
  });
}
