// Attendance and certificates in real Chromium: the host goes on stage with a fake camera and
// starts a webinar whose certificates need half of the live time; two signed-in attendees watch
// it from their own browsers for different lengths and close their pages; the host ends it. The
// attendance CSV lists each attendee with the seconds they watched (within 5 s); the one who
// stayed finds their certificate on the webinar's page, whose PDF (pdftotext) holds their name
// and a number that the public verification page confirms; the one who left early has none.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signInOwner, signUpInBrowser, stagePublishes } from '../support/web-session.ts';
import { backstageWebinar } from '../support/webinars.ts';

const run = promisify(execFile);

describe('webinar attendance and certificates', () => {
  let platform: TestPlatform;
  let browser: Browser;
  withBrowserPlatform((both) => ({ platform, browser } = both));

  /** A signed-up attendee's page on the webinar, once its stage shows (their watching starts). */
  async function attendee(webinarId: string, prefix: string) {
    const context = await newContext(browser, platform.url);
    const page = await context.newPage();
    recordConsole(page, prefix);
    const username = await signUpInBrowser(page, prefix);
    const name = `${prefix} person`; // the name signUpInBrowser gives
    await page.goto(`/webinars/${webinarId}`);
    await page.getByTestId('stage-audience').waitFor({ timeout: 20_000 });
    return { context, page, username, name, joinedAt: Date.now() };
  }

  async function leave(watching: { page: Page; joinedAt: number }): Promise<number> {
    await watching.page.close();
    return (Date.now() - watching.joinedAt) / 1000;
  }

  it('reports what each attendee watched, and certifies the one above the threshold', async () => {
    const { channel, hostApi, webinarId } = await backstageWebinar(platform, { title: 'Safety training, week 3' });
    expect(
      (await hostApi.put(`/api/v1/webinars/${webinarId}/certificate-policy`, { thresholdPercent: 50 })).status,
    ).toBe(200);

    const host = await (await newContext(browser, platform.url)).newPage();
    recordConsole(host, 'host');
    await host.goto('/');
    await signInOwner(host, channel);
    await host.goto(`/webinars/${webinarId}`);
    await host.getByTestId('stage-join').click();
    await stagePublishes(host, ['camera'], 'the host to publish their camera');
    expect((await hostApi.post(`/api/v1/webinars/${webinarId}/start`)).status).toBe(200);
    const startedAt = Date.now();

    const [early, stayer] = await Promise.all([attendee(webinarId, 'early'), attendee(webinarId, 'stayer')]);
    // Watching starts when their media does: give both a few seconds of it, then the early one goes.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const earlyWatched = await leave(early);
    await new Promise((resolve) => setTimeout(resolve, 9_000));
    const stayerWatched = await leave(stayer);
    expect((await hostApi.post(`/api/v1/webinars/${webinarId}/end`)).status).toBe(200);
    const liveSeconds = (Date.now() - startedAt) / 1000;

    // The report, as the host's page shows it and as CSV.
    await host.goto(`/webinars/${webinarId}/report`);
    await host.getByTestId('attendance-report').and(host.locator('[data-state="ended"]')).waitFor();
    await waitFor(async () => (await host.getByTestId('attendance-row').count()) === 3, {
      what: 'a row per attendee and the host',
    });
    await screenshot(host, 'webinar-attendance-report');
    const csv = await host.evaluate(
      async (id) => (await fetch(`/api/v1/webinars/${id}/attendance.csv`)).text(),
      webinarId,
    );
    const rows = csv
      .trim()
      .split('\r\n')
      .map((line) => line.slice(1, -1).split('","'));
    const header = rows[0]!;
    const column = (name: string) => header.indexOf(name);
    const rowOf = (username: string) => rows.find((row) => row[column('Username')] === username);
    const secondsOf = (username: string) => Number(rowOf(username)?.[column('Seconds attended')]);
    expect(
      Math.abs(secondsOf(early.username) - earlyWatched),
      `${early.username}: ${secondsOf(early.username)} s`,
    ).toBeLessThanOrEqual(5);
    expect(
      Math.abs(secondsOf(stayer.username) - stayerWatched),
      `${stayer.username}: ${secondsOf(stayer.username)} s`,
    ).toBeLessThanOrEqual(5);
    expect(Number(rowOf(stayer.username)?.[column('Minutes attended')])).toBeCloseTo(
      secondsOf(stayer.username) / 60,
      1,
    );
    expect(rowOf(early.username)?.[column('Certificate')]).toBe('');
    const number = rowOf(stayer.username)?.[column('Certificate')];
    expect(number).toMatch(/^[0-9A-Z]{3}(-[0-9A-Z]{3}){6}$/);
    // The stayer watched most of it; the early one less than half.
    expect(stayerWatched / liveSeconds).toBeGreaterThan(0.5);
    expect(earlyWatched / liveSeconds).toBeLessThan(0.5);

    // The stayer's certificate, from the webinar's page.
    const stayerPage = await stayer.context.newPage();
    recordConsole(stayerPage, 'stayer again');
    await stayerPage.goto(`/webinars/${webinarId}`);
    await stayerPage.getByTestId('webinar-certificate').waitFor();
    const [download] = await Promise.all([
      stayerPage.waitForEvent('download'),
      stayerPage.getByTestId('webinar-certificate-download').click(),
    ]);
    const { stdout: text } = await run('pdftotext', [(await download.path())!, '-']);
    expect(text).toContain(stayer.name);
    expect(text).toContain(number!);
    expect(text).toContain('Safety training, week 3');
    fs.rmSync((await download.path())!, { force: true });
    // The early one has none.
    const earlyPage = await early.context.newPage();
    await earlyPage.goto(`/webinars/${webinarId}`);
    await earlyPage.getByTestId('webinar-ended').waitFor();
    expect(await earlyPage.getByTestId('webinar-certificate').count()).toBe(0);

    // Anyone can check the number printed on it.
    const verifier = await (await newContext(browser, platform.url)).newPage();
    recordConsole(verifier, 'verifier');
    const printedUrl = /Verify at: (\S+)/.exec(text)?.[1];
    expect(printedUrl).toBe(`${platform.url}/certificates/${number}`);
    await verifier.goto(printedUrl!);
    await verifier.getByTestId('certificate-check').and(verifier.locator('[data-status="genuine"]')).waitFor();
    expect(await verifier.getByTestId('certificate-name').textContent()).toBe(stayer.name);
    expect(await verifier.getByTestId('certificate-number').textContent()).toBe(number);
    await screenshot(verifier, 'webinar-attendance-certificate');
    // One character changed: no such certificate.
    const tampered = number!.slice(0, -1) + (number!.endsWith('0') ? '1' : '0');
    await verifier.goto(`/certificates/${tampered}`);
    await verifier.getByTestId('certificate-check').and(verifier.locator('[data-status="not-found"]')).waitFor();

    for (const context of [stayer.context, early.context] as BrowserContext[]) await context.close();
  });
});
