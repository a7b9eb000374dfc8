// The creator's live session in the browser studio, in real Chromium with a fake camera: leaving
// the studio while live asks first and "End stream" there ends the Stream row at once; the header
// says "LIVE" on other pages; a second browser context signed in as the same creator sees the
// stream running "from another device", takes it over (the first tab says so in neutral words)
// and ends it; "End stream" confirms, then a summary card shows what the database counts.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, recordConsole, screenshot } from '../support/browser.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signInOwner } from '../support/web-session.ts';

describe('the live session in the studio', () => {
  let platform: TestPlatform;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // A stream that ends here is ended on purpose: the grace period would take a minute.
    platform = await startTestPlatform({ PUBLISHER_TAKEOVER: 'replace', STREAM_END_GRACE_MS: '60000' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await platform?.close();
  });

  const prisma = () => platform.database!.prisma;

  async function studioPage(channel: TestChannel, name: string): Promise<Page> {
    const context = await newContext(browser, platform.url);
    contexts.push(context);
    const page = await context.newPage();
    recordConsole(page, name);
    await page.goto('/');
    await signInOwner(page, channel);
    await page.goto('/studio');
    return page;
  }

  async function goLive(page: Page): Promise<void> {
    const button = page.getByRole('button', { name: 'Go live', exact: true });
    await waitFor(() => button.isEnabled(), { timeoutMs: 20_000, what: 'the Go live button' });
    await button.click();
    await studioPhase(page, 'live');
  }

  function studioPhase(page: Page, phase: string): Promise<unknown> {
    return waitFor(async () => (await page.getByTestId('studio-status').getAttribute('data-phase')) === phase, {
      timeoutMs: 20_000,
      what: `the studio to be ${phase}`,
    });
  }

  async function liveStream(channel: TestChannel) {
    return waitFor(
      async () =>
        (await prisma().stream.findFirst({ where: { channel: { slug: channel.slug }, state: 'live' } })) ?? undefined,
      { what: 'a live Stream row' },
    );
  }

  async function ended(streamId: string, timeoutMs = 3000) {
    return waitFor(
      async () => {
        const row = await prisma().stream.findUniqueOrThrow({ where: { id: streamId } });
        return row.state === 'ended' ? row : undefined;
      },
      { timeoutMs, what: 'the Stream row to end' },
    );
  }

  it('asks before leaving while live; kept running it stays live with LIVE in the header; "End stream" ends it at once', async () => {
    const channel = await createTestChannel(platform);
    const studio = await studioPage(channel, 'leave');
    await goLive(studio);
    const stream = await liveStream(channel);
    await studio.getByTestId('header-live').waitFor();

    // Away to the home page: asked first, and kept running.
    await studio.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Discover' }).click();
    const dialog = studio.getByRole('dialog', { name: 'End the stream or keep it running?' });
    await dialog.waitFor();
    await screenshot(studio, 'e2e-live-session-leave');
    await dialog.getByRole('button', { name: 'Keep it running' }).click();
    await waitFor(() => new URL(studio.url()).pathname === '/', { what: 'the home page' });
    await studio.getByTestId('header-live').waitFor();
    expect((await prisma().stream.findUniqueOrThrow({ where: { id: stream.id } })).state).toBe('live');

    // Back through the header's indicator, and away again: this time the stream ends, at once.
    await studio.getByTestId('header-live').click();
    await studioPhase(studio, 'live');
    await studio.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Discover' }).click();
    await dialog.getByRole('button', { name: 'End stream' }).click();
    const row = await ended(stream.id);
    expect(row.endedAt).not.toBeNull();
    await waitFor(() => new URL(studio.url()).pathname === '/', { what: 'the home page' });
    await waitFor(async () => (await studio.getByTestId('header-live').count()) === 0, { what: 'LIVE gone' });
  });

  it('shows a stream running from another device, takes it over in neutral words, and ends it from there', async () => {
    const channel = await createTestChannel(platform);
    const desk = await studioPage(channel, 'desk');
    await goLive(desk);
    const stream = await liveStream(channel);

    // The same creator on a second device: no plain "Go live" over the running stream.
    const phone = await studioPage(channel, 'phone');
    const banner = phone.getByTestId('live-elsewhere');
    await banner.waitFor();
    const since = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(stream.startedAt!);
    expect(await banner.getByRole('heading').textContent()).toBe(`Live from another device since ${since}`);
    expect(await phone.getByRole('button', { name: 'Go live', exact: true }).count()).toBe(0);
    await screenshot(phone, 'e2e-live-session-elsewhere');
    await phone.setViewportSize({ width: 390, height: 844 });
    await screenshot(phone, 'e2e-live-session-elsewhere-phone');

    // Taken over on the phone: the desk says so, not as an error, and offers the same choice.
    await banner.getByRole('button', { name: 'Take over here' }).click();
    await studioPhase(phone, 'live');
    expect(await desk.getByTestId('studio-handed-over').textContent()).toContain(
      'You went live from another device; this tab stopped sending.',
    );
    expect(await desk.getByTestId('studio-error').count()).toBe(0);
    await desk.getByTestId('live-elsewhere').waitFor();
    // Still the same stream.
    expect((await liveStream(channel)).id).toBe(stream.id);

    // Ended from the desk, which doesn't send it: confirmed first, then the Stream row ends.
    await desk.getByTestId('live-elsewhere').getByRole('button', { name: 'End stream' }).click();
    await desk.getByRole('dialog', { name: 'End the stream?' }).getByRole('button', { name: 'End stream' }).click();
    await ended(stream.id, 5000);
    await waitFor(
      async () => (await phone.getByTestId('studio-handed-over').textContent())?.includes('ended from another device'),
      { timeoutMs: 10_000, what: 'the phone to say the stream was ended elsewhere' },
    );
    expect(await phone.getByTestId('studio-error').count()).toBe(0);
    await desk.getByTestId('stream-summary').waitFor();
  });

  it('confirms "End stream", then sums the stream up with the numbers the database holds', async () => {
    const channel = await createTestChannel(platform);
    const studio = await studioPage(channel, 'summary');
    await goLive(studio);
    const stream = await liveStream(channel);

    // A viewer watches (the peak), follows and chats; a clip is made.
    const viewer = await (async () => {
      const context = await newContext(browser, platform.url);
      contexts.push(context);
      return context.newPage();
    })();
    await viewer.goto(`/${channel.slug}`);
    await waitFor(async () => (await viewer.getByTestId('player').getAttribute('data-phase')) === 'live', {
      timeoutMs: 20_000,
      what: 'the viewer to play',
    });
    await waitFor(
      async () => (await prisma().stream.findUniqueOrThrow({ where: { id: stream.id } })).peakViewers >= 1,
      {
        what: 'the peak to count the viewer',
      },
    );
    const channelRow = await prisma().channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const fan = await prisma().user.create({
      data: {
        email: `fan-${stream.id}@example.test`,
        username: `fan_${stream.id.slice(0, 8)}`,
        name: 'Fan',
        passwordHash: 'x',
      },
    });
    await prisma().follow.create({ data: { userId: fan.id, channelId: channelRow.id } });
    await prisma().chatMessage.createMany({
      data: ['hello', 'nice synth'].map((body) => ({
        channelId: channelRow.id,
        streamId: stream.id,
        userId: fan.id,
        body,
      })),
    });
    await prisma().clip.create({
      data: { channelId: channelRow.id, streamId: stream.id, startSeconds: 0, durationSeconds: 5, path: 'x/clip.mp4' },
    });

    // The recorder has listed a segment: this stream leaves a VOD (a stream ended before its
    // first segment leaves none, and the card rightly shows no link).
    await waitFor(
      async () => {
        const playlist = await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`);
        return playlist.ok && (await playlist.text()).includes('#EXTINF');
      },
      { timeoutMs: 30_000, what: 'the recorder to list a segment' },
    );

    // "End stream" asks first; kept, nothing ends.
    await studio.getByRole('button', { name: 'End stream' }).click();
    const confirm = studio.getByRole('dialog', { name: 'End the stream?' });
    await confirm.getByRole('button', { name: 'Keep streaming' }).click();
    expect((await prisma().stream.findUniqueOrThrow({ where: { id: stream.id } })).state).toBe('live');
    await studio.getByRole('button', { name: 'End stream' }).click();
    await confirm.getByRole('button', { name: 'End stream' }).click();
    const row = await ended(stream.id);

    const card = studio.getByTestId('stream-summary');
    await card.waitFor();
    const figure = async (id: string) => (await card.locator(`[data-figure="${id}"] dd`).textContent())?.trim();
    const seconds = Math.round((row.endedAt!.getTime() - row.startedAt!.getTime()) / 1000);
    expect(await figure('duration')).toBe(`${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`);
    expect(await figure('peak')).toBe(String(row.peakViewers));
    expect(await figure('followers')).toBe(
      String(
        await prisma().follow.count({
          where: { channelId: channelRow.id, createdAt: { gte: row.startedAt!, lte: row.endedAt! } },
        }),
      ),
    );
    expect(await figure('followers')).toBe('1');
    expect(await figure('chat')).toBe(String(await prisma().chatMessage.count({ where: { streamId: stream.id } })));
    expect(await figure('chat')).toBe('2');
    expect(await figure('clips')).toBe('1');
    await screenshot(studio, 'e2e-live-session-summary');
    await studio.setViewportSize({ width: 390, height: 844 });
    await card.scrollIntoViewIfNeeded();
    await screenshot(studio, 'e2e-live-session-summary-phone');

    // The VOD link appears once the recorder has written it.
    const vod = await waitFor(
      async () => (await prisma().vod.findUnique({ where: { streamId: stream.id } })) ?? undefined,
      // Finishing a VOD remuxes an MP4 and cuts a poster: as long as clips.test.ts allows.
      { timeoutMs: 60_000, what: 'the VOD row' },
    );
    await waitFor(async () => (await card.getByTestId('summary-vod').getAttribute('href')) === `/vod/${vod.id}`, {
      timeoutMs: 15_000,
      what: 'the link to the VOD',
    });
  });

  it('shows the server status to admins on /admin, and no longer on the home page', async () => {
    const channel = await createTestChannel(platform);
    await prisma().user.update({ where: { email: channel.ownerEmail }, data: { role: 'admin' } });
    const page = await studioPage(channel, 'admin');
    await page.goto('/');
    await page.getByRole('heading', { name: 'Live now' }).first().waitFor();
    expect(await page.getByTestId('server-status').count()).toBe(0);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    const status = page.getByTestId('server-status');
    await status.waitFor();
    expect(await status.textContent()).toContain('pglite');
    await screenshot(page, 'e2e-live-session-admin');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'e2e-live-session-admin-phone');
  });
});
