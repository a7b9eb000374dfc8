import type { Logger } from '../logger.ts';
import { LocalPubSub } from './local-pubsub.ts';
import type { PubSub } from './pubsub.ts';
import { RedisPubSub } from './redis-pubsub.ts';

export type { PubSub, Unsubscribe } from './pubsub.ts';

/** Redis when a URL is configured, in-process otherwise: the one place that chooses. */
export async function createPubSub(redisUrl: string | undefined, logger: Logger): Promise<PubSub> {
  return redisUrl ? RedisPubSub.connect(redisUrl, logger) : new LocalPubSub();
}
