// The player's Quality menu in real Chromium: a stream recorded with a rendition ladder
// (HLS_RENDITIONS=240p beside a 640x360 source) offers Auto, 360p and 240p to an HLS viewer; a
// pick changes the picture the <video> decodes, without reloading; WebRTC offers no menu (it
// follows the player's size by itself).
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

function pictureHeight(page: Page): Promise<number> {
  return page.getByTestId('player-video').evaluate((video) => (video as HTMLVideoElement).videoHeight);
}

async function pick(page: Page, quality: string): Promise<void> {
  await page.getByTestId('quality-button').click();
  await page.getByRole('menuitemradio', { name: quality }).click();
}

describe('the HLS quality menu', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started), {
    STREAM_END_GRACE_MS: '2000',
    HLS_RENDITIONS: '240p',
  });

  it('lists the ladder, plays the rendition picked, and goes back to Auto', async () => {
    const channel = await createTestChannel(platform);
    const publisher = await publishOverWhip(platform.url, channel.streamKey, { width: 640, height: 360 });
    try {
      const page = await (await newContext(browser, platform.url)).newPage();
      recordConsole(page, 'viewer', /HLS|hls/);
      await page.goto(`/${channel.slug}?via=hls`);
      const quality = page.getByTestId('quality-button');
      await quality.waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('player').getAttribute('data-via')).toBe('hls');

      await quality.click();
      const items = page.getByRole('menuitemradio');
      expect(await items.evaluateAll((buttons) => buttons.map((b) => b.querySelector('.label')?.textContent))).toEqual([
        'Auto',
        '360p',
        '240p',
      ]);
      expect(await page.getByRole('menuitemradio', { name: 'Auto' }).getAttribute('aria-checked')).toBe('true');
      await screenshot(page, 'e2e-hls-quality-menu');
      await page.keyboard.press('Escape');

      await pick(page, '240p');
      await waitFor(async () => (await pictureHeight(page)) === 240, { timeoutMs: 20_000, what: 'a 240-line picture' });
      expect(await quality.textContent()).toContain('240p');
      await pick(page, '360p');
      await waitFor(async () => (await pictureHeight(page)) === 360, {
        timeoutMs: 20_000,
        what: 'the 360-line source again',
      });
      await pick(page, 'Auto');
      await waitFor(async () => /^Auto · \d+p$/.test(((await quality.textContent()) ?? '').trim()), {
        what: 'Auto with the height playing',
      });
      await screenshot(page, 'e2e-hls-quality-auto');

      // Over WebRTC there is nothing to pick: the menu goes.
      await page.getByTestId('source-button').click();
      await page.getByRole('menuitemradio', { name: 'WebRTC' }).click();
      await waitFor(
        async () =>
          (await page.getByTestId('player').getAttribute('data-via')) === 'webrtc' &&
          (await page.getByTestId('player').getAttribute('data-phase')) === 'live',
        {
          timeoutMs: 20_000,
          what: 'WebRTC playback',
        },
      );
      expect(await quality.count()).toBe(0);
    } finally {
      await publisher.stop();
    }
  });
});
