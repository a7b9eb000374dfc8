// Private channels in real Chromium, against the whole platform: the owner signs in, makes the
// channel private and creates a viewer link in the studio; a WHIP publisher goes live. A stranger
// sees only who can watch; whoever opens the link watches (and the token leaves the address); once
// the owner revokes the link, opening it again says it is no longer valid. After the stream, the
// recording and a clip of it are private for the stranger.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel, OWNER_PASSWORD } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';
import { waitForMedia } from '../support/player-stats.ts';

/** What a same-origin GET of the page answers: the page's cookies go along, as the app's own requests do. */
function statusFromPage(page: Page, path: string): Promise<number> {
  return page.evaluate(async (url) => (await fetch(url)).status, path);
}

describe('a private channel', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started));

  async function page(name: string): Promise<Page> {
    const opened = await (await newContext(browser, platform.url)).newPage();
    recordConsole(opened, name);
    return opened;
  }

  it('is watched only through a viewer link, which stops working once revoked', async () => {
    const channel = await createTestChannel(platform);

    // The owner signs in through the form and lands on the studio's Channel tab.
    const owner = await page('owner');
    await owner.goto(`/login?next=${encodeURIComponent('/studio?tab=channel')}`);
    await owner.getByLabel('Email or username').fill(channel.ownerEmail);
    await owner.getByLabel('Password').fill(OWNER_PASSWORD);
    await owner.getByRole('button', { name: 'Log in' }).click();
    await owner.waitForURL(/\/studio\?tab=channel$/);

    const privateSwitch = owner.getByRole('switch', { name: 'Private channel' });
    await expect.poll(() => privateSwitch.isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await privateSwitch.getAttribute('aria-checked')).toBe('false');
    await expect.poll(() => owner.getByTestId('viewer-links-public-note').isVisible()).toBe(true);
    await privateSwitch.click();
    await owner.getByTestId('private-saved').waitFor({ timeout: 10_000 });
    expect(await privateSwitch.getAttribute('aria-checked')).toBe('true');
    expect(await owner.getByTestId('viewer-links-public-note').count()).toBe(0);
    const saved = (await (await fetch(`${platform.url}/api/v1/channels/${channel.slug}`)).json()) as {
      private: boolean;
      canWatch: boolean;
    };
    expect(saved).toMatchObject({ private: true, canWatch: false });

    // The same panel caps the stream's WebRTC viewers (the rest go to HLS).
    await owner.getByLabel('WebRTC seats per stream').fill('50');
    await owner.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => owner.getByText('Saved: 50 WebRTC viewers a stream.').isVisible(), { timeout: 10_000 })
      .toBe(true);
    expect(
      (await platform.database!.prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } })).webrtcSeats,
    ).toBe(50);
    await screenshot(owner, 'e2e-private-privacy-panel');

    await owner.getByLabel('Who is the new link for?').fill('Marketing team');
    await owner.getByTestId('create-viewer-link').click();
    const issuedUrl = owner.getByTestId('issued-watch-url');
    await issuedUrl.waitFor({ timeout: 10_000 });
    const watchUrl = new URL((await issuedUrl.textContent())!.trim());
    const token = watchUrl.searchParams.get('token');
    expect(token).toMatch(/^view_/);
    expect(watchUrl.pathname).toBe(`/${channel.slug}`);
    expect(await owner.getByTestId('copy-link').getAttribute('data-url')).toBe(watchUrl.href);
    const row = owner.getByTestId('viewer-link-row').filter({ hasText: 'Marketing team' });
    await row.waitFor();
    // Listed by its first characters only: the token itself is never in the list.
    expect(await owner.getByTestId('viewer-link-list').textContent()).not.toContain(token!);
    await owner.getByTestId('viewer-link-manager').scrollIntoViewIfNeeded();
    await screenshot(owner, 'e2e-private-studio');

    const publisher = await publishOverWhip(platform.url, channel.streamKey);
    onTestFailed(() => void publisher.stop().catch(() => undefined));
    await waitFor(
      async () =>
        // Asked with the link's token: outsiders of a private channel aren't told it is live.
        (
          (await (
            await fetch(`${platform.url}/api/v1/channels/${channel.slug}`, {
              headers: { authorization: `Bearer ${token!}` },
            })
          ).json()) as { live: boolean }
        ).live,
      { timeoutMs: 15_000, what: 'the channel to be live' },
    );

    // A stranger: who can watch, and nothing plays.
    const stranger = await page('stranger');
    await stranger.goto(`/${channel.slug}`);
    await stranger.getByTestId('private-notice').waitFor({ timeout: 10_000 });
    expect(await stranger.getByTestId('private-notice').textContent()).toContain('This stream is private');
    expect(await stranger.getByTestId('private-sign-in').getAttribute('href')).toBe(`/login?next=%2F${channel.slug}`);
    expect(await stranger.getByTestId('player').count()).toBe(0);
    expect(await stranger.locator('video').count()).toBe(0);
    expect(await stranger.evaluate(() => window.__aethex?.player === undefined)).toBe(true);
    expect(await statusFromPage(stranger, `/api/v1/channels/${channel.slug}/vods`)).toBe(403);
    await screenshot(stranger, 'e2e-private-notice');

    // The link's holder watches; the token is gone from the address (replaced, so from the history too).
    const viewer = await page('viewer');
    await viewer.goto(`${watchUrl.pathname}${watchUrl.search}`);
    const stats = await waitForMedia(viewer);
    expect(stats.frameWidth).toBeGreaterThan(0);
    expect(await viewer.getByTestId('player').getAttribute('data-phase')).toBe('live');
    expect(new URL(viewer.url()).pathname).toBe(`/${channel.slug}`);
    expect(new URL(viewer.url()).searchParams.has('token')).toBe(false);
    await viewer.getByTestId('private-badge').waitFor();
    expect(await viewer.getByTestId('private-notice').count()).toBe(0);
    await screenshot(viewer, 'e2e-private-viewer');

    // The owner revokes the link, with a confirmation.
    await row.getByRole('button', { name: 'Revoke the link Marketing team', exact: true }).click();
    await row.getByRole('button', { name: 'Confirm: revoke the link Marketing team' }).click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('Revoked');

    const late = await page('late');
    await late.goto(`${watchUrl.pathname}${watchUrl.search}`);
    await late.getByTestId('viewer-link-invalid').waitFor({ timeout: 10_000 });
    await late.getByTestId('private-notice').waitFor();
    expect(new URL(late.url()).searchParams.has('token')).toBe(false);
    expect(await late.getByTestId('player').count()).toBe(0);
    await screenshot(late, 'e2e-private-link-revoked');

    // Revoking cut off whoever watched with the link too: the player stops, saying why.
    await expect.poll(() => viewer.getByTestId('player').getAttribute('data-phase'), { timeout: 10_000 }).toBe('error');
    expect(await viewer.getByTestId('player').textContent()).toContain('Your access to this private channel ended');
    expect(await statusFromPage(viewer, `/api/v1/channels/${channel.slug}/vods`)).toBe(403);
    await screenshot(viewer, 'e2e-private-viewer-after-revoke');

    // After the stream: the recording is the owner's to see, and private to the stranger.
    await publisher.stop();
    const vod = await waitFor(
      () =>
        owner.evaluate(async (slug) => {
          const response = await fetch(`/api/v1/channels/${slug}/vods`);
          if (!response.ok) return undefined;
          const { items } = (await response.json()) as { items: { id: string; durationSeconds: number }[] };
          return items[0];
        }, channel.slug),
      { timeoutMs: 60_000, intervalMs: 500, what: 'the VOD of the ended stream, as the owner sees it' },
    );
    await stranger.goto(`/vod/${vod.id}`);
    await stranger.getByTestId('vod-private').waitFor({ timeout: 10_000 });
    await screenshot(stranger, 'e2e-private-vod');

    // A clip of it (the owner's, made through the API from their page) is private as well.
    const clip = await owner.evaluate(async ({ id, durationSeconds }) => {
      const response = await fetch(`/api/v1/vods/${id}/clips`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ startSeconds: 0, endSeconds: Math.min(2, durationSeconds) }),
      });
      return { status: response.status, body: (await response.json()) as { id: string; detail?: string } };
    }, vod);
    expect(clip, clip.body.detail).toMatchObject({ status: 201 });
    await stranger.goto(`/clip/${clip.body.id}`);
    await stranger.getByTestId('clip-private').waitFor({ timeout: 10_000 });
    await screenshot(stranger, 'e2e-private-clip');
  });
});
