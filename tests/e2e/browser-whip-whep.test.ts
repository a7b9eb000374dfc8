// Chromium on both ends of the standard protocols: the studio goes live over WHIP (its "How this
// browser sends: WHIP" option, with a stream key), and another page plays the channel over WHEP
// (?via=whep on the channel page). Both land in the same SFU room as any other publisher and
// viewer; ending the stream in the studio ends it for the server.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { endStreamInStudio, signInOwner } from '../support/web-session.ts';

/** What the page's WHIP or WHEP client reports, through the web app's test handle. */
function whipPhase(page: Page): Promise<string | null> {
  return page.evaluate(() => window.__aethex?.whipClient?.status.phase ?? null);
}

function whepStats(
  page: Page,
): Promise<{ framesDecoded: number; frameWidth: number; audioPacketsReceived: number } | null> {
  return page.evaluate(async () => {
    const client = window.__aethex?.whepClient;
    if (!client) return null;
    const stats = await client.stats();
    return {
      framesDecoded: stats.framesDecoded,
      frameWidth: stats.frameWidth,
      audioPacketsReceived: stats.audioPacketsReceived,
    };
  });
}

/** Signs the channel's owner in on a new page and goes live from the studio over WHIP with the stream key. */
async function studioLiveOverWhip(
  browser: Browser,
  platform: TestPlatform,
  channel: TestChannel,
  name: string,
): Promise<Page> {
  const studio = await (await newContext(browser, platform.url)).newPage();
  recordConsole(studio, name);
  await studio.goto('/login');
  await signInOwner(studio, channel);
  await studio.goto('/studio');
  await studio.getByRole('radio', { name: /^Use a stream key/ }).check();
  await studio.getByLabel('Stream key', { exact: true }).fill(channel.streamKey);
  await studio.getByRole('radio', { name: /^WHIP/ }).check();
  await studio.getByRole('button', { name: 'Go live' }).click();
  await waitFor(async () => (await whipPhase(studio)) === 'live', {
    timeoutMs: 20_000,
    what: `${name} to be live over WHIP`,
  });
  return studio;
}

describe('a browser WHIP publisher and a browser WHEP player', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started));

  it('meet in one room: the studio publishes over WHIP, the channel page plays over WHEP', async () => {
    const channel = await createTestChannel(platform);
    const studio = await studioLiveOverWhip(browser, platform, channel, 'studio');

    // The server holds a WHIP session for the channel, with the camera and the microphone.
    // (A failure says what the rooms held instead, and what the studio's client reports.)
    const room = await waitFor(
      async () => {
        const rooms = platform.rooms!.rooms();
        const found = rooms.find((r) => r.producers().length === 2);
        if (found) return found;
        const held = rooms.map((r) => `[${r.producers().map((p) => p.source)}]`).join(' ') || 'no room';
        throw new Error(`rooms hold ${held}; studio WHIP phase ${await whipPhase(studio)}`);
      },
      { what: 'both WHIP producers' },
    );
    expect(
      room
        .producers()
        .map((p) => p.source)
        .sort(),
    ).toEqual(['camera', 'microphone']);
    const prisma = platform.database!.prisma;
    const dbChannel = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const live = await waitFor(
      () => prisma.stream.findFirst({ where: { channelId: dbChannel.id, state: 'live' } }).then((s) => s ?? undefined),
      {
        what: 'the live Stream row',
      },
    );

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

    await endStreamInStudio(studio);
    const ended = await waitFor(
      () => prisma.stream.findFirst({ where: { id: live.id, state: 'ended' } }).then((s) => s ?? undefined),
      {
        what: 'the Stream row to end',
      },
    );
    expect(ended.endedAt).toBeInstanceOf(Date);
  });

  it('lets the newest of two studios on one key keep the channel: the other stops and says why', async () => {
    const channel = await createTestChannel(platform);
    const first = await studioLiveOverWhip(browser, platform, channel, 'first studio');
    // Another tab (or a second computer) goes live with the same key: PUBLISHER_TAKEOVER=replace.
    const second = await studioLiveOverWhip(browser, platform, channel, 'second studio');
    const secondSession = await second.evaluate(() => window.__aethex?.whipClient?.status.resource ?? null);
    expect(secondSession).not.toBeNull();

    // The first hears that it was taken over and stops, instead of taking the channel back (and
    // the second then back again, for ever).
    const stopped = await waitFor(
      () =>
        first.evaluate(() =>
          window.__aethex?.whipClient?.status.phase === 'error'
            ? window.__aethex.whipClient.status.error?.code
            : undefined,
        ),
      { timeoutMs: 30_000, what: 'the first studio to stop' },
    );
    expect(stopped).toBe('taken_over');
    await first.getByText(/took over this stream with the same key/).waitFor();
    await screenshot(first, 'e2e-whip-taken-over');
    expect(await whipPhase(second)).toBe('live');
    expect(await second.evaluate(() => window.__aethex?.whipClient?.status.resource ?? null)).toBe(secondSession);
    await endStreamInStudio(second);
  });
});
