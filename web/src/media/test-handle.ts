// Tests and benchmarks drive and observe the page through `window.__aethex`: the player or the
// publisher active on the page, if any, the WHIP or WHEP client behind it, the HLS playback and
// which way the channel page receives the stream.
import type { HlsPlaybackStats } from './hls-source.ts';
import type { PlaybackVia } from './playback-client.ts';
import type { Player } from './player.ts';
import type { Publisher } from './publisher.ts';
import type { WhepClient } from './whep-client.ts';
import type { WhipClient } from './whip-client.ts';

/** HLS playback on the page (a live channel or a VOD). */
export interface HlsTestHandle {
  stats(): HlsPlaybackStats;
}

export interface AethexHandle {
  player?: Player;
  publisher?: Publisher;
  whipClient?: WhipClient;
  whepClient?: WhepClient;
  hlsPlayer?: HlsTestHandle;
  /** How the channel page's player receives the stream now. */
  via?: PlaybackVia;
}

declare global {
  interface Window {
    __aethex: AethexHandle;
  }
}

function handle(): AethexHandle {
  window.__aethex ??= {};
  return window.__aethex;
}

export function exposeForTests<K extends keyof AethexHandle>(key: K, value: NonNullable<AethexHandle[K]>): void {
  handle()[key] = value;
}

/** Removes the object, unless a newer one replaced it already. */
export function withdrawFromTests<K extends keyof AethexHandle>(key: K, value: NonNullable<AethexHandle[K]>): void {
  const current = handle();
  if (current[key] === value) delete current[key];
}
