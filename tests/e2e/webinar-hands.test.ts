// Raised hands onto the stage in real Chromium (#14, "How it is checked"): with the webinar live
// and the host on stage, a signed-in attendee raises a hand; the host sees it in the queue and
// invites them; the attendee sees the device check (their camera's preview decoding) and presses
// "Join stage"; a third attendee decodes the new panelist's camera, and the time from "Join stage"
// to that first frame is printed (the goal: median < 1 s); the host moves them back to the
// audience, their camera leaves the third attendee's page, and their page is the audience's again.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { signUp } from '../support/api-client.ts';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signIn, signInOwner, stagePublishes } from '../support/web-session.ts';
import { backstageWebinar } from '../support/webinars.ts';

const cameraTile = (page: Page, name: string) =>
  page.locator(`[data-testid="stage-tile"][data-name="${name}"][data-source="camera"] video`);

/** The width of the picture a <video> shows (0 until a frame is decoded), or 0 while it is missing. */
const pictureWidth = (video: ReturnType<Page['locator']>) =>
  video.evaluate((v: HTMLVideoElement) => (v.srcObject ? v.videoWidth : 0)).catch(() => 0);

describe('raised hands in the browser', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started), { AUTH_RATE_LIMIT_PER_MINUTE: '1000' });

  it('takes an attendee with a raised hand onto the stage, and back to the audience', async () => {
    const prisma = platform.database!.prisma;
    const { channel, webinarId } = await backstageWebinar(platform, {
      title: 'Ask me anything',
      hostName: 'Hana Host',
    });
    const guest = await signUp(platform.url, 'guest');
    const guestName = (await prisma.user.findUniqueOrThrow({ where: { id: guest.id } })).name;

    // The host on stage, the webinar live.
    const host = await (await newContext(browser, platform.url)).newPage();
    recordConsole(host, 'host');
    await host.goto('/');
    await signInOwner(host, channel);
    await host.goto(`/webinars/${webinarId}`);
    await host.getByTestId('stage-join').click();
    await stagePublishes(host, ['camera', 'microphone'], "the host's camera and microphone");
    await host.getByTestId('stage-start').click();
    await host.getByTestId('hand-queue').waitFor({ timeout: 15_000 });

    // The attendee raises a hand; a third attendee (signed out) watches.
    const attendee = await (await newContext(browser, platform.url)).newPage();
    recordConsole(attendee, 'attendee');
    await attendee.goto('/');
    await signIn(attendee, { login: guest.username, password: guest.password });
    await attendee.goto(`/webinars/${webinarId}`);
    const viewer = await (await newContext(browser, platform.url)).newPage();
    recordConsole(viewer, 'viewer');
    await viewer.goto(`/webinars/${webinarId}`);
    await viewer.getByTestId('stage-audience').waitFor({ timeout: 15_000 });

    await attendee.getByTestId('hand-raise-button').click({ timeout: 15_000 });
    await attendee.getByTestId('hand-up').waitFor();
    const entry = host.locator(`[data-testid="hand-entry"][data-username="${guest.username}"]`);
    await entry.waitFor({ timeout: 5_000 });
    await screenshot(host, 'e2e-webinar-hands-host-queue');

    // The host invites; the attendee gets the device check, with their camera's preview playing.
    await entry.getByTestId('hand-invite').click();
    await entry.getByTestId('hand-invited').waitFor({ timeout: 5_000 });
    const dialog = attendee.getByTestId('hand-invitation');
    await dialog.waitFor({ timeout: 5_000 });
    await waitFor(async () => (await pictureWidth(attendee.getByTestId('hand-preview'))) > 0, {
      what: 'the device check to show the camera',
    });
    expect(await attendee.getByTestId('hand-invitation-expires').textContent()).toMatch(/expires in [12]:\d\d/);
    await screenshot(attendee, 'e2e-webinar-hands-invitation');
    await attendee.setViewportSize({ width: 390, height: 844 });
    await screenshot(attendee, 'e2e-webinar-hands-invitation-phone');
    await attendee.setViewportSize({ width: 1280, height: 800 });

    // "Join stage": on stage, publishing; the third attendee decodes the new panelist's camera.
    // Timed from the click as the page got it (Playwright's own checks before clicking take a
    // while on a busy machine); the pages and this process share one clock.
    await attendee.evaluate(() =>
      document.addEventListener(
        'click',
        (event) => {
          if ((event.target as Element).closest('[data-testid="hand-join-stage"]'))
            (window as unknown as { joinPressedAt: number }).joinPressedAt = Date.now();
        },
        { capture: true, once: true },
      ),
    );
    await attendee.getByTestId('hand-join-stage').click();
    const pressed = await attendee.evaluate(() => (window as unknown as { joinPressedAt: number }).joinPressedAt);
    // Where the time goes: the guest publishing, then the viewer's stage hearing of the camera.
    const publishing = stagePublishes(attendee, ['camera'], "the new panelist's camera").then(
      () => Date.now() - pressed,
    );
    const announced = waitFor(
      () =>
        viewer.evaluate(
          (name) =>
            (window as any).__aethex?.stage?.feeds.some(
              (f: { name: string; source: string }) => f.name === name && f.source === 'camera',
            ),
          guestName,
        ),
      { intervalMs: 10, timeoutMs: 20_000, what: "the viewer's stage to get the camera" },
    ).then(() => Date.now() - pressed);
    await waitFor(async () => (await pictureWidth(cameraTile(viewer, guestName))) > 0, {
      timeoutMs: 20_000,
      intervalMs: 10,
      what: "the viewer to decode the new panelist's camera",
    }).catch(async (error: unknown) => {
      await screenshot(attendee, 'e2e-webinar-hands-failed-attendee');
      await screenshot(viewer, 'e2e-webinar-hands-failed-viewer');
      const status = await attendee.evaluate(() => JSON.stringify((window as any).__aethex?.stage?.status));
      throw new Error(`${(error as Error).message}\nattendee stage: ${status}`);
    });
    const firstFrameMs = Date.now() - pressed;
    console.log(
      `webinar-hands: "Join stage" to the first frame at another attendee: ${firstFrameMs} ms ` +
        `(publishing after ${await publishing} ms, consumed after ${await announced} ms)`,
    );
    await stagePublishes(attendee, ['camera', 'microphone'], "the new panelist's camera and microphone");
    expect(await attendee.getByTestId('stage-member').getAttribute('data-on-stage')).toBe('true');
    const guestEntry = host.locator(`[data-testid="hand-guest"][data-username="${guest.username}"]`);
    await guestEntry.waitFor({ timeout: 5_000 });
    await waitFor(async () => (await pictureWidth(cameraTile(host, guestName))) > 0, {
      timeoutMs: 15_000,
      what: "the host to see the new panelist's camera",
    });
    await screenshot(host, 'e2e-webinar-hands-host-guest');

    // The host moves them back: their camera leaves the audience's page, and theirs is the audience's again.
    await guestEntry.getByTestId('hand-move-to-audience').click();
    await waitFor(async () => (await cameraTile(viewer, guestName).count()) === 0, {
      timeoutMs: 3_000,
      what: "the viewer to stop showing the guest's camera",
    });
    await attendee.getByTestId('stage-audience').waitFor({ timeout: 10_000 });
    await attendee.getByTestId('hand-raise-button').waitFor({ timeout: 5_000 });
    expect(await prisma.webinarMember.count({ where: { webinarId, userId: guest.id } })).toBe(0);
    await guestEntry.waitFor({ state: 'detached', timeout: 5_000 });
  });
});
