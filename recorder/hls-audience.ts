// Counts a channel's HLS viewers. HLS is plain HTTP with no session to count, so a viewer is a
// playback: a player that got a playback id with the master playlist (playback-id.ts) and asked
// for a live playlist with it within the last window. Players ask again every target duration
// (1-2 s here); one that stops asking has left. Anything a request says about itself (its
// User-Agent, a made-up id) is free to vary, so only ids this process signed count, and at most
// `perAddress` playbacks of one address (IPv6: one /64) count per channel: a household or an
// office behind one NAT with more players than that counts as that many. Further playbacks of the
// address are served, and are not even remembered, so a flood of them costs no memory. A CDN in
// front of the playlists would hide its viewers (it should pass them through: they are never
// cached).
import type { ChannelRef } from '../common/live/channel-directory.ts';
import { PlaybackIds } from './playback-id.ts';

export interface HlsAudienceOptions {
  /** A playback that has not asked for this long has left. */
  windowMs?: number;
  /** How often counts are brought up to date. */
  sweepMs?: number;
  /** Playbacks counted per address and channel. */
  perAddress?: number;
  /** Signs playback ids; random by default (see PlaybackIds). */
  key?: Uint8Array;
}

interface Audience {
  channel: ChannelRef;
  /** Address -> its counted playbacks -> when each last asked. */
  addresses: Map<string, Map<string, number>>;
  /** Playbacks in `addresses`. */
  viewers: number;
  /** What onCount was last told. */
  counted: number;
}

const DEFAULT_WINDOW_MS = 10_000;
const DEFAULT_SWEEP_MS = 2_000;
const DEFAULT_PLAYBACKS_PER_ADDRESS = 5;

export class HlsAudience {
  readonly #onCount: (channel: ChannelRef, viewers: number) => void;
  readonly #windowMs: number;
  readonly #perAddress: number;
  readonly #ids: PlaybackIds;
  readonly #audiences = new Map<string, Audience>();
  readonly #timer: NodeJS.Timeout;

  constructor(onCount: (channel: ChannelRef, viewers: number) => void, options: HlsAudienceOptions = {}) {
    this.#onCount = onCount;
    this.#windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.#perAddress = options.perAddress ?? DEFAULT_PLAYBACKS_PER_ADDRESS;
    this.#ids = new PlaybackIds(options.key);
    this.#timer = setInterval(() => this.sweep(Date.now()), options.sweepMs ?? DEFAULT_SWEEP_MS);
    this.#timer.unref();
  }

  /** A playback id for a new player of `streamId` at `ip`, to hand out with the master playlist. */
  newPlayback(streamId: string, ip: string): string {
    return this.#ids.mint(streamId, ip);
  }

  /**
   * A live playlist of `channel`'s stream `streamId` was asked for with `playbackId` (if any).
   * Counts it if the id is valid and its address has room; a newcomer is counted at once.
   * Whether it is counted.
   */
  seen(channel: ChannelRef, streamId: string, playbackId: string | undefined, now = Date.now()): boolean {
    const playback = playbackId === undefined ? undefined : this.#ids.verify(streamId, playbackId);
    if (!playback) return false;
    let audience = this.#audiences.get(channel.id);
    if (!audience) {
      audience = { channel, addresses: new Map(), viewers: 0, counted: 0 };
      this.#audiences.set(channel.id, audience);
    }
    let playbacks = audience.addresses.get(playback.address);
    if (!playbacks) {
      playbacks = new Map();
      audience.addresses.set(playback.address, playbacks);
    }
    if (playbacks.has(playback.id)) {
      playbacks.set(playback.id, now);
      return true;
    }
    if (playbacks.size >= this.#perAddress) return false;
    playbacks.set(playback.id, now);
    audience.viewers++;
    this.#report(audience);
    return true;
  }

  /** The channel's stream ended: its HLS audience is gone with it. */
  forget(channel: ChannelRef): void {
    const audience = this.#audiences.get(channel.id);
    if (!audience) return;
    this.#audiences.delete(channel.id);
    if (audience.counted !== 0) this.#onCount(channel, 0);
  }

  /** Drops playbacks that stopped asking, and reports counts that changed. */
  sweep(now: number): void {
    for (const [id, audience] of this.#audiences) {
      for (const [address, playbacks] of audience.addresses) {
        for (const [playback, at] of playbacks) {
          if (now - at <= this.#windowMs) continue;
          playbacks.delete(playback);
          audience.viewers--;
        }
        if (playbacks.size === 0) audience.addresses.delete(address);
      }
      this.#report(audience);
      if (audience.addresses.size === 0) this.#audiences.delete(id);
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #report(audience: Audience): void {
    if (audience.viewers === audience.counted) return;
    audience.counted = audience.viewers;
    this.#onCount(audience.channel, audience.viewers);
  }
}
