// What the player bar's Source and Quality menus offer.
import type { PlaybackSource } from '../../composables/use-playback-source.ts';
import { formatBitrate } from '../../lib/format.ts';
import type { Rendition, RenditionPick } from '../../media/playback-client.ts';
import type { PlayerMenuOption } from '../player-menu/PlayerMenu.vue';

export const SOURCE_OPTIONS: readonly PlayerMenuOption<PlaybackSource>[] = [
  { value: 'auto', label: 'Auto', hint: 'WebRTC, or HLS when it can’t connect' },
  { value: 'webrtc', label: 'WebRTC', hint: 'Lowest delay' },
  { value: 'hls', label: 'Low data · HLS', hint: 'A few seconds behind, plays anywhere' },
  // WHEP stays reachable with ?via=whep (tests/e2e/browser-whip-whep.test.ts plays over it), but
  // isn't offered: it is for standard players, and the WebRTC path does more for a browser (it
  // follows simulcast layers and hears live status, viewer counts and the stream's end).
];

export const SOURCE_SHORT: Record<PlaybackSource, string> = {
  auto: 'Auto',
  webrtc: 'WebRTC',
  hls: 'HLS',
  whep: 'WHEP',
};

/** Auto, then each rendition tallest first, with what it costs. */
export function renditionOptions(renditions: readonly Rendition[]): PlayerMenuOption<RenditionPick>[] {
  return [
    { value: 'auto', label: 'Auto', hint: 'Follows your connection' },
    ...renditions.map((rendition) => ({
      value: rendition.height,
      label: `${rendition.height}p`,
      hint: rendition.bitrate > 0 ? `Up to ${formatBitrate(rendition.bitrate)}` : 'Bit rate not known yet',
    })),
  ];
}

/**
 * The Quality button's text: the picked height, or Auto with the height playing now (hls.js
 * switches by itself, and a viewer wants to see where it landed).
 */
export function renditionLabel(pick: RenditionPick, playingHeight: number | null | undefined): string {
  if (pick !== 'auto') return `${pick}p`;
  return playingHeight ? `Auto · ${playingHeight}p` : 'Auto';
}
