import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { PubSub, Unsubscribe } from './pubsub.ts';

/**
 * Pub/sub over Redis for several processes. Redis needs a dedicated connection for subscribing,
 * so this holds two. Messages are JSON.
 */
export class RedisPubSub implements PubSub {
  readonly kind = 'redis';
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #handlers = new Map<string, Set<(message: unknown) => void>>();
  readonly #logger: Logger;

  static async connect(url: string, logger: Logger): Promise<RedisPubSub> {
    const pubsub = new RedisPubSub(url, logger);
    try {
      await Promise.all([pubsub.#publisher.connect(), pubsub.#subscriber.connect()]);
    } catch (error) {
      await pubsub.close();
      throw new Error(`Could not connect to Redis at REDIS_URL: ${(error as Error).message}`, { cause: error });
    }
    return pubsub;
  }

  private constructor(url: string, logger: Logger) {
    this.#logger = logger.child({ component: 'redis-pubsub' });
    // lazyConnect so connect() rejects on a bad URL at boot instead of retrying forever in silence.
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000 };
    this.#publisher = new Redis(url, options);
    this.#subscriber = new Redis(url, options);
    for (const connection of [this.#publisher, this.#subscriber]) {
      connection.on('error', (error) => this.#logger.warn({ err: error }, 'redis connection error'));
    }
    this.#subscriber.on('message', (topic: string, raw: string) => this.#deliver(topic, raw));
  }

  async publish(topic: string, message: unknown): Promise<void> {
    await this.#publisher.publish(topic, JSON.stringify(message));
  }

  async subscribe(topic: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    let handlers = this.#handlers.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(topic, handlers);
      await this.#subscriber.subscribe(topic);
    }
    handlers.add(handler);
    return () => {
      const current = this.#handlers.get(topic);
      if (!current?.delete(handler) || current.size > 0) return;
      this.#handlers.delete(topic);
      this.#subscriber
        .unsubscribe(topic)
        .catch((error: unknown) => this.#logger.warn({ err: error, topic }, 'unsubscribe failed'));
    };
  }

  async ping(): Promise<number> {
    const start = performance.now();
    await this.#publisher.ping();
    return Math.round((performance.now() - start) * 100) / 100;
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }

  #deliver(topic: string, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch (error) {
      this.#logger.warn({ err: error, topic }, 'dropped a message that is not JSON');
      return;
    }
    for (const handler of this.#handlers.get(topic) ?? []) handler(message);
  }
}
