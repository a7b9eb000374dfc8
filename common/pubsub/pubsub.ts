// Messages between the parts of the platform (stream went live, viewer counts, chat fan-out) go
// through this interface. One process uses the in-process implementation; several processes share
// Redis. Both run the same calling code, chosen once in createPubSub.
export type Unsubscribe = () => void;

export interface PubSub {
  readonly kind: 'local' | 'redis';
  publish(topic: string, message: unknown): Promise<void>;
  /** Handlers receive messages published on `topic` by any process after the subscription. */
  subscribe(topic: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  /** Round-trip time in milliseconds; throws when the broker is unreachable. */
  ping(): Promise<number>;
  close(): Promise<void>;
}
