import { describe, expect, it } from 'vitest';
import { ChatRateLimiter } from './chat-rate-limiter.ts';

describe('chat rate limiter', () => {
  it('allows a burst of 5, then one per second, per user and channel', () => {
    const limiter = new ChatRateLimiter({ capacity: 5, windowSeconds: 5 });
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) expect(limiter.take('c1', 'u1', t0)).toEqual({ ok: true });
    expect(limiter.take('c1', 'u1', t0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Another channel and another user have their own buckets.
    expect(limiter.take('c2', 'u1', t0)).toEqual({ ok: true });
    expect(limiter.take('c1', 'u2', t0)).toEqual({ ok: true });
    expect(limiter.take('c1', 'u1', t0 + 999)).toMatchObject({ ok: false });
    expect(limiter.take('c1', 'u1', t0 + 1000)).toEqual({ ok: true });
    expect(limiter.take('c1', 'u1', t0 + 1000)).toMatchObject({ ok: false });
    limiter.close();
  });

  it('forgets buckets once they have refilled', () => {
    const limiter = new ChatRateLimiter({ capacity: 5, windowSeconds: 5 });
    const t0 = 2_000_000;
    for (let i = 0; i < 3; i++) limiter.take('c1', 'u1', t0); // full again after 3 s
    limiter.take('c1', 'u2', t0); // full again after 1 s
    limiter.sweep(t0 + 1500);
    expect(limiter.size).toBe(1);
    limiter.sweep(t0 + 3000);
    expect(limiter.size).toBe(0);
    limiter.close();
    limiter.close();
  });
});
