import { afterEach, describe, expect, it } from 'vitest';
import { HlsAudience } from './hls-audience.ts';

const channel = { id: 'c1', slug: 'one' };
const other = { id: 'c2', slug: 'two' };

describe('HlsAudience', () => {
  let audience: HlsAudience | undefined;
  afterEach(() => audience?.close());

  function track(perAddress = 5) {
    const counts: [string, number][] = [];
    // A sweep interval longer than any test: sweeps happen when the test says.
    audience = new HlsAudience((c, n) => counts.push([c.slug, n]), {
      windowMs: 10_000,
      sweepMs: 3_600_000,
      perAddress,
    });
    return { audience, counts };
  }

  it('counts each playback it handed out once, at once, whatever the requests say about themselves', () => {
    const { audience, counts } = track();
    const a = audience.newPlayback('s1', '10.0.0.1');
    const b = audience.newPlayback('s1', '10.0.0.1');
    const elsewhere = audience.newPlayback('s2', '10.0.0.2');

    expect(audience.seen(channel, 's1', a, 0)).toBe(true);
    expect(audience.seen(channel, 's1', a, 1000)).toBe(true);
    // Same address, same browser: a second playback all the same.
    expect(audience.seen(channel, 's1', b, 1500)).toBe(true);
    expect(audience.seen(other, 's2', elsewhere, 2000)).toBe(true);
    expect(counts).toEqual([
      ['one', 1],
      ['one', 2],
      ['two', 1],
    ]);
  });

  it('does not count a request without a playback id, or with one it did not hand out for that stream', () => {
    const { audience, counts } = track();
    const real = audience.newPlayback('s1', '10.0.0.1');
    const [id, address, mac] = real.split('.') as [string, string, string];
    const flip = (part: string) => `${part.slice(0, -1)}${part.endsWith('A') ? 'B' : 'A'}`;
    const elsewhere = new HlsAudience(() => undefined, { sweepMs: 3_600_000 });
    try {
      for (const forged of [
        undefined,
        '',
        'made-up',
        `${flip(id)}.${address}.${mac}`,
        `${id}.${flip(address)}.${mac}`,
        `${id}.${address}.${flip(mac)}`,
        `${real}x`,
        // Signed by another process, or for another stream.
        elsewhere.newPlayback('s1', '10.0.0.1'),
        audience.newPlayback('s0', '10.0.0.1'),
      ])
        expect({ forged, counted: audience.seen(channel, 's1', forged, 0) }).toEqual({ forged, counted: false });
    } finally {
      elsewhere.close();
    }
    expect(counts).toEqual([]);
    expect(audience.seen(channel, 's1', real, 0)).toBe(true);
    expect(counts).toEqual([['one', 1]]);
  });

  it('counts at most perAddress playbacks of one address (one /64 of IPv6) per channel', () => {
    const { audience, counts } = track(2);
    const from = (ip: string) => audience.newPlayback('s1', ip);
    const four = [from('10.0.0.1'), from('10.0.0.1'), from('::ffff:10.0.0.1'), from('10.0.0.1')];
    for (const playback of four) audience.seen(channel, 's1', playback, 0);
    expect(counts.at(-1)).toEqual(['one', 2]);
    expect(audience.seen(channel, 's1', four[3], 0)).toBe(false);

    const ipv6 = [from('2001:db8:1:2::1'), from('2001:db8:1:2:ffff::9'), from('2001:db8:1:2:0:0:0:7')];
    for (const playback of ipv6) audience.seen(channel, 's1', playback, 0);
    expect(counts.at(-1)).toEqual(['one', 4]);
    audience.seen(channel, 's1', from('2001:db8:1:3::1'), 0);
    audience.seen(channel, 's1', from('10.0.0.2'), 0);
    expect(counts.at(-1)).toEqual(['one', 6]);
    // The same addresses on another channel have room of their own.
    audience.seen(other, 's2', audience.newPlayback('s2', '10.0.0.1'), 0);
    expect(counts.at(-1)).toEqual(['two', 1]);
  });

  it('makes room for a playback of a full address once one of its counted playbacks has left', () => {
    const { audience, counts } = track(1);
    const first = audience.newPlayback('s1', '10.0.0.1');
    const second = audience.newPlayback('s1', '10.0.0.1');
    audience.seen(channel, 's1', first, 0);
    expect(audience.seen(channel, 's1', second, 5000)).toBe(false);
    audience.sweep(10_001);
    expect(counts).toEqual([
      ['one', 1],
      ['one', 0],
    ]);
    expect(audience.seen(channel, 's1', second, 11_000)).toBe(true);
    expect(counts.at(-1)).toEqual(['one', 1]);
  });

  it('lets a playback go once it stops asking for longer than the window', () => {
    const { audience, counts } = track();
    const [a, b, c] = [1, 2, 3].map(() => audience.newPlayback('s1', '10.0.0.1')) as [string, string, string];
    audience.seen(channel, 's1', a, 0);
    audience.seen(channel, 's1', b, 0);
    audience.seen(channel, 's1', a, 8000);
    audience.sweep(10_000);
    expect(counts.at(-1)).toEqual(['one', 2]);
    audience.sweep(10_001);
    expect(counts.at(-1)).toEqual(['one', 1]);
    audience.sweep(18_001);
    expect(counts.at(-1)).toEqual(['one', 0]);
    // Gone entirely: a newcomer starts from one.
    audience.seen(channel, 's1', c, 20_000);
    expect(counts.at(-1)).toEqual(['one', 1]);
  });

  it('reports zero when the stream ends, and nothing for a channel nobody watched', () => {
    const { audience, counts } = track();
    audience.seen(channel, 's1', audience.newPlayback('s1', '10.0.0.1'), 0);
    audience.forget(channel);
    audience.forget(other);
    expect(counts).toEqual([
      ['one', 1],
      ['one', 0],
    ]);
  });
});
