import { describe, expect, it } from 'vitest';
import { addressGroup, PlaybackIds } from './playback-id.ts';

describe('PlaybackIds', () => {
  it('verifies what it minted, for that stream only, with the same address tag for one address', () => {
    const ids = new PlaybackIds(Buffer.alloc(32, 7));
    const a = ids.mint('stream-1', '203.0.113.5');
    const b = ids.mint('stream-1', '203.0.113.5');

    expect(a).toMatch(/^[\w-]{16}\.[\w-]{12}\.[\w-]{24}$/);
    expect(a).not.toBe(b);
    const [playbackA, playbackB] = [ids.verify('stream-1', a), ids.verify('stream-1', b)];
    expect(playbackA?.id).not.toBe(playbackB?.id);
    expect(playbackA?.address).toBe(playbackB?.address);
    expect(ids.verify('stream-1', ids.mint('stream-1', '203.0.113.6'))?.address).not.toBe(playbackA?.address);
    // The tag doesn't show the address.
    expect(a).not.toContain('203');
    expect(ids.verify('stream-2', a)).toBeUndefined();
    expect(new PlaybackIds(Buffer.alloc(32, 8)).verify('stream-1', a)).toBeUndefined();
  });

  it('refuses every one-character change', () => {
    const ids = new PlaybackIds();
    const real = ids.mint('s', '10.0.0.1');
    for (let i = 0; i < real.length; i++) {
      for (const char of ['A', 'B', '-', '_', '.']) {
        const changed = `${real.slice(0, i)}${char}${real.slice(i + 1)}`;
        if (changed !== real) expect(ids.verify('s', changed)).toBeUndefined();
      }
    }
  });
});

describe('addressGroup', () => {
  it('is the IPv4 address, mapped or not, and the /64 of an IPv6 address however it is written', () => {
    expect(addressGroup('203.0.113.5')).toBe('203.0.113.5');
    expect(addressGroup('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(addressGroup('::FFFF:203.0.113.5')).toBe('203.0.113.5');
    const group = '2001:db8:1:2::/64';
    for (const ip of [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:0:0:9',
      '2001:DB8:1:2:0:0:0:7',
      '2001:db8:1:2::1%eth0',
    ])
      expect({ ip, group: addressGroup(ip) }).toEqual({ ip, group });
    expect(addressGroup('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('64:ff9b::203.0.113.5')).toBe('64:ff9b:0:0::/64');
  });
});
