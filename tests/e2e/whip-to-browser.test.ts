// A WHIP publisher (what OBS does, here libwebrtc in Node) and a browser viewer on the channel
// page meet in the same SFU room: the viewer decodes the WHIP stream's video and audio.
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, screenshot } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

describe('WHIP publisher, browser viewer', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started));

  it('plays a WHIP stream on the channel page', async () => {
    const channel = await createTestChannel(platform);
    const publication = await publishOverWhip(platform.url, channel.streamKey);

    const viewer = await (await newContext(browser, platform.url)).newPage();
    await viewer.goto(`/${channel.slug}`);
    const stats = await waitFor(
      async () => {
        const s = await viewer.evaluate(async () => (await window.__aethex?.player?.stats()) ?? null);
        return s && s.framesDecoded > 30 && s.audioPacketsReceived > 0 ? s : undefined;
      },
      { timeoutMs: 20_000, what: 'the viewer to decode the WHIP stream' },
    );
    expect(stats.frameWidth).toBe(640);
    expect(await viewer.getByTestId('player').getAttribute('data-phase')).toBe('live');
    await screenshot(viewer, 'e2e-whip-viewer');

    await publication.stop();
    await waitFor(async () => (await viewer.getByTestId('player').getAttribute('data-phase')) === 'ended', {
      timeoutMs: 15_000,
      what: 'the end to reach the viewer',
    });
  });
});
