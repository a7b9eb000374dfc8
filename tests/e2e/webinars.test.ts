// Webinars in real Chromium: a host in New York schedules one in the studio on their own clock
// (the database holds the right UTC instant), a server refusal lands on its field, and a visitor
// in Tokyo sees the start on theirs with a countdown. The host starts it and ends it; the public
// page follows by itself, and the home page lists it while it is live.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordConsole, screenshot } from '../support/browser.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signInOwner } from '../support/web-session.ts';

const HOST_ZONE = 'America/New_York';
const VISITOR_ZONE = 'Asia/Tokyo';

function contextIn(browser: Browser, baseURL: string, timezoneId: string, locale: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, timezoneId, locale });
}

/** The calendar date in `zone`, `days` from now: "2026-05-04". */
function dateIn(zone: string, days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    Date.now() + days * 86_400_000,
  );
}

/** The instant a wall-clock time in `zone` is, from Node's own zone data ("GMT-04:00" at noon that day). */
function instantOf(date: string, time: string, zone: string): Date {
  const noon = Date.parse(`${date}T12:00:00Z`);
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(noon)
    .find((part) => part.type === 'timeZoneName')!.value;
  const offset = name === 'GMT' ? 'Z' : name.replace('GMT', '');
  return new Date(`${date}T${time}:00${offset}`);
}

async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).first().textContent()) ?? '').trim();
}

describe('webinars', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let channel: TestChannel;

  beforeAll(async () => {
    platform = await startTestPlatform();
    browser = await launchBrowser();
    channel = await createTestChannel(platform);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  it("is scheduled on the host's clock, counted down on the visitor's, and followed as the host runs it", async () => {
    const prisma = platform.database!.prisma;
    const host = await (await contextIn(browser, platform.url, HOST_ZONE, 'en-US')).newPage();
    recordConsole(host, 'host');
    await host.goto('/');
    await signInOwner(host, channel);
    await host.goto('/studio?tab=webinars');
    await host.getByRole('heading', { name: 'Upcoming webinars' }).waitFor();
    expect(await textOf(host, 'studio-zone')).toMatch(/^America\/New_York \(UTC-[45]\)$/);
    await host.getByTestId('webinars-empty').waitFor();

    // A start more than a year ahead: the server refuses it, and says so on the start field.
    const date = dateIn(HOST_ZONE, 3);
    await host.getByRole('button', { name: 'Schedule a webinar' }).click();
    const form = host.getByTestId('webinar-form');
    const title = form.getByLabel('Title');
    await waitFor(() => title.evaluate((input) => input === document.activeElement), { what: 'focus on the title' });
    await title.fill('Shipping the new player');
    await form.getByLabel('Description').fill('What changed.\nQuestions at the end.');
    await form.getByLabel('Starts').fill(`${dateIn(HOST_ZONE, 800)}T14:30`);
    await form.getByLabel('Duration').selectOption('90');
    await form.getByRole('radio', { name: /Signed-in people/ }).check();
    await form.getByRole('button', { name: 'Schedule webinar' }).click();
    await waitFor(async () => (await textOf(host, 'webinar-start-error')) || undefined, { what: 'the refusal' });
    expect(await textOf(host, 'webinar-start-error')).toBe('A webinar can be scheduled at most a year ahead.');
    expect(await prisma.webinar.count({ where: { channel: { slug: channel.slug } } })).toBe(0);

    // 14:30 in New York, three days from now: stored as that instant in UTC.
    await form.getByLabel('Starts').fill(`${date}T14:30`);
    expect(await textOf(host, 'webinar-zone')).toMatch(/^America\/New_York \(UTC-[45]\)$/);
    await form.getByRole('button', { name: 'Schedule webinar' }).click();
    await host.getByTestId('webinar-notice').waitFor();
    expect(await form.count()).toBe(0);
    const row = await prisma.webinar.findFirstOrThrow({ where: { channel: { slug: channel.slug } } });
    const expected = instantOf(date, '14:30', HOST_ZONE);
    expect(row.scheduledStart.toISOString()).toBe(expected.toISOString());
    expect(row).toMatchObject({
      title: 'Shipping the new player',
      description: 'What changed.\nQuestions at the end.',
      durationMinutes: 90,
      audience: 'signed_in',
      state: 'scheduled',
    });
    const listed = host.getByTestId('webinar-row');
    await waitFor(async () => (await listed.count()) === 1, { what: 'the webinar in the list' });
    expect(await listed.getByTestId('webinar-row-title').textContent()).toBe('Shipping the new player');
    expect(await listed.getByTestId('webinar-row-start').textContent()).toMatch(/2:30\sPM/);
    await screenshot(host, 'e2e-webinars-studio');

    // Its cover, from the edit dialog: uploaded, shown there at once and on its page.
    await listed.getByRole('button', { name: 'Edit Shipping the new player' }).click();
    const cover = host.getByTestId('cover-upload');
    const png = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-cover-')), 'cover.png');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=teal:s=640x360', '-frames:v', '1', png]);
    await cover.locator('input[type="file"]').setInputFiles(png);
    await cover.getByRole('button', { name: 'Upload cover' }).click();
    await cover.getByText('Saved.').waitFor();
    const coverUrl = await cover.getByTestId('cover-image').getAttribute('src');
    expect(coverUrl).toMatch(/^\/uploads\//);
    expect((await prisma.webinar.findUniqueOrThrow({ where: { id: row.id } })).coverPath).toBe(
      coverUrl!.replace('/uploads/', ''),
    );
    await screenshot(host, 'e2e-webinars-cover');
    await host.keyboard.press('Escape');

    // A visitor in Tokyo: the same instant on their clock, the zone named, and a countdown.
    const visitor = await (await contextIn(browser, platform.url, VISITOR_ZONE, 'en-GB')).newPage();
    recordConsole(visitor, 'visitor');
    await visitor.goto(`/webinars/${row.id}`);
    await visitor.getByTestId('webinar-title').waitFor();
    expect(await textOf(visitor, 'webinar-title')).toBe('Shipping the new player');
    expect(await textOf(visitor, 'webinar-zone')).toBe('Asia/Tokyo (UTC+9)');
    const tokyo = new Intl.DateTimeFormat('en-GB', {
      timeZone: VISITOR_ZONE,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(expected);
    expect(await textOf(visitor, 'webinar-start')).toContain(tokyo);
    expect(await textOf(visitor, 'webinar-duration')).toBe('1 h 30 min');
    expect(await visitor.getByTestId('webinar-description').innerText()).toBe('What changed.\nQuestions at the end.');
    expect(await textOf(visitor, 'webinar-state')).toMatch(/^Starts in (2 days|3 days)$/);
    const countdown = visitor.getByTestId('webinar-countdown');
    expect(await countdown.getAttribute('aria-label')).toMatch(/^Starts in [23] days?/);
    const first = await countdown.innerText();
    await waitFor(async () => (await countdown.innerText()) !== first, { what: 'the countdown to tick' });
    expect(await visitor.getByTestId('webinar-manage').count()).toBe(0);
    expect(await visitor.locator(`img[src="${coverUrl}"]`).count()).toBe(1);
    await screenshot(visitor, 'e2e-webinars-page');

    // The host starts it: the visitor's page follows, and the home page lists it as live.
    await listed.getByRole('button', { name: 'Start webinar' }).click();
    await waitFor(async () => (await listed.getByTestId('webinar-state').textContent())?.trim() === 'Live now', {
      what: 'the studio row to be live',
    });
    expect((await prisma.webinar.findUniqueOrThrow({ where: { id: row.id } })).state).toBe('live');
    await waitFor(async () => (await textOf(visitor, 'webinar-state')) === 'Live now', {
      timeoutMs: 20_000,
      what: "the visitor's page to say Live now",
    });
    expect(await visitor.getByTestId('webinar-watch').getAttribute('href')).toBe(`/${channel.slug}`);
    expect(await visitor.getByTestId('webinar-countdown').count()).toBe(0);
    const home = await (await contextIn(browser, platform.url, VISITOR_ZONE, 'en-GB')).newPage();
    await home.goto('/');
    const card = home.locator(`[data-testid="webinar-card"][data-id="${row.id}"]`);
    await card.waitFor();
    expect(await card.innerText()).toContain('LIVE');
    expect(await card.getAttribute('href')).toBe(`/webinars/${row.id}`);
    await home.context().close();

    // Ending asks first; then it moves to the past ones, and the visitor's page says it has ended.
    await listed.getByRole('button', { name: 'End webinar' }).click();
    const question = host.getByRole('dialog', { name: /^End “Shipping the new player”\?$/ });
    await question.waitFor();
    await question.getByRole('button', { name: 'End webinar' }).click();
    await host.getByTestId('webinars-empty').waitFor();
    expect((await prisma.webinar.findUniqueOrThrow({ where: { id: row.id } })).state).toBe('ended');
    await waitFor(async () => (await textOf(visitor, 'webinar-state')) === 'Ended', {
      timeoutMs: 20_000,
      what: "the visitor's page to say Ended",
    });
    await visitor.getByTestId('webinar-ended').waitFor();
    await host.getByTestId('toggle-past-webinars').click();
    await host.getByTestId('past-webinar-list').getByText('Shipping the new player').waitFor();

    // The host sees the way back to the studio on the public page.
    await host.goto(`/webinars/${row.id}`);
    expect(await host.getByTestId('webinar-manage').getAttribute('href')).toBe('/studio?tab=webinars');
  });

  it('deletes a webinar after asking, and its page then says it does not exist', async () => {
    const prisma = platform.database!.prisma;
    const host = await (await contextIn(browser, platform.url, HOST_ZONE, 'en-US')).newPage();
    recordConsole(host, 'host');
    await host.goto('/');
    await signInOwner(host, channel);
    const made = await host.evaluate(
      async ({ slug, start }) => {
        const response = await fetch(`/api/v1/channels/${slug}/webinars`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'To be cancelled', scheduledStart: start, durationMinutes: 30 }),
        });
        return (await response.json()) as { id: string };
      },
      { slug: channel.slug, start: new Date(Date.now() + 7 * 86_400_000).toISOString() },
    );
    await host.goto('/studio?tab=webinars');
    const row = host.locator(`[data-testid="webinar-row"][data-id="${made.id}"]`);
    const remove = row.getByRole('button', { name: 'Delete To be cancelled' });
    await remove.click();
    const question = host.getByRole('dialog', { name: /^Delete “To be cancelled”\?$/ });
    await question.waitFor();
    // Cancel leaves it, and focus goes back to the button that asked.
    await question.getByRole('button', { name: 'Cancel' }).click();
    await waitFor(() => remove.evaluate((button) => button === document.activeElement), { what: 'focus back' });
    await remove.click();
    await question.getByRole('button', { name: 'Delete webinar' }).click();
    await waitFor(async () => (await row.count()) === 0, { what: 'the row to go' });
    expect(await prisma.webinar.findUnique({ where: { id: made.id } })).toBeNull();

    await host.goto(`/webinars/${made.id}`);
    await host.getByTestId('webinar-not-found').waitFor();
  });
});
