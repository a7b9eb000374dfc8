// Chromium on both ends of the standard protocols: the studio goes live over WHIP (its "How this
// browser sends: WHIP" option, with a stream key), and another page plays the channel over WHEP
// (?via=whep on the channel page). Both land in the same SFU room as any other publisher and
// viewer; ending the stream in the studio ends it for the server.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signInOwner } from '../support/web-session.ts';

/** What the page's WHIP or WHEP client reports, through the web app's test handle. */
function whipPhase(page: Page): Promise<string | null> {
  return page.evaluate(() => window.__aethex?.whipClient?.status.phase ?? null);
}

function whepStats(page: Page): Promise<{ framesDecoded: number; frameWidth: number; audioPacketsReceived: number } | null> {
  return page.evaluate(async () => {
    const client = window.__aethex?.whepClient;
    if (!client) return null;
    const stats = await client.stats();
    return { framesDecoded: stats.framesDecoded, frameWidth: stats.frameWidth, audioPacketsReceived: stats.audioPacketsReceived };
  });
}

describe('a browser WHIP publisher and a browser WHEP player', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started));

  it('meet in one room: the studio publishes over WHIP, the channel page plays over WHEP', async () => {
    const channel = await createTestChannel(platform);
    const studio = await (await newContext(browser, platform.url)).newPage();
    recordConsole(studio, 'studio');
    await studio.goto('/login');
    await signInOwner(studio, channel);
    await studio.goto('/studio');
    await studio.getByRole('radio', { name: /^Use a stream key/ }).check();
    await studio.getByLabel('Stream key', { exact: true }).fill(channel.streamKey);
    await studio.getByRole('radio', { name: /^WHIP/ }).check();
    await studio.getByRole('button', { name: 'Go live' }).click();
    await waitFor(async () => (await whipPhase(studio)) === 'live', { timeoutMs: 20_000, what: 'the studio to be live over WHIP' });

    // The server holds a WHIP session for the channel, with the camera and the microphone.
    const room = await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), { what: 'both WHIP producers' });
    expect(room.producers().map((p) => p.source).sort()).toEqual(['camera', 'microphone']);
    const prisma = platform.database!.prisma;
    const dbChannel = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const live = await waitFor(() => prisma.stream.findFirst({ where: { channelId: dbChannel.id, state: 'live' } }).then((s) => s ?? undefined), {
      what: 'the live Stream row',
    });

    const viewer = await (await newContext(browser, platform.url)).newPage();
    recordConsole(viewer, 'viewer');
    await viewer.goto(`/${channel.slug}?via=whep`);
    const stats = await waitFor(
      async () => {
        const seen = await whepStats(viewer);
        return seen && seen.framesDecoded > 10 && seen.audioPacketsReceived > 0 ? seen : undefined;
      },
      { timeoutMs: 20_000, what: 'decoded video and audio over WHEP' },
    );
    expect(stats.frameWidth).toBeGreaterThan(0);
    expect(await viewer.getByTestId('player').getAttribute('data-via')).toBe('whep');
    expect(room.viewerCount()).toBe(1);
    await screenshot(viewer, 'e2e-browser-whep-viewer');
    await screenshot(studio, 'e2e-browser-whip-studio');

    await studio.getByRole('button', { name: 'End stream' }).click();
    const ended = await waitFor(() => prisma.stream.findFirst({ where: { id: live.id, state: 'ended' } }).then((s) => s ?? undefined), {
      what: 'the Stream row to end',
    });
    expect(ended.endedAt).toBeInstanceOf(Date);
  });
});
