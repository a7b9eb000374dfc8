// Polls in real Chromium, as issue #14 checks them: in a live webinar the host prepares a poll on
// the page and launches it; two attendees vote on theirs (one changes their mind); every page
// shows the counts live; the host closes it, and the results every page shows match the votes.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { withBrowserPlatform } from '../support/browser-platform.ts';
import { newContext, recordConsole, screenshot } from '../support/browser.ts';
import type { TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { backstageWebinar } from '../support/webinars.ts';
import { signInOwner, signUpInBrowser } from '../support/web-session.ts';

const OPTIONS = ['Pricing', 'Roadmap', 'Support'];

describe('polls', () => {
  let platform: TestPlatform;
  let browser: Browser;

  withBrowserPlatform((started) => ({ platform, browser } = started), { AUTH_RATE_LIMIT_PER_MINUTE: '1000' });

  /** The counts the page's card shows, in the options' order. */
  const countsOn = (page: Page) => page.getByTestId('poll-card').first().getByTestId('poll-count').allTextContents();

  /** The polls are a tab beside the stage (next to the Q&A and the chat). */
  const openPolls = (page: Page) => page.getByRole('tab', { name: /^Polls/ }).click();
  const showsCounts = (page: Page, counts: string[], what: string) =>
    waitFor(async () => (await countsOn(page)).join() === counts.join(), { timeoutMs: 15_000, what });

  it('launches a poll in a live webinar, takes two attendees’ votes, closes it, and every page shows the votes', async () => {
    const { channel, hostApi, webinarId } = await backstageWebinar(platform, { title: 'Quarterly update' });
    expect((await hostApi.post(`/api/v1/webinars/${webinarId}/start`)).body.state).toBe('live');

    const host = await (await newContext(browser, platform.url)).newPage();
    recordConsole(host, 'host');
    await host.goto('/');
    await signInOwner(host, channel);
    await host.goto(`/webinars/${webinarId}`);
    await openPolls(host);
    await host.getByTestId('poll-new').click();
    await host.getByTestId('poll-form-question').fill('Which topic next?');
    await host.getByTestId('poll-form-add-option').click();
    const fields = host.getByTestId('poll-form-option');
    for (const [i, option] of OPTIONS.entries()) await fields.nth(i).fill(option);
    await host.getByTestId('poll-form-save').click();
    const card = host.getByTestId('poll-card').first();
    await card.getByTestId('poll-state').filter({ hasText: 'Draft' }).waitFor();

    const attendees: Page[] = [];
    for (const name of ['ann', 'bob']) {
      const page = await (await newContext(browser, platform.url)).newPage();
      recordConsole(page, name);
      await signUpInBrowser(page, name);
      await page.goto(`/webinars/${webinarId}`);
      await page.getByTestId('webinar-page').waitFor();
      await openPolls(page);
      attendees.push(page);
    }
    const [ann, bob] = attendees as [Page, Page];
    // A draft is the host's alone.
    expect(await ann.getByTestId('poll-panel').count()).toBe(0);

    await card.getByTestId('poll-launch').click();
    await card.getByTestId('poll-state').filter({ hasText: 'Open' }).waitFor();

    const vote = async (page: Page, option: string) => {
      const poll = page.getByTestId('poll-card').first();
      await poll.getByTestId('poll-option').filter({ hasText: option }).click();
      await poll.getByTestId('poll-vote').click();
      await poll.getByTestId('poll-voted').waitFor();
    };
    await vote(ann, 'Pricing');
    await vote(bob, 'Roadmap');
    await showsCounts(host, ['1', '1', '0'], 'the first two votes on the host’s page');
    // Ann changes her mind: her vote moves, it is not added.
    await vote(ann, 'Roadmap');
    for (const page of [host, ann, bob]) await showsCounts(page, ['0', '2', '0'], 'the changed vote on every page');
    await screenshot(ann, 'polls-attendee-voted');

    await card.getByTestId('poll-close').click();
    for (const page of [host, ann, bob]) {
      await page.getByTestId('poll-card').first().getByTestId('poll-state').filter({ hasText: 'Closed' }).waitFor();
      await showsCounts(page, ['0', '2', '0'], 'the final results on every page');
      expect(await page.getByTestId('poll-voters').first().textContent()).toBe('2 voters');
    }
    expect(await ann.getByTestId('poll-result').filter({ hasText: '(your vote)' }).textContent()).toContain('Roadmap');
    await screenshot(host, 'polls-host-closed');

    const stored = await platform.database!.prisma.pollVote.findMany({ select: { choices: true } });
    expect(stored.map((v) => v.choices)).toEqual([[1], [1]]);
  }, 90_000);
});
