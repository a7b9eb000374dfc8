import { afterEach, describe, expect, it } from 'vitest';
import { HlsAudience, hlsClientKey } from './hls-audience.ts';

const channel = { id: 'c1', slug: 'one' };
const other = { id: 'c2', slug: 'two' };

describe('HlsAudience', () => {
  let audience: HlsAudience | undefined;
  afterEach(() => audience?.close());

  function track() {
    const counts: [string, number][] = [];
    // A sweep interval longer than any test: sweeps happen when the test says.
    audience = new HlsAudience((c, n) => counts.push([c.slug, n]), { windowMs: 10_000, sweepMs: 3_600_000 });
    return { audience, counts };
  }

  it('counts distinct clients per channel at once, and a client asking again only once', () => {
    const { audience, counts } = track();
    audience.seen(channel, hlsClientKey('10.0.0.1', 'Firefox'), 0);
    audience.seen(channel, hlsClientKey('10.0.0.1', 'Firefox'), 1000);
    audience.seen(channel, hlsClientKey('10.0.0.1', 'Chrome'), 1500);
    audience.seen(other, hlsClientKey('10.0.0.2', 'Chrome'), 2000);
    expect(counts).toEqual([
      ['one', 1],
      ['one', 2],
      ['two', 1],
    ]);
  });

  it('lets a client go once it stops asking for longer than the window', () => {
    const { audience, counts } = track();
    audience.seen(channel, 'a', 0);
    audience.seen(channel, 'b', 0);
    audience.seen(channel, 'a', 8000);
    audience.sweep(10_000);
    expect(counts.at(-1)).toEqual(['one', 2]);
    audience.sweep(10_001);
    expect(counts.at(-1)).toEqual(['one', 1]);
    audience.sweep(18_001);
    expect(counts.at(-1)).toEqual(['one', 0]);
    // Gone entirely: a newcomer starts from one.
    audience.seen(channel, 'c', 20_000);
    expect(counts.at(-1)).toEqual(['one', 1]);
  });

  it('reports zero when the stream ends, and nothing for a channel nobody watched', () => {
    const { audience, counts } = track();
    audience.seen(channel, 'a', 0);
    audience.forget(channel);
    audience.forget(other);
    expect(counts).toEqual([
      ['one', 1],
      ['one', 0],
    ]);
  });
});
