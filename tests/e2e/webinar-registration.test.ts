// Webinar registration in real Chromium: an attendee opens a webinar for registered attendees,
// answers the host's question, registers, and downloads its .ics (a valid RFC 5545 file whose
// times are the webinar's in UTC and whose URL is their personal join link); that link, opened
// in a browser that is signed out, lets them in as that registrant.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, recordConsole, screenshot } from '../support/browser.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signInOwner, signUpInBrowser } from '../support/web-session.ts';

/** The value of each property of the (one) VEVENT, lines unfolded. */
function parseEvent(ics: string): Record<string, string> {
  expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
  expect(ics).toMatch(/END:VCALENDAR\r\n$/);
  for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const begin = lines.indexOf('BEGIN:VEVENT');
  const end = lines.indexOf('END:VEVENT');
  expect(begin).toBeGreaterThan(0);
  const event: Record<string, string> = {};
  for (const line of lines.slice(begin + 1, end)) {
    const match = /^([A-Z-]+)(?:;[^:]*)?:(.*)$/.exec(line);
    if (match) event[match[1]!] = match[2]!;
  }
  return event;
}

const utc = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');

describe('webinar registration', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let channel: TestChannel;

  beforeAll(async () => {
    platform = await startTestPlatform({ ROLES: 'api,web' });
    browser = await launchBrowser();
    channel = await createTestChannel(platform);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  it('registers an attendee on the page, hands them a valid .ics, and admits their join link signed out', async () => {
    const host = await (await newContext(browser, platform.url)).newPage();
    recordConsole(host, 'host');
    await host.goto('/');
    await signInOwner(host, channel);
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCSeconds(0, 0);
    const webinar = await host.evaluate(
      async ({ slug, scheduledStart }) => {
        const response = await fetch(`/api/v1/channels/${slug}/webinars`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            title: 'Onboarding, week 12',
            description: 'Tools; habits, and questions.',
            scheduledStart,
            durationMinutes: 45,
            audience: 'registered',
            registrationQuestions: [{ text: 'Which team are you on?', required: true }],
          }),
        });
        return (await response.json()) as { id: string; scheduledStart: string };
      },
      { slug: channel.slug, scheduledStart: start.toISOString() },
    );

    const attendeeContext = await newContext(browser, platform.url);
    const attendee = await attendeeContext.newPage();
    recordConsole(attendee, 'attendee');
    await signUpInBrowser(attendee, 'trainee');
    await attendee.goto(`/webinars/${webinar.id}`);
    const panel = attendee.getByTestId('webinar-registration');
    await panel.getByLabel('Which team are you on?').fill('Support');
    await panel.getByRole('button', { name: 'Register' }).click();
    await attendee.getByTestId('registration-status').and(attendee.locator('[data-status="approved"]')).waitFor();
    const joinUrl = await attendee.getByTestId('registration-link').inputValue();
    expect(new URL(joinUrl).pathname).toBe(`/webinars/${webinar.id}`);
    expect(new URL(joinUrl).searchParams.get('join')).toMatch(/^wreg_/);
    await screenshot(attendee, 'webinar-registration-attendee');

    const [download] = await Promise.all([
      attendee.waitForEvent('download'),
      attendee.getByTestId('registration-calendar').click(),
    ]);
    const ics = fs.readFileSync((await download.path())!, 'utf8');
    const event = parseEvent(ics);
    expect(event.DTSTART).toBe(utc(webinar.scheduledStart));
    expect(event.DTSTART).toBe(utc(start.toISOString()));
    expect(event.DTEND).toBe(utc(new Date(start.getTime() + 45 * 60_000).toISOString()));
    expect(event.DTSTAMP).toMatch(/^\d{8}T\d{6}Z$/);
    expect(event.UID).toBeTruthy();
    expect(event.SUMMARY).toBe('Onboarding\\, week 12');
    expect(event.URL).toBe(joinUrl);
    expect(event.DESCRIPTION).toContain(joinUrl);

    // The link in a browser that is signed out: it is that registrant, and the token leaves the address.
    const elsewhere = await (await newContext(browser, platform.url)).newPage();
    recordConsole(elsewhere, 'elsewhere');
    await elsewhere.goto(joinUrl);
    await elsewhere.getByTestId('registration-status').and(elsewhere.locator('[data-status="approved"]')).waitFor();
    expect(await elsewhere.getByTestId('registration-status').textContent()).toContain('trainee person');
    await waitFor(() => !new URL(elsewhere.url()).searchParams.has('join'), { what: 'the token to leave the address' });
    const cookies = await elsewhere.context().cookies();
    expect(cookies.find((c) => c.name.startsWith('aethex_join_'))).toMatchObject({ httpOnly: true });

    // The host sees them, with their answer.
    await host.goto('/studio?tab=webinars');
    await host.getByTestId('webinar-registrants-open').click();
    await host.getByTestId('registrant').first().waitFor();
    expect(await host.getByTestId('registrant').first().textContent()).toContain('Support');
    await screenshot(host, 'webinar-registration-host');
  });
});
