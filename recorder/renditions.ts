// The HLS rendition ladder: the source, plus lower renditions when HLS_RENDITIONS asks for them,
// all written by the same FFmpeg run. The source keeps the folder and file names it has without a
// ladder, so VODs and clips (which use the source only) never see the ladder; each lower rendition
// writes the same names (run-N.m3u8, init-N.mp4, seg-N-*.m4s) into a folder of its own.
import path from 'node:path';

export const SOURCE_RENDITION = 'source';

export function renditionName(height: number): string {
  return `${height}p`;
}

/** The URL segment of a rendition: the source, or a height such as 360p. */
export const RENDITION_NAME = /^(source|\d{3,4}p)$/;

/** Where a rendition's files go; the source's stay in the recording's own folder. */
export function renditionDir(recordingDir: string, name: string): string {
  return name === SOURCE_RENDITION ? recordingDir : path.join(recordingDir, name);
}

export interface VideoRate {
  /** Target bit rate, kbit/s. */
  kbps: number;
  /** Peak rate and VBV buffer, kbit/s: about a segment's worth above the target. */
  maxKbps: number;
}

/**
 * A live H.264 rate for `height` lines at 30 fps. Bits grow more slowly than pixels, so 720p gets
 * the transcode path's 2500k and others scale by (height/720)^1.5: 480p 1350k, 360p 900k, 240p
 * 500k, 1080p 4600k. veryfast/zerolatency (no B-frames, no lookahead) needs these generous rates.
 */
export function videoRateFor(height: number): VideoRate {
  const kbps = Math.max(150, Math.round((2500 * (height / 720) ** 1.5) / 50) * 50);
  return { kbps, maxKbps: Math.round(kbps * 1.2) };
}
