// Entry of the page bundle: what the benchmarks call through page.evaluate().
import { firstFrameWhep, publishWhip, stopWhip, whipPublisherStats } from './http-media.ts';
import { publish, publisherStats, stopPublishing } from './publisher.ts';
import { clockOffsetMs, firstFrame, readClock, stopWatching } from './viewer.ts';

export const benchMedia = {
  publish,
  publisherStats,
  stopPublishing,
  publishWhip,
  whipPublisherStats,
  stopWhip,
  firstFrame,
  firstFrameWhep,
  readClock,
  stopWatching,
  clockOffsetMs,
};
export type BenchMediaApi = typeof benchMedia;

declare global {
  interface Window {
    benchMedia?: BenchMediaApi;
  }
}

window.benchMedia = benchMedia;
