import { EventEmitter } from 'node:events';
import type { PubSub, Unsubscribe } from './pubsub.ts';

/** In-process pub/sub: the default when no REDIS_URL is set. Messages are cloned as Redis would. */
export class LocalPubSub implements PubSub {
  readonly kind = 'local';
  readonly #events = new EventEmitter();

  constructor() {
    this.#events.setMaxListeners(0);
  }

  async publish(topic: string, message: unknown): Promise<void> {
    const copy: unknown = JSON.parse(JSON.stringify(message));
    // Deliver asynchronously, like a broker: a publisher never runs subscribers' code inline.
    queueMicrotask(() => this.#events.emit(topic, copy));
  }

  async subscribe(topic: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    this.#events.on(topic, handler);
    return () => this.#events.off(topic, handler);
  }

  async ping(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners();
  }
}
