// What the channel page needs of a player, whichever way it receives the stream.
import type { Unsubscribe } from './emitter.ts';
import type { PlayerStatus } from './player.ts';
import type { PlayerStats } from './stats.ts';

/** How the stream reaches the page: the socket.io protocol, standard WHEP, or HLS. */
export type PlaybackVia = 'webrtc' | 'whep' | 'hls';

/** A rendition the viewer can pick (an HLS ladder's variant). */
export interface Rendition {
  height: number;
  /** Peak bits per second, as the master playlist's BANDWIDTH says. */
  bitrate: number;
}

/** A rendition's height, or 'auto': the player chooses by bandwidth. */
export type RenditionPick = number | 'auto';

export interface PlaybackClient {
  /** The way this client receives the stream now (an automatic player can change it). */
  readonly via: PlaybackVia;
  readonly status: PlayerStatus;
  on(event: 'status', listener: (status: PlayerStatus) => void): Unsubscribe;
  start(): void;
  attach(video: HTMLVideoElement, pip?: HTMLVideoElement | null): void;
  detach(): void;
  unmute(): Promise<void>;
  mute(): void;
  stats(): Promise<PlayerStats>;
  /** Renditions to choose from, tallest first; empty (or absent) when there is no choice. */
  renditions?(): Rendition[];
  /** Plays that rendition from now on, across reconnects, or lets the player choose again. */
  pickRendition?(pick: RenditionPick): void;
  close(): void;
}
