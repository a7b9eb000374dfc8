// The master playlist of a live stream with a rendition ladder, made from what each rendition has
// written so far: its size and codecs from its latest init segment, its BANDWIDTH from the bytes
// of its recent segments (a copied source's bit rate is whatever the publisher sends).
import fs from 'node:fs/promises';
import path from 'node:path';
import { readInitSegment, type InitSegmentInfo } from './init-segment.ts';
import { composeMasterPlaylist, type RunPlaylist, type Variant } from './playlist.ts';

export interface RenditionRuns {
  /** Its folder in URLs: source, 360p... */
  name: string;
  dir: string;
  runs: readonly RunPlaylist[];
}

/**
 * The renditions start within a moment of the source, but a player reads the master playlist only
 * once: wait this many source segments for them before offering the source alone.
 */
const LADDER_WAIT_SEGMENTS = 3;

/** Init segments never change once written, so each is read once. */
export type InitSegmentCache = Map<string, InitSegmentInfo>;

/** Undefined until the source has a segment and its init segment can be read (not live on HLS yet). */
export async function liveMasterPlaylist(
  source: RenditionRuns,
  lower: readonly RenditionRuns[],
  window: number,
  cache: InitSegmentCache,
): Promise<string | undefined> {
  const sourceVariant = await variantOf(source, window, cache);
  if (!sourceVariant) return undefined;
  const sourceHeight = sourceVariant.resolution?.height;
  // Only renditions of the source's current run: one an earlier run left (before a restart
  // without video, say) has no new segments coming.
  const current = latestRun(source)!.run;
  const started = lower.filter((rendition) => latestRun(rendition)?.run === current);
  // Audio alone has no lower renditions to wait for.
  const waiting =
    sourceHeight !== undefined && started.length < lower.length && segmentCount(source) < LADDER_WAIT_SEGMENTS;
  if (waiting) return undefined;
  const variants = [sourceVariant];
  for (const rendition of started) {
    const variant = await variantOf(rendition, window, cache);
    // Scaled to at most its height, a rendition as tall as the source is the source again: left out.
    const lowerThanSource =
      variant?.resolution && (sourceHeight === undefined || variant.resolution.height < sourceHeight);
    if (variant && lowerThanSource) variants.push(variant);
  }
  return composeMasterPlaylist(variants);
}

function segmentCount(rendition: RenditionRuns): number {
  return rendition.runs.reduce((sum, run) => sum + run.segments.length, 0);
}

function latestRun(rendition: RenditionRuns): RunPlaylist | undefined {
  return rendition.runs.findLast((run) => run.segments.length > 0);
}

/** Undefined while its latest init segment can't be read (FFmpeg is writing it). */
async function variantOf(
  rendition: RenditionRuns,
  window: number,
  cache: InitSegmentCache,
): Promise<Variant | undefined> {
  const latest = latestRun(rendition);
  if (!latest) return undefined;
  const info = await initSegmentInfo(path.join(rendition.dir, latest.initUri), cache);
  if (!info) return undefined;
  return {
    uri: `${rendition.name}/index.m3u8`,
    bandwidth: await peakBitsPerSecond(rendition, window),
    codecs: info.codecs,
    resolution: info.width && info.height ? { width: info.width, height: info.height } : undefined,
  };
}

async function initSegmentInfo(file: string, cache: InitSegmentCache): Promise<InitSegmentInfo | undefined> {
  const known = cache.get(file);
  if (known) return known;
  const data = await fs.readFile(file).catch(() => undefined);
  const info = data && readInitSegment(data);
  if (info && info.codecs.length > 0) cache.set(file, info);
  return info;
}

/** The highest bit rate among the last `window` segments, as HLS defines BANDWIDTH. */
async function peakBitsPerSecond(rendition: RenditionRuns, window: number): Promise<number> {
  const recent = rendition.runs.flatMap((run) => run.segments).slice(-window);
  let peak = 0;
  for (const segment of recent) {
    const bytes = await fs.stat(path.join(rendition.dir, segment.uri)).then(
      (stat) => stat.size,
      () => 0,
    );
    if (segment.durationSeconds > 0) peak = Math.max(peak, (bytes * 8) / segment.durationSeconds);
  }
  return peak;
}
