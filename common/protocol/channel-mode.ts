// What a channel streams. 'dj' is music: stereo Opus at a bitrate the DJ picks, every stage of the
// audio path set up for it (capture without voice processing, FEC on, DTX off).
export const CHANNEL_MODES = ['default', 'dj'] as const;
export type ChannelMode = (typeof CHANNEL_MODES)[number];

/** A DJ stream's Opus bitrate, kbit/s: 128 is where stereo music stops sounding thin, 510 Opus's ceiling. */
export const DJ_AUDIO_KBPS = { min: 128, max: 510, default: 256 } as const;

export function isChannelMode(value: unknown): value is ChannelMode {
  return typeof value === 'string' && (CHANNEL_MODES as readonly string[]).includes(value);
}
