// A webinar's live Q&A in real Chromium, as #14 checks it: the host turns moderation on; one
// attendee asks (anonymously), and the question reaches the other attendee only once the host
// approves it; that attendee upvotes; the host answers it in writing and pins it over the stage; a
// second question the host dismisses never reaches the other attendee. Every page (host, asker,
// voter, a signed-out viewer) shows each change as it happens, through the /qa socket. After the
// end, the Q&A stays on the page, read-only.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import { signUp } from '../support/api-client.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signIn, signInOwner } from '../support/web-session.ts';
import { backstageWebinar } from '../support/webinars.ts';

const question = (page: Page) => page.getByTestId('qa-question');

/** Waits until the page's Q&A lists exactly these question texts with these states. */
function shows(page: Page, expected: [body: string, state: string][], who: string) {
  return waitFor(
    async () => {
      const rows = await question(page).evaluateAll((items) =>
        items.map((item) => [
          item.querySelector('[data-testid="qa-body"]')?.textContent ?? '',
          (item as HTMLElement).dataset.state ?? '',
        ]),
      );
      return JSON.stringify(rows) === JSON.stringify(expected) ? rows : undefined;
    },
    { timeoutMs: 10_000, what: `${who}'s Q&A to show ${JSON.stringify(expected)}` },
  );
}

/** Waits until the text of the first `testId` inside the page's (or a question's) Q&A is `text`. */
function hasText(page: Page, testId: string, text: string, who: string) {
  return waitFor(
    async () => {
      const element = page.getByTestId(testId).first();
      return (await element.count()) > 0 && (await element.textContent())?.trim() === text;
    },
    { timeoutMs: 10_000, what: `${who} to show ${testId} "${text}"` },
  );
}

describe('webinar Q&A in the browser', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started), { AUTH_RATE_LIMIT_PER_MINUTE: '1000' });

  it('moderates, upvotes, answers and pins a question live on every page', async () => {
    const { channel, hostApi, webinarId } = await backstageWebinar(platform, { title: 'Q&A test' });
    expect((await hostApi.post(`/api/v1/webinars/${webinarId}/start`)).status).toBe(200);
    const [askerUser, voterUser] = await Promise.all([signUp(platform.url, 'asker'), signUp(platform.url, 'voter')]);

    const open = async (name: string, signInAs?: (page: Page) => Promise<void>) => {
      const page = await (await newContext(browser, platform.url)).newPage();
      recordConsole(page, name);
      await page.goto('/');
      await signInAs?.(page);
      await page.goto(`/webinars/${webinarId}`);
      await page.locator('[data-testid="webinar-qa"][data-connection="live"]').waitFor({ timeout: 15_000 });
      return page;
    };
    const host = await open('host', (page) => signInOwner(page, channel));
    const asker = await open('asker', (page) =>
      signIn(page, { login: askerUser.username, password: askerUser.password }),
    );
    const voter = await open('voter', (page) =>
      signIn(page, { login: voterUser.username, password: voterUser.password }),
    );
    const visitor = await open('visitor');
    const attendees = { asker, voter, visitor };
    const everyone = { host, ...attendees };
    await visitor.getByTestId('qa-sign-in').waitFor();
    expect(await visitor.getByTestId('qa-ask').count()).toBe(0);

    // Moderation on: the attendees' pages learn it.
    await host.getByTestId('qa-moderation').check();
    for (const [who, page] of Object.entries(attendees))
      await waitFor(async () => (await page.getByTestId('webinar-qa').getAttribute('data-moderated')) === 'true', {
        what: `${who} to learn that moderation is on`,
      });

    // Asked anonymously: waiting for the host, seen by its asker and the host only.
    const text = 'Will the slides be shared after the session?';
    await asker.getByTestId('qa-ask-input').fill(text);
    await asker.getByTestId('qa-ask-anonymous').check();
    await asker.getByTestId('qa-ask-submit').click();
    await shows(asker, [[text, 'pending']], 'the asker');
    await host.getByRole('tab', { name: /To approve \(1\)/ }).click();
    await shows(host, [[text, 'pending']], 'the host');
    // The host knows who asked.
    const askerName = (await platform.database!.prisma.user.findUniqueOrThrow({ where: { id: askerUser.id } })).name;
    await hasText(host, 'qa-asker', `${askerName} (anonymous to attendees)`, 'the host');
    // A second one, dismissed before anyone else saw it.
    await asker.getByTestId('qa-ask-input').fill('Is this off topic?');
    await asker.getByTestId('qa-ask-anonymous').uncheck();
    await asker.getByTestId('qa-ask-submit').click();
    await shows(
      host,
      [
        ['Is this off topic?', 'pending'],
        [text, 'pending'],
      ],
      'the host',
    );
    await host.getByTestId('qa-question').filter({ hasText: 'Is this off topic?' }).getByTestId('qa-dismiss').click();
    await shows(asker, [[text, 'pending']], 'the asker');
    expect(await question(voter).count()).toBe(0);
    expect(await question(visitor).count()).toBe(0);

    // Approved: every attendee sees it, anonymous.
    await host.getByTestId('qa-approve').click();
    for (const [who, page] of Object.entries(attendees)) await shows(page, [[text, 'approved']], who);
    await hasText(voter, 'qa-asker', 'Anonymous', 'the voter');
    await hasText(asker, 'qa-asker', 'You (anonymous to others)', 'the asker');

    // Upvoted by the other attendee: the count moves on every page.
    await voter.getByTestId('qa-vote').click();
    await host.getByRole('tab', { name: /Open \(1\)/ }).click();
    for (const [who, page] of Object.entries(everyone)) await hasText(page, 'qa-votes', '1', who);
    expect(await voter.getByTestId('qa-vote').getAttribute('aria-pressed')).toBe('true');

    // Answered in writing, then pinned over the stage.
    const answer = 'Yes: they go out by email tonight.';
    await host.getByTestId('qa-answer').click();
    await host.getByTestId('qa-answer-input').fill(answer);
    await host.getByTestId('qa-answer-submit').click();
    for (const [who, page] of Object.entries(attendees)) {
      await shows(page, [[text, 'answered']], who);
      await hasText(page, 'qa-answer-text', `Answer ${answer}`, who);
    }
    await host.getByRole('tab', { name: /Answered \(1\)/ }).click();
    await host.getByTestId('qa-pin').click();
    for (const [who, page] of Object.entries(everyone)) {
      await hasText(page, 'pinned-question-body', text, who);
      await hasText(page, 'pinned-question-asker', 'Anonymous asks', who);
    }
    // The dismissed question never reached them, nor does a reload bring it.
    await voter.reload();
    await shows(voter, [[text, 'answered']], 'the voter after a reload');
    await hasText(voter, 'pinned-question-body', text, 'the voter after a reload');
    await screenshot(voter, 'webinar-qa-attendee');
    await screenshot(host, 'webinar-qa-host');

    // Ended: the Q&A stays on the page, read-only, with its votes and answer.
    expect((await hostApi.post(`/api/v1/webinars/${webinarId}/end`)).status).toBe(200);
    await voter.getByTestId('qa-closed').waitFor({ timeout: 15_000 });
    await shows(voter, [[text, 'answered']], 'the voter after the end');
    await hasText(voter, 'qa-votes', '1', 'the voter after the end');
    expect(await voter.getByTestId('qa-ask').count()).toBe(0);
  });
});
