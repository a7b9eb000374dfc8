// Clips in real Chromium, against the whole platform: a WHIP publisher (libwebrtc in this process)
// goes live and the recorder writes HLS; a viewer presses Clip on the channel page, the clip is cut
// from the recording, listed under the player, and its own page plays it and copies its link. After
// the stream, a range of its VOD is clipped from the VOD page. An unknown clip says so.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signUpInBrowser } from '../support/web-session.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

interface ApiClip {
  id: string;
  channel: string;
  title: string;
  durationSeconds: number;
  videoUrl: string;
  pageUrl: string;
  vodId: string | null;
  startSeconds: number;
}

/** Segments recorded so far: the live playlist is a window, so those before it count too. */
function segmentsRecorded(playlist: string): number {
  const before = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1] ?? 0);
  return before + playlist.split('\n').filter((line) => line.endsWith('.m4s')).length;
}

/** The clip page's <video>: where it is and how many frames it has shown. */
function videoProgress(page: Page): Promise<{ time: number; frames: number }> {
  return page.getByTestId('clip-video').evaluate((element) => {
    const video = element as HTMLVideoElement;
    return { time: video.currentTime, frames: video.getVideoPlaybackQuality().totalVideoFrames };
  });
}

/** Waits until the clip plays: its time moves on by more than a second, and frames were decoded. */
async function waitForClipPlayback(page: Page): Promise<void> {
  const first = await waitFor(
    async () => {
      const seen = await videoProgress(page);
      return seen.time > 0 ? seen : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200, what: 'the clip to start playing' },
  );
  const later = await waitFor(
    async () => {
      const seen = await videoProgress(page);
      return seen.time > first.time + 1 ? seen : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200, what: 'the clip to play on for a second' },
  );
  expect(later.frames).toBeGreaterThan(first.frames);
}

describe('clips', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started));

  async function viewer(name: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, platform.url);
    const page = await context.newPage();
    recordConsole(page, name);
    return { context, page };
  }

  /** A live channel whose recorder holds `segments` segments already, so there is something to clip. */
  async function liveChannel(segments: number) {
    const channel = await createTestChannel(platform);
    const publisher = await publishOverWhip(platform.url, channel.streamKey);
    onTestFailed(() => void publisher.stop().catch(() => undefined));
    await waitFor(
      async () => {
        const response = await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`);
        return response.status === 200 && segmentsRecorded(await response.text()) >= segments;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `${segments} live HLS segments of ${channel.slug}` },
    );
    return { channel, publisher };
  }

  it('clips a live stream with the Clip button; the clip is listed and its page plays it and copies its link', async () => {
    const { channel, publisher } = await liveChannel(4);
    const { context, page } = await viewer('channel');
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    // Signed out, Clip is a way to sign in and come back: the server makes clips for users only.
    await page.goto(`/${channel.slug}`);
    await expect
      .poll(() => page.getByTestId('clip-button').getAttribute('href'), { timeout: 10_000 })
      .toBe(`/login?next=%2F${channel.slug}`);
    await screenshot(page, 'e2e-clip-signed-out');
    await signUpInBrowser(page, 'clipper');
    await page.goto(`/${channel.slug}`);
    await expect.poll(() => page.getByTestId('clip-empty').isVisible(), { timeout: 10_000 }).toBe(true);

    await page.getByTestId('clip-button').click();
    const open = page.getByTestId('clip-open');
    await open.waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('clip-result').textContent()).resolves.toContain('Clip saved');
    // The new clip tops the channel's list without a reload.
    const item = page.getByTestId('clip-item').first();
    await item.waitFor({ timeout: 5_000 });
    const listed = await waitFor(
      async () => {
        const response = await fetch(`${platform.url}/api/v1/channels/${channel.slug}/clips`);
        const { items } = (await response.json()) as { items: ApiClip[] };
        return items[0];
      },
      { what: 'the clip in the API' },
    );
    expect(listed.vodId).toBeNull();
    expect(await item.getByRole('link').getAttribute('href')).toBe(listed.pageUrl);
    await expect.poll(() => item.textContent()).toContain(listed.title);
    await waitFor(() => item.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth > 0), {
      timeoutMs: 10_000,
      what: 'the clip poster to load',
    });
    await screenshot(page, 'e2e-clip-button');
    await page.getByTestId('clip-list').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-clip-channel-list');

    await open.click();
    await page.waitForURL(new RegExp(`/clip/${listed.id}$`));
    await expect.poll(() => page.getByTestId('clip-title').textContent(), { timeout: 10_000 }).toBe(listed.title);
    expect(listed.title).toBe(`Clip of Test stream ${channel.slug.replace('live-', '')}`);
    await waitForClipPlayback(page);
    expect(await page.getByTestId('clip-channel-link').getAttribute('href')).toBe(`/${channel.slug}`);
    expect(await page.getByTestId('clip-download').getAttribute('href')).toBe(listed.videoUrl);
    expect(await page.getByTestId('clip-duration').textContent()).toMatch(/^0:\d\d$/);
    expect(await page.getByTestId('clip-source-vod').count()).toBe(0);
    const videoDuration = await page.getByTestId('clip-video').evaluate((v) => (v as HTMLVideoElement).duration);
    expect(Math.abs(videoDuration - listed.durationSeconds)).toBeLessThan(1);

    await page.getByTestId('copy-link').click();
    await expect.poll(() => page.getByTestId('copy-link').textContent()).toContain('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${platform.url}/clip/${listed.id}`);
    await screenshot(page, 'e2e-clip-page');

    // The shared link itself: a fresh visit straight to /clip/<id> plays too.
    const { page: visitor } = await viewer('visitor');
    await visitor.goto(listed.pageUrl);
    await expect.poll(() => visitor.getByTestId('clip-title').textContent(), { timeout: 10_000 }).toBe(listed.title);
    await waitForClipPlayback(visitor);
    await publisher.stop();
  });

  it('clips a range of a VOD from its page and links the clip back to it', async () => {
    const { channel, publisher } = await liveChannel(10);
    await publisher.stop();
    const vod = await waitFor(
      async () => {
        const response = await fetch(`${platform.url}/api/v1/channels/${channel.slug}/vods`);
        const { items } = (await response.json()) as { items: { id: string; durationSeconds: number }[] };
        return items[0];
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the VOD of the ended stream' },
    );
    expect(vod.durationSeconds).toBeGreaterThan(8);

    const { page } = await viewer('vod');
    await page.goto(`/vod/${vod.id}`);
    await page.getByTestId('vod-clip-toggle').click();
    // Signed out, the form offers to sign in and come back instead of a Create button.
    await expect
      .poll(() => page.getByTestId('clip-sign-in').getAttribute('href'), { timeout: 10_000 })
      .toBe(`/login?next=%2Fvod%2F${vod.id}`);
    expect(await page.getByTestId('clip-create').count()).toBe(0);
    await screenshot(page, 'e2e-clip-vod-signed-out');
    await signUpInBrowser(page, 'vodclipper');
    await page.goto(`/vod/${vod.id}`);
    await page.getByTestId('vod-clip-toggle').click();
    // From the start, 30 s around the position are more than the recording: all of it, at most 60 s.
    const start = page.getByTestId('clip-start');
    const end = page.getByTestId('clip-end');
    expect(await start.inputValue()).toBe('0:00');
    expect(await end.inputValue()).toMatch(/^0:\d\d$/);

    await end.fill('0:99');
    await expect.poll(() => page.getByTestId('clip-create').isDisabled()).toBe(true);
    await end.fill('0:05');
    await start.fill('0:07');
    await expect
      .poll(() => page.getByTestId('clip-range').textContent())
      .toContain('The end must come after the start.');
    await start.fill('0:02');
    await expect.poll(() => page.getByTestId('clip-range').textContent()).toContain('3 seconds long.');
    await page.getByTestId('clip-title-input').fill('A great save');
    await screenshot(page, 'e2e-clip-vod-form');
    await page.getByTestId('clip-create').click();

    const open = page.getByTestId('clip-open');
    await open.waitFor({ timeout: 30_000 });
    await screenshot(page, 'e2e-clip-vod-made');
    await open.click();
    await page.waitForURL(/\/clip\/[0-9a-f-]{36}$/);
    const clipId = page.url().split('/').pop()!;
    const clip = (await (await fetch(`${platform.url}/api/v1/clips/${clipId}`)).json()) as ApiClip;
    expect(clip.vodId).toBe(vod.id);
    expect(clip.title).toBe('A great save');
    // Cut at keyframes: within a segment of what was asked.
    expect(Math.abs(clip.durationSeconds - 3)).toBeLessThanOrEqual(1.5);
    await expect.poll(() => page.getByTestId('clip-title').textContent(), { timeout: 10_000 }).toBe('A great save');
    await waitForClipPlayback(page);

    // Back to the broadcast, where the clip was cut from.
    const source = page.getByTestId('clip-source-vod');
    expect(await source.getAttribute('href')).toBe(`/vod/${vod.id}?t=${Math.floor(clip.startSeconds)}`);
    await source.click();
    await page.waitForURL(new RegExp(`/vod/${vod.id}\\?t=`));
    await page.getByTestId('vod-title').waitFor();
  });

  it('says so for a clip that does not exist, and for an address that is no clip id', async () => {
    const { page } = await viewer('unknown');
    await page.goto('/clip/00000000-0000-4000-8000-000000000000');
    await page.getByTestId('clip-not-found').waitFor({ timeout: 10_000 });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This clip does not exist');
    expect(await page.title()).toBe('Clip not found · AeThex Live');
    await screenshot(page, 'e2e-clip-not-found');

    await page.goto('/clip/not-a-clip');
    await page.getByTestId('clip-not-found').waitFor({ timeout: 10_000 });
  });
});
