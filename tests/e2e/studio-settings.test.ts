// The studio for a brand-new creator in real Chromium: create the channel, edit it, upload an
// avatar (and see a non-image refused), issue a stream key that is shown once, and go live as the
// signed-in owner without any key while a signed-in viewer decodes the picture.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from '../support/browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { endStreamInStudio, signUpInBrowser } from '../support/web-session.ts';

/**
 * Signs a new user up in this page's context: through the sign-up form when the app has one,
 * else with the API from the page. Either way the session cookie lands in the context.
 */

/** Creates the channel through the studio's own form and waits for the studio's tabs. */
async function createChannelInStudio(page: Page, slug: string, title: string): Promise<void> {
  await page.goto('/studio');
  await page.getByRole('heading', { name: 'Create your channel' }).waitFor();
  await page.getByLabel('Address').fill(slug);
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create channel' }).click();
  await page.getByRole('tab', { name: 'Go live' }).waitFor();
}

function playerFrames(page: Page): Promise<number> {
  return page.evaluate(async () => (await window.__aethex?.player?.stats())?.framesDecoded ?? 0);
}

describe('the studio for a new creator', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let scratch: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ STREAM_END_GRACE_MS: '2000' });
    browser = await launchBrowser();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-studio-e2e-'));
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('sends a signed-out visitor to log in first, with the studio as the way back', async () => {
    const page = await (await newContext(browser, platform.url)).newPage();
    await page.goto('/studio');
    await waitFor(() => new URL(page.url()).pathname === '/login', { what: 'the redirect to /login' });
    expect(new URL(page.url()).searchParams.get('next')).toBe('/studio');
  });

  it('creates a channel, edits it, uploads an avatar, and shows a new stream key only once', async () => {
    const page = await (await newContext(browser, platform.url)).newPage();
    const username = await signUpInBrowser(page, 'maker');
    const slug = `maker-${randomBytes(4).toString('hex')}`;
    await createChannelInStudio(page, slug, 'My first channel');
    const prisma = platform.database!.prisma;
    const user = await prisma.user.findUniqueOrThrow({ where: { username } });
    const created = await prisma.channel.findUniqueOrThrow({ where: { slug } });
    expect(created.ownerId).toBe(user.id);
    expect(created.title).toBe('My first channel');
    await screenshot(page, 'e2e-studio-go-live-tab');

    // Channel tab: title and category, saved to the database.
    await page.getByRole('tab', { name: 'Channel' }).click();
    const title = page.getByLabel('Title', { exact: true });
    await expect.poll(() => title.inputValue()).toBe('My first channel');
    await title.fill('Edited in the studio');
    const category = page.getByLabel('Category', { exact: true });
    const choice = await category.locator('option').nth(2).getAttribute('value');
    expect(choice).toBeTruthy();
    await category.selectOption(choice!);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByTestId('channel-saved').waitFor();
    const edited = await prisma.channel.findUniqueOrThrow({ where: { slug } });
    expect(edited.title).toBe('Edited in the studio');
    expect(edited.category).toBe(choice);

    // Avatar: a real PNG is stored and served; a text file named .png is refused with the server's 415.
    const png = path.join(scratch, 'avatar.png');
    execFileSync('ffmpeg', [
      '-y',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=red:s=64x64',
      '-frames:v',
      '1',
      png,
    ]);
    const avatar = page.getByTestId('avatar-upload');
    await avatar.locator('input[type="file"]').setInputFiles(png);
    await avatar.getByRole('button', { name: 'Upload avatar' }).click();
    await avatar.getByText('Saved.').waitFor();
    const stored = await prisma.channel.findUniqueOrThrow({ where: { slug } });
    expect(stored.avatarPath).toBeTruthy();
    const src = await avatar.getByTestId('avatar-image').getAttribute('src');
    expect(src).toMatch(/^\/uploads\//);
    const served = await fetch(`${platform.url}${src}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    const fake = path.join(scratch, 'not-an-image.png');
    fs.writeFileSync(fake, 'this is text, not a picture');
    await avatar.locator('input[type="file"]').setInputFiles(fake);
    await avatar.getByRole('button', { name: 'Upload avatar' }).click();
    await expect.poll(() => avatar.getByTestId('avatar-error').textContent()).toContain('not an image we take');
    expect((await prisma.channel.findUniqueOrThrow({ where: { slug } })).avatarPath).toBe(stored.avatarPath);
    await screenshot(page, 'e2e-studio-channel-tab');

    // Stream keys: the new key is shown once, is the one stored (by hash), and never again.
    await page.getByRole('tab', { name: 'Stream keys' }).click();
    await page.getByTestId('create-stream-key').click();
    const key = (await page.getByTestId('issued-key-value').textContent())!.trim();
    expect(key.length).toBeGreaterThan(20);
    expect(await page.getByTestId('issued-whip-url').textContent()).toBe(`${platform.url}/api/whip`);
    const row = await prisma.streamKey.findUniqueOrThrow({
      where: { keyHash: createHash('sha256').update(key).digest('hex') },
    });
    expect(row.channelId).toBe(created.id);
    expect(row.revokedAt).toBeNull();
    await expect.poll(() => page.getByTestId('stream-key-row').count()).toBe(1);
    expect(await page.getByTestId('stream-key-row').textContent()).toContain(row.prefix);
    await screenshot(page, 'e2e-studio-keys-tab');
    await page.getByRole('tab', { name: 'Channel' }).click();
    await page.getByRole('tab', { name: 'Stream keys' }).click();
    await page.getByTestId('stream-key-row').waitFor();
    expect(await page.getByTestId('issued-key').count()).toBe(0);
    expect(await page.content()).not.toContain(key);
  });

  it('goes live as the signed-in owner without a stream key, and a signed-in viewer sees the picture', async () => {
    const studio = await (await newContext(browser, platform.url)).newPage();
    await signUpInBrowser(studio, 'live');
    const slug = `live-${randomBytes(4).toString('hex')}`;
    await createChannelInStudio(studio, slug, 'Live without a key');
    const prisma = platform.database!.prisma;
    const channel = await prisma.channel.findUniqueOrThrow({ where: { slug } });
    expect(await prisma.streamKey.count({ where: { channelId: channel.id } })).toBe(0);

    // Publishing as oneself is the default; no key field is shown.
    expect(await studio.getByRole('radio', { name: /^As @/ }).isChecked()).toBe(true);
    expect(await studio.getByLabel('Stream key', { exact: true }).count()).toBe(0);
    await studio.getByRole('button', { name: 'Go live' }).click();
    await waitFor(async () => (await studio.getByTestId('studio-status').getAttribute('data-phase')) === 'live', {
      timeoutMs: 20_000,
      what: 'the studio to be live',
    });
    await waitFor(
      () => prisma.stream.findFirst({ where: { channelId: channel.id, state: 'live' } }).then((s) => s ?? undefined),
      { what: 'a live Stream row' },
    );

    const viewer = await (await newContext(browser, platform.url)).newPage();
    const viewerName = await signUpInBrowser(viewer, 'watcher');
    await viewer.goto(`/${slug}`);
    await waitFor(async () => (await playerFrames(viewer)) >= 10, {
      timeoutMs: 20_000,
      what: 'the viewer to decode frames',
    });
    expect(await viewer.getByTestId('player').getAttribute('data-phase')).toBe('live');
    // Playback by a signed-in viewer is remembered once, for recommendations.
    const watcher = await prisma.user.findUniqueOrThrow({ where: { username: viewerName } });
    const watched = await waitFor(
      () =>
        prisma.watchedChannel
          .findUnique({ where: { userId_channelId: { userId: watcher.id, channelId: channel.id } } })
          .then((w) => w ?? undefined),
      { what: 'the watched-channel row' },
    );
    expect(watched.times).toBe(1);
    await screenshot(studio, 'e2e-studio-live-no-key');
    await screenshot(viewer, 'e2e-channel-live-no-key');

    await endStreamInStudio(studio);
    await waitFor(async () => (await viewer.getByTestId('player').getAttribute('data-phase')) === 'ended', {
      timeoutMs: 15_000,
      what: 'the viewer to see the end',
    });
  });
});
