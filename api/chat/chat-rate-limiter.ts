// The per-user message rate limit: 5 messages per 5 seconds per channel, as a token bucket (a burst
// of 5, then one more each second).
//
// The buckets live in this process only: with several API processes behind a balancer, a user whose
// sockets land on different processes gets a bucket in each. That is accepted here because the limit
// is against bursts from one connection; slow mode (chat-rules.ts) reads the user's last message
// from the database and so is the rule that holds across processes.

export interface RateLimit {
  /** Messages allowed in a burst. */
  capacity: number;
  /** Seconds for the bucket to refill from empty. */
  windowSeconds: number;
}

export const CHAT_RATE_LIMIT: RateLimit = { capacity: 5, windowSeconds: 5 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** How often buckets that have refilled are forgotten, so the map holds only recent senders. */
const SWEEP_INTERVAL_MS = 60_000;

export class ChatRateLimiter {
  readonly #limit: RateLimit;
  readonly #refillPerMs: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(limit: RateLimit = CHAT_RATE_LIMIT) {
    this.#limit = limit;
    this.#refillPerMs = limit.capacity / (limit.windowSeconds * 1000);
    this.#sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.#sweeper.unref();
  }

  /** Takes one token for (channel, user) if there is one. */
  take(channelId: string, userId: string, now = Date.now()): TakeResult {
    const key = `${channelId}:${userId}`;
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.capacity, updatedAt: now };
    bucket.tokens = Math.min(this.#limit.capacity, bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMs);
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#refillPerMs / 1000)) };
  }

  /** Forgets buckets that are full again: they hold nothing a new bucket wouldn't. */
  sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMs >= this.#limit.capacity)
        this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Safe to call twice. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#buckets.clear();
  }
}
