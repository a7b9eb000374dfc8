// The pages work under their Content-Security-Policy: in real Chromium, a live channel plays over
// WebRTC and over HLS (hls.js's worker and MediaSource), the studio shows the camera, and the API
// documentation renders, and the browser reports no violation of the policy on any of them.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, recordConsole } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signInOwner } from '../support/web-session.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

/** Collects the page's CSP violations from the moment it loads. */
const COLLECT_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
`;

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

/** Frames the page's <video> has shown, as the browser counts them. */
const framesShown = (page: Page) =>
  page.evaluate(() =>
    Math.max(0, ...[...document.querySelectorAll('video')].map((v) => v.getVideoPlaybackQuality().totalVideoFrames)),
  );

describe('pages under their content security policy', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started));

  async function open(path: string, name: string): Promise<Page> {
    const context = await newContext(browser, platform.url);
    await context.addInitScript(COLLECT_VIOLATIONS);
    const page = await context.newPage();
    recordConsole(page, name);
    await page.goto(path);
    return page;
  }

  it('a live channel plays over WebRTC and over HLS, the studio and the API docs load: no violation', async () => {
    const channel = await createTestChannel(platform);
    const publication = await publishOverWhip(platform.url, channel.streamKey);
    try {
      await waitFor(async () => (await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`)).status === 200, {
        timeoutMs: 30_000,
        what: 'live HLS segments',
      });

      const webrtc = await open(`/${channel.slug}`, 'webrtc');
      await waitFor(async () => (await framesShown(webrtc)) > 10, { timeoutMs: 30_000, what: 'WebRTC frames' });
      expect(await violations(webrtc)).toEqual([]);

      // The Source menu's choice is kept in local storage: this page starts on HLS.
      const hls = await open(`/${channel.slug}`, 'hls');
      await hls.getByRole('button', { name: /^Source/ }).click();
      await hls.getByRole('menuitemradio', { name: /HLS/ }).click();
      await waitFor(async () => (await hls.getByTestId('player-via').textContent()) === 'HLS', {
        timeoutMs: 20_000,
        what: 'the player on HLS',
      });
      await waitFor(async () => (await framesShown(hls)) > 10, { timeoutMs: 30_000, what: 'HLS frames' });
      expect(await violations(hls)).toEqual([]);

      const studio = await open('/', 'studio');
      await signInOwner(studio, channel);
      await studio.goto('/studio');
      await waitFor(async () => (await framesShown(studio)) > 5, { timeoutMs: 30_000, what: 'the camera preview' });
      expect(await violations(studio)).toEqual([]);

      const docs = await open('/api/docs', 'docs');
      await docs.getByText('/api/v1/channels').first().waitFor({ timeout: 20_000 });
      expect(await violations(docs)).toEqual([]);
    } finally {
      await publication.stop();
    }
  });
});
