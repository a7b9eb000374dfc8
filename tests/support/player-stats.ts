// What the channel page's player has received, read through the test handle the web app exposes
// in its test build (web/src/test-hooks.ts): decoded frames, picture width, audio packets.
import type { Page } from 'playwright-core';
import { waitFor } from './wait.ts';

export interface ViewerStats {
  framesDecoded: number;
  frameWidth: number;
  audioPacketsReceived: number;
}

/** Null while the page has no player. */
export function playerStats(page: Page): Promise<ViewerStats | null> {
  return page.evaluate(async () => {
    const player = window.__aethex?.player;
    if (!player) return null;
    const stats = await player.stats();
    return {
      framesDecoded: stats.framesDecoded,
      frameWidth: stats.frameWidth,
      audioPacketsReceived: stats.audioPacketsReceived,
    };
  });
}

/** Waits until the viewer has decoded at least `frames` more frames and received audio. */
export async function waitForMedia(page: Page, frames = 10): Promise<ViewerStats> {
  const before = (await playerStats(page))?.framesDecoded ?? 0;
  return waitFor(
    async () => {
      const stats = await playerStats(page);
      return stats && stats.framesDecoded >= before + frames && stats.audioPacketsReceived > 0 ? stats : undefined;
    },
    { timeoutMs: 20_000, what: 'decoded video frames and audio packets' },
  );
}
