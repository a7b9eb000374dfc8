// A webinar's stage in real Chromium, with a fake camera, microphone and screen: the host (the
// channel's owner) joins the stage backstage from the webinar's page with camera, microphone and a
// screen share; a panelist invited by username joins with their camera; the host starts the
// webinar; two attendees in their own browser contexts see the share laid out large and both
// members' cameras by name, decode frames from each camera and receive both microphones; the host moves the panelist off the stage and the
// attendees stop showing them within seconds; ending the webinar ends every page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, recordConsole, screenshot } from '../support/browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signIn, signInOwner, stagePublishes } from '../support/web-session.ts';
import { backstageWebinar } from '../support/webinars.ts';

interface StageHandle {
  status: { phase: string; publishing: string[]; place: { onStage: boolean } | null };
  feeds: { name: string; source: string }[];
}

/** The page's stage client (the test build's window.__aethex.stage), as far as this test reads it. */
function stageOf(page: Page): Promise<{ phase: string; publishing: string[]; feeds: string[] } | null> {
  return page.evaluate(() => {
    const stage = (window as unknown as { __aethex?: { stage?: StageHandle } }).__aethex?.stage;
    if (!stage) return null;
    return {
      phase: stage.status.phase,
      publishing: stage.status.publishing,
      feeds: stage.feeds.map((f) => `${f.name}:${f.source}`),
    };
  });
}

const tile = (page: Page, name: string, source: 'camera' | 'screen') =>
  page.locator(`[data-testid="stage-tile"][data-name="${name}"][data-source="${source}"]`);

/** Width and frames so far of the picture in a tile; null while the tile or its picture is missing. */
function pictureOf(page: Page, name: string, source: 'camera' | 'screen') {
  return tile(page, name, source)
    .locator('video')
    .evaluate((video: HTMLVideoElement) =>
      video.srcObject ? { width: video.videoWidth, frames: video.getVideoPlaybackQuality().totalVideoFrames } : null,
    )
    .catch(() => null);
}

/** Waits for the tile's video to show a picture, and for more frames after it (it plays, not frozen). */
async function decodes(page: Page, name: string, source: 'camera' | 'screen', who: string): Promise<number> {
  const first = await waitFor(
    async () => {
      const picture = await pictureOf(page, name, source);
      return picture && picture.width > 0 ? picture : undefined;
    },
    { timeoutMs: 20_000, what: `${who} to decode ${name}'s ${source}` },
  ).catch(async (error: unknown) => {
    const debug = await page.evaluate(async () => {
      const stage = (window as unknown as { __aethex?: { stage?: { feeds: unknown; status: unknown } } }).__aethex
        ?.stage;
      const videos = [...document.querySelectorAll<HTMLVideoElement>('[data-testid="stage-tile"] video')].map((v) => ({
        tile: v.closest('figure')?.dataset,
        width: v.videoWidth,
        ready: v.readyState,
        paused: v.paused,
        tracks: v.srcObject instanceof MediaStream ? v.srcObject.getTracks().map((t) => [t.readyState, t.muted]) : null,
      }));
      return { feeds: stage?.feeds, status: stage?.status, videos };
    });
    throw new Error(`${(error as Error).message}\n${JSON.stringify(debug, null, 1)}`);
  });
  await waitFor(async () => ((await pictureOf(page, name, source))?.frames ?? 0) >= first.frames + 10, {
    timeoutMs: 15_000,
    what: `${who}'s ${name} ${source} frames to advance`,
  });
  return first.width;
}

describe('a webinar stage in the browser', () => {
  let platform: TestPlatform;
  let browser: Browser;

  beforeAll(async () => {
    platform = await startTestPlatform({ AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
    // Chromium's fake devices include a screen: getDisplayMedia answers with a test pattern.
    browser = await launchBrowser(['--auto-select-desktop-capture-source=Entire screen']);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  it('puts a host with a screen share and a panelist in front of two attendees, and takes the panelist off', async () => {
    const prisma = platform.database!.prisma;
    const hostName = 'Hana Host';
    const { channel, webinarId, panelist, panelistName } = await backstageWebinar(platform, {
      title: 'Stage test',
      hostName,
    });

    // Backstage: the host joins the stage with camera and microphone, then shares the screen.
    const host = await (await newContext(browser, platform.url)).newPage();
    recordConsole(host, 'host');
    await host.goto('/');
    await signInOwner(host, channel);
    await host.goto(`/webinars/${webinarId}`);
    await host.getByTestId('stage-join').click();
    await stagePublishes(host, ['camera', 'microphone'], "the host's camera and microphone");
    await host.getByTestId('stage-share').click();
    await stagePublishes(host, ['screen'], "the host's screen share");

    // The panelist, signed in on their own browser, joins with their camera.
    const panelistPage = await (await newContext(browser, platform.url)).newPage();
    recordConsole(panelistPage, 'panelist');
    await panelistPage.goto('/');
    await signIn(panelistPage, { login: panelist.username, password: panelist.password });
    await panelistPage.goto(`/webinars/${webinarId}`);
    await panelistPage.getByTestId('stage-join').click();
    await stagePublishes(panelistPage, ['camera', 'microphone'], "the panelist's camera and microphone");
    // Backstage, they see each other, with how well each one's media reaches the server.
    await decodes(host, panelistName, 'camera', 'the host');
    await decodes(panelistPage, hostName, 'camera', 'the panelist');
    for (const quality of [
      tile(host, panelistName, 'camera').getByTestId('network-quality'),
      host.getByTestId('stage-self').getByTestId('network-quality'),
      tile(panelistPage, hostName, 'camera').getByTestId('network-quality'),
    ] as const) {
      await quality.waitFor({ timeout: 15_000 });
      expect(['good', 'fair', 'poor']).toContain(await quality.getAttribute('data-level'));
      expect(await quality.getAttribute('aria-label')).toMatch(/connection$/);
    }

    // The host starts it from the stage.
    await host.getByTestId('stage-start').click();
    await waitFor(async () => (await prisma.webinar.findUniqueOrThrow({ where: { id: webinarId } })).state === 'live', {
      what: 'the webinar to be live',
    });

    const attendees: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const page = await (await newContext(browser, platform.url)).newPage();
      recordConsole(page, `attendee ${i + 1}`);
      await page.goto(`/webinars/${webinarId}`);
      attendees.push(page);
    }
    for (const [i, page] of attendees.entries()) {
      const who = `attendee ${i + 1}`;
      // The share is laid out large, and decoded.
      await page.getByTestId('stage-share-layout').waitFor({ timeout: 20_000 });
      expect(await decodes(page, hostName, 'screen', who)).toBeGreaterThan(0);
      expect(await decodes(page, hostName, 'camera', who)).toBeGreaterThan(0);
      expect(await decodes(page, panelistName, 'camera', who)).toBeGreaterThan(0);
      expect(await tile(page, hostName, 'screen').getByTestId('stage-tile-name').textContent()).toContain(hostName);
      expect(await tile(page, panelistName, 'camera').getByTestId('stage-tile-name').textContent()).toContain(
        panelistName,
      );
      // Network quality is for the stage's members.
      expect(await page.getByTestId('network-quality').count()).toBe(0);
      // Both microphones are received (each plays in its own <audio>).
      const feeds = (await stageOf(page))!.feeds;
      expect(feeds).toEqual(expect.arrayContaining([`${hostName}:microphone`, `${panelistName}:microphone`]));
    }
    await screenshot(host, 'e2e-webinar-stage-host');
    await screenshot(panelistPage, 'e2e-webinar-stage-panelist');
    await screenshot(attendees[0]!, 'e2e-webinar-stage-attendee');
    await attendees[1]!.setViewportSize({ width: 390, height: 844 });
    await decodes(attendees[1]!, panelistName, 'camera', 'the attendee on a phone');
    await screenshot(attendees[1]!, 'e2e-webinar-stage-attendee-phone');

    // The panelist steps backstage: gone from the attendees' pages, marked on the host's; then back.
    await panelistPage.getByTestId('stage-backstage').click();
    for (const [i, page] of attendees.entries())
      await waitFor(async () => (await tile(page, panelistName, 'camera').count()) === 0, {
        timeoutMs: 3_000,
        what: `attendee ${i + 1} to stop showing the panelist backstage`,
      });
    await waitFor(
      async () =>
        (await tile(host, panelistName, 'camera').getByTestId('stage-tile-name').textContent())?.includes('backstage'),
      { what: "the host's stage to mark the panelist backstage" },
    );
    expect(await panelistPage.getByTestId('stage-backstage').textContent()).toContain('Back on stage');
    await screenshot(panelistPage, 'e2e-webinar-stage-backstage');
    await panelistPage.getByTestId('stage-backstage').click();
    for (const [i, page] of attendees.entries())
      await decodes(page, panelistName, 'camera', `attendee ${i + 1}, the panelist back on stage`);

    // The host moves the panelist off the stage: gone from the attendees' pages within seconds,
    // and the panelist's page says so.
    await host
      .locator(`[data-testid="roster-member"][data-username="${panelist.username}"]`)
      .getByRole('button', { name: /^Move off stage/ })
      .click();
    for (const [i, page] of attendees.entries()) {
      await waitFor(async () => (await tile(page, panelistName, 'camera').count()) === 0, {
        timeoutMs: 3_000,
        what: `attendee ${i + 1} to stop showing the panelist`,
      });
      expect(await tile(page, hostName, 'screen').count()).toBe(1);
    }
    await panelistPage.getByTestId('stage-moved-off').waitFor();
    expect((await stageOf(panelistPage))!.publishing).toEqual([]);
    await screenshot(panelistPage, 'e2e-webinar-stage-moved-off');

    // Ending it lets everyone go: every page says it has ended.
    await host.getByTestId('stage-end').click();
    for (const page of [...attendees, panelistPage, host])
      await page.getByTestId('webinar-ended').waitFor({ timeout: 15_000 });
  });
});
