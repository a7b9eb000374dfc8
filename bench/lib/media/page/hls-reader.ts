// Injected into the web app's channel page (not part of the benchmark page bundle): reads the clock
// pattern out of every frame the page's own player shows, so the HLS figure is what a viewer of
// the real page gets, hls.js configuration and all. It only watches; it never drives the player.
import {
  PATTERN_BAND_HEIGHT,
  PATTERN_HEIGHT,
  PATTERN_WIDTH,
  epochMs,
  latencyMs,
  readPattern,
} from './clock-pattern.ts';

export interface HlsClockSample {
  /** Epoch ms the frame was expected on screen (viewer clock) minus the time drawn into it (publisher clock). */
  latencyMs: number;
  /** When it was expected on screen, in Date.now() terms (the system clock every process shares). */
  shownAtMs: number;
  width: number;
  /** The time drawn in the frame as read (tenths of a ms, modulo 2^32): equal for two frames that show the same picture. */
  picture: number;
}

/** What the page's HLS player said about itself, once a second while sampling. */
export interface HlsPlayerProbe {
  atMs: number;
  /** hls.js's distance from the playhead to the live edge of the playlist, seconds (null if unknown). */
  behindEdgeS: number | null;
  bufferedS: number;
  playbackRate: number;
}

export interface HlsReadResult {
  samples: HlsClockSample[];
  unreadable: number;
  framesPresented: number;
  probes: HlsPlayerProbe[];
  /** How the page says it plays (window.__aethex.via): must be 'hls'. */
  via: string | null;
  droppedFrames: number;
  totalFrames: number;
}

interface AethexPage {
  via?: string;
  hlsPlayer?: { stats(): { latencySeconds: number | null; buffered: number } };
}

const PLAYER_VIDEO = 'video[data-testid="player-video"]';

function playerVideo(): HTMLVideoElement {
  const video = document.querySelector<HTMLVideoElement>(PLAYER_VIDEO);
  if (!video) throw new Error(`no ${PLAYER_VIDEO} on the page`);
  return video;
}

function aethex(): AethexPage {
  return ((window as unknown as { __aethex?: AethexPage }).__aethex ??= {});
}

/** Resolves once the page's player shows a frame through HLS; rejects after `timeoutMs`. */
export async function waitForHlsPicture(
  timeoutMs: number,
): Promise<{ waitedMs: number; width: number; height: number }> {
  const start = performance.now();
  for (;;) {
    const video = document.querySelector<HTMLVideoElement>(PLAYER_VIDEO);
    if (video && aethex().via === 'hls' && aethex().hlsPlayer && video.videoWidth > 0 && !video.paused) {
      return { waitedMs: performance.now() - start, width: video.videoWidth, height: video.videoHeight };
    }
    if (performance.now() - start > timeoutMs) {
      throw new Error(
        `no HLS picture after ${timeoutMs} ms (via ${aethex().via ?? 'unset'}, video ${video ? `${video.videoWidth}x${video.videoHeight}` : 'missing'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads every frame the player presents for `durationMs`; `skewMs` is (publisher clock - this page's clock). */
export async function readHlsClock(options: { durationMs: number; skewMs: number }): Promise<HlsReadResult> {
  const video = playerVideo();
  const canvas = document.createElement('canvas');
  canvas.width = PATTERN_WIDTH;
  canvas.height = PATTERN_BAND_HEIGHT;
  const context = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
  if (!context) throw new Error('no 2D canvas');
  const samples: HlsClockSample[] = [];
  const probes: HlsPlayerProbe[] = [];
  let unreadable = 0;
  let framesPresented = 0;
  const offsetMs = clockOffsetMs();
  const qualityBefore = video.getVideoPlaybackQuality();
  const probe = () => {
    const stats = aethex().hlsPlayer?.stats();
    probes.push({
      atMs: Date.now(),
      behindEdgeS: stats?.latencySeconds ?? null,
      bufferedS: stats?.buffered ?? 0,
      playbackRate: video.playbackRate,
    });
  };
  probe();
  const probeTimer = setInterval(probe, 1000);
  const deadline = performance.now() + options.durationMs;
  await new Promise<void>((resolve) => {
    const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
      framesPresented++;
      context.drawImage(video, 0, 0, PATTERN_WIDTH, PATTERN_HEIGHT);
      const encoded = readPattern(context.getImageData(0, 0, PATTERN_WIDTH, PATTERN_BAND_HEIGHT).data);
      if (encoded === undefined) {
        unreadable++;
      } else {
        const shownEpoch = performance.timeOrigin + metadata.expectedDisplayTime;
        samples.push({
          latencyMs: latencyMs(encoded, shownEpoch + options.skewMs),
          shownAtMs: shownEpoch - offsetMs,
          width: metadata.width,
          picture: encoded,
        });
      }
      if (performance.now() > deadline) resolve();
      else video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    // A stalled player presents no frame, so no callback would ever check the deadline.
    setTimeout(resolve, options.durationMs + 1000);
  });
  clearInterval(probeTimer);
  const qualityAfter = video.getVideoPlaybackQuality();
  return {
    samples,
    unreadable,
    framesPresented,
    probes,
    via: aethex().via ?? null,
    droppedFrames: qualityAfter.droppedVideoFrames - qualityBefore.droppedVideoFrames,
    totalFrames: qualityAfter.totalVideoFrames - qualityBefore.totalVideoFrames,
  };
}

/** This page's high-resolution epoch minus Date.now(), median of many reads (as page/viewer.ts). */
export function clockOffsetMs(): number {
  const diffs: number[] = [];
  for (let i = 0; i < 2000; i++) diffs.push(epochMs() - Date.now());
  diffs.sort((a, b) => a - b);
  return diffs[Math.floor(diffs.length / 2)]! - 0.5;
}

export const benchHls = { waitForHlsPicture, readHlsClock, clockOffsetMs };
export type BenchHlsApi = typeof benchHls;

declare global {
  interface Window {
    benchHls?: BenchHlsApi;
  }
}

window.benchHls = benchHls;
