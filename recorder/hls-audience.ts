// Counts a channel's HLS viewers. HLS is plain HTTP with no session to count, so a viewer is a
// client (its address and browser) that asked for one of the channel's live playlists within the
// last window: players ask again every target duration (1-2 s here), and one that stops asking has
// left. Two viewers behind one NAT with the same browser count as one; a CDN in front of the
// playlists would hide its viewers (it should pass playlists through: they are never cached).
import type { ChannelRef } from '../common/live/channel-directory.ts';

export interface HlsAudienceOptions {
  /** A client that has not asked for this long has left. */
  windowMs?: number;
  /** How often counts are brought up to date. */
  sweepMs?: number;
}

interface Audience {
  channel: ChannelRef;
  /** Client key -> when it last asked. */
  clients: Map<string, number>;
  /** What onCount was last told. */
  counted: number;
}

const DEFAULT_WINDOW_MS = 10_000;
const DEFAULT_SWEEP_MS = 2_000;

export class HlsAudience {
  readonly #onCount: (channel: ChannelRef, viewers: number) => void;
  readonly #windowMs: number;
  readonly #audiences = new Map<string, Audience>();
  readonly #timer: NodeJS.Timeout;

  constructor(onCount: (channel: ChannelRef, viewers: number) => void, options: HlsAudienceOptions = {}) {
    this.#onCount = onCount;
    this.#windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.#timer = setInterval(() => this.sweep(Date.now()), options.sweepMs ?? DEFAULT_SWEEP_MS);
    this.#timer.unref();
  }

  /** `client` asked for a live playlist of `channel`. A newcomer is counted at once. */
  seen(channel: ChannelRef, client: string, now = Date.now()): void {
    let audience = this.#audiences.get(channel.id);
    if (!audience) {
      audience = { channel, clients: new Map(), counted: 0 };
      this.#audiences.set(channel.id, audience);
    }
    const known = audience.clients.has(client);
    audience.clients.set(client, now);
    if (!known) this.#report(audience);
  }

  /** The channel's stream ended: its HLS audience is gone with it. */
  forget(channel: ChannelRef): void {
    const audience = this.#audiences.get(channel.id);
    if (!audience) return;
    this.#audiences.delete(channel.id);
    if (audience.counted !== 0) this.#onCount(channel, 0);
  }

  /** Drops clients that stopped asking, and reports counts that changed. */
  sweep(now: number): void {
    for (const [id, audience] of this.#audiences) {
      for (const [client, at] of audience.clients) if (now - at > this.#windowMs) audience.clients.delete(client);
      this.#report(audience);
      if (audience.clients.size === 0) this.#audiences.delete(id);
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #report(audience: Audience): void {
    const viewers = audience.clients.size;
    if (viewers === audience.counted) return;
    audience.counted = viewers;
    this.#onCount(audience.channel, viewers);
  }
}

/** Who is asking, as far as plain HTTP tells: address and browser. */
export function hlsClientKey(ip: string, userAgent: string | undefined): string {
  return `${ip}|${(userAgent ?? '').slice(0, 200)}`;
}
