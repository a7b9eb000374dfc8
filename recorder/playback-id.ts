// A playback id names one playback of a live stream over HLS: it is what hls-audience.ts counts as
// a viewer. The master playlist hands a new one out in the URIs of its variant playlists, and
// players (hls.js, Safari, VLC, FFmpeg) ask for those URIs as written at every reload, so it comes
// back as long as the playback lasts. A client can't make one up: it is signed with a key of this
// process. It is bound to
// - the stream, which is its expiry: an id of an ended stream, or of another channel's, is not
//   valid. No clock expiry, since hls.js reads the master playlist once and a viewer watching for
//   hours must stay counted.
// - the address it was handed to, as a keyed hash (a URL passed around doesn't show the viewer's
//   address), which the audience caps playbacks by. IPv6 addresses count by /64, which is what one
//   subscriber gets.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export interface Playback {
  /** Tells this playback from every other. */
  id: string;
  /** Tells the address it was handed to from others, without saying what it is. */
  address: string;
}

// Whole groups of 3 bytes, so every id has exactly one spelling in base64url.
const ID_BYTES = 12;
const ADDRESS_BYTES = 9;
const MAC_BYTES = 18;
const PLAYBACK_ID = /^([\w-]{16})\.([\w-]{12})\.([\w-]{24})$/;

export class PlaybackIds {
  readonly #key: Buffer;

  /** One key per process by default: a channel's playlists are served by the process recording it. */
  constructor(key: Uint8Array = randomBytes(32)) {
    this.#key = Buffer.from(key);
  }

  /** A new playback of `streamId` by the client at `ip`. */
  mint(streamId: string, ip: string): string {
    const id = randomBytes(ID_BYTES).toString('base64url');
    const address = this.#hmac('address', addressGroup(ip)).subarray(0, ADDRESS_BYTES).toString('base64url');
    return `${id}.${address}.${this.#mac(streamId, id, address)}`;
  }

  /** The playback `value` names, if this process minted it for `streamId`. */
  verify(streamId: string, value: string): Playback | undefined {
    const parts = PLAYBACK_ID.exec(value);
    if (!parts) return undefined;
    const [, id, address, mac] = parts as unknown as [string, string, string, string];
    const expected = Buffer.from(this.#mac(streamId, id, address));
    if (!timingSafeEqual(expected, Buffer.from(mac))) return undefined;
    return { id: `${id}.${address}`, address };
  }

  #mac(streamId: string, id: string, address: string): string {
    return this.#hmac('playback', `${streamId}.${id}.${address}`).subarray(0, MAC_BYTES).toString('base64url');
  }

  #hmac(purpose: string, data: string): Buffer {
    return createHmac('sha256', this.#key).update(`${purpose}\0${data}`).digest();
  }
}

/** What counts as one address: an IPv4 address (also IPv4-mapped), or an IPv6 /64. */
export function addressGroup(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  // An embedded IPv4 address (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) takes the last two groups.
  const groups = (part: string | undefined) =>
    part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : [];
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${all
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
