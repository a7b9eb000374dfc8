// Entry of the page bundle: what the benchmarks call through page.evaluate().
import { publish, publisherStats, stopPublishing } from './publisher.ts';
import { clockOffsetMs, firstFrame, readClock, stopWatching } from './viewer.ts';

export const benchMedia = { publish, publisherStats, stopPublishing, firstFrame, readClock, stopWatching, clockOffsetMs };
export type BenchMediaApi = typeof benchMedia;

declare global {
  interface Window {
    benchMedia?: BenchMediaApi;
  }
}

window.benchMedia = benchMedia;
