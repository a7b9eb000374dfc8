// The channel page's social side in real Chromium: two people signed up in two browser contexts,
// one follows the other's channel with the Follow button, both chat on the channel page and see
// each other's messages live, markup in a message stays text, and the owner (a moderator by
// ownership) deletes a message, which disappears for everyone.
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from '../support/browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { signUpInBrowser } from '../support/web-session.ts';

interface BrowserUser {
  username: string;
  page: Page;
}

/** A new user signed up through the form in this page's own browser context. */
async function browserUser(page: Page, prefix: string): Promise<BrowserUser> {
  return { username: await signUpInBrowser(page, prefix), page };
}

function chatConnection(page: Page): Promise<string | null> {
  return page.getByTestId('chat-panel').getAttribute('data-connection');
}

async function sendChat(page: Page, body: string): Promise<void> {
  const input = page.getByTestId('chat-input');
  await input.fill(body);
  await input.press('Enter');
  // The composer empties once the server took the message.
  await waitFor(async () => (await input.inputValue()) === '', { what: `'${body.slice(0, 20)}' to be sent` });
}

/** The chat line whose body is exactly `body`. */
function messageWithBody(page: Page, body: string) {
  return page
    .getByTestId('chat-message')
    .filter({ has: page.getByTestId('chat-body').getByText(body, { exact: true }) });
}

describe('channel chat and follow, in two browsers', () => {
  let platform: TestPlatform;
  let browser: Browser;

  beforeAll(async () => {
    platform = await startTestPlatform();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  it('follows with the button, chats both ways, keeps markup as text, and lets the owner delete a message for everyone', async () => {
    const owner = await browserUser(await (await newContext(browser, platform.url)).newPage(), 'owner');
    const viewer = await browserUser(await (await newContext(browser, platform.url)).newPage(), 'viewer');
    const slug = `chat-${randomBytes(4).toString('hex')}`;
    const created = await owner.page.evaluate(async (slug) => {
      const response = await fetch('/api/v1/channels', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ slug, title: 'Chat test channel' }),
      });
      return response.status;
    }, slug);
    expect(created).toBe(201);
    const prisma = platform.database!.prisma;
    const channel = await prisma.channel.findUniqueOrThrow({ where: { slug } });

    // Follow: the button flips, the count moves, the database has the follow, and a reload agrees.
    await viewer.page.goto(`/${slug}`);
    const follow = viewer.page.getByTestId('follow-button');
    const followers = viewer.page.getByTestId('follower-count');
    await expect.poll(() => followers.getAttribute('data-count')).toBe('0');
    expect((await follow.textContent())?.trim()).toBe('Follow');
    await follow.click();
    await expect.poll(() => follow.getAttribute('aria-pressed')).toBe('true');
    expect((await follow.textContent())?.trim()).toBe('Following');
    await expect.poll(() => followers.getAttribute('data-count')).toBe('1');
    await waitFor(() => prisma.follow.count({ where: { channelId: channel.id } }).then((n) => n === 1), {
      what: 'the follow row',
    });
    await viewer.page.reload();
    await expect.poll(() => viewer.page.getByTestId('follow-button').getAttribute('aria-pressed')).toBe('true');
    expect(await viewer.page.getByTestId('follower-count').getAttribute('data-count')).toBe('1');
    // The owner has nothing to follow on their own channel.
    await owner.page.goto(`/${slug}`);
    await expect.poll(() => owner.page.getByTestId('follower-count').getAttribute('data-count')).toBe('1');
    expect(await owner.page.getByTestId('follow-button').count()).toBe(0);

    for (const user of [owner, viewer]) {
      await waitFor(async () => (await chatConnection(user.page)) === 'live', {
        what: `${user.username}'s chat to join`,
      });
    }

    // Both ways, live.
    await sendChat(owner.page, 'Hello from the owner');
    await messageWithBody(viewer.page, 'Hello from the owner').waitFor();
    await sendChat(viewer.page, 'Hi from the viewer');
    await messageWithBody(owner.page, 'Hi from the viewer').waitFor();
    // The owner's line carries the Owner badge for everyone.
    expect(await messageWithBody(viewer.page, 'Hello from the owner').locator('.badge-owner').count()).toBe(1);

    // Markup is text: shown literally, no element made of it, no script run.
    const hostile = '<img src=x onerror="window.__pwned=1"> <b>bold?</b>';
    await sendChat(viewer.page, hostile);
    for (const page of [owner.page, viewer.page]) {
      const line = messageWithBody(page, hostile);
      await line.waitFor();
      expect(await line.getByTestId('chat-body').textContent()).toBe(hostile);
      expect(await line.locator('img, b').count()).toBe(0);
      expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    }

    // Only moderators get the tools.
    expect(await viewer.page.getByRole('button', { name: /^Delete the message of/ }).count()).toBe(0);
    await screenshot(owner.page, 'e2e-chat-owner');
    await screenshot(viewer.page, 'e2e-chat-viewer');

    // The owner deletes the viewer's message: gone in both browsers and marked deleted in the database.
    const doomed = messageWithBody(owner.page, 'Hi from the viewer');
    const messageId = await doomed.getAttribute('data-message-id');
    expect(messageId).toBeTruthy();
    await doomed.hover();
    await doomed.getByRole('button', { name: `Delete the message of ${viewer.username}` }).click();
    for (const page of [owner.page, viewer.page]) {
      await waitFor(async () => (await page.locator(`[data-message-id="${messageId}"]`).count()) === 0, {
        what: 'the message to disappear',
      });
    }
    const row = await prisma.chatMessage.findUniqueOrThrow({ where: { id: messageId! } });
    expect(row.deletedAt).not.toBeNull();
    // The other messages stay.
    expect(await messageWithBody(viewer.page, 'Hello from the owner').count()).toBe(1);

    // A 10-minute timeout from the moderator tool: the viewer's composer closes at once with a countdown.
    const line = messageWithBody(owner.page, hostile);
    await line.hover();
    await line.getByRole('button', { name: `Time out ${viewer.username} for 10 minutes` }).click();
    const blocked = viewer.page.getByTestId('chat-blocked');
    await expect
      .poll(() => blocked.getAttribute('data-reason').catch(() => null), { timeout: 10_000 })
      .toBe('timed_out');
    expect(await blocked.textContent()).toMatch(/chat again in (9|10):\d\d/);
    const ban = await prisma.channelBan.findFirstOrThrow({ where: { channelId: channel.id } });
    const minutes = (ban.expiresAt!.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(9);
    expect(minutes).toBeLessThanOrEqual(10);
    await screenshot(viewer.page, 'e2e-chat-timed-out');
  });

  it('asks a reader who does not follow a followers-only chat to follow, and lets them chat once they do', async () => {
    const owner = await browserUser(await (await newContext(browser, platform.url)).newPage(), 'host');
    const reader = await browserUser(await (await newContext(browser, platform.url)).newPage(), 'reader');
    const slug = `fans-${randomBytes(4).toString('hex')}`;
    const statuses = await owner.page.evaluate(async (slug) => {
      const json = { 'content-type': 'application/json' };
      const create = await fetch('/api/v1/channels', { method: 'POST', headers: json, body: JSON.stringify({ slug }) });
      const rules = await fetch(`/api/v1/channels/${slug}/chat/settings`, {
        method: 'PATCH',
        headers: json,
        body: JSON.stringify({ followersOnly: true }),
      });
      return [create.status, rules.status];
    }, slug);
    expect(statuses).toEqual([201, 200]);

    await reader.page.goto(`/${slug}`);
    const blocked = reader.page.getByTestId('chat-blocked');
    await expect.poll(() => blocked.getAttribute('data-reason'), { timeout: 10_000 }).toBe('followers_only');
    expect(await reader.page.getByTestId('chat-input').count()).toBe(0);
    // The prompt's Follow button (the header has one too) opens the chat. The button flips before
    // the server stores the follow; hold the request until it has flipped, so the chat has to
    // wait for the stored follow rather than ask again on the flip.
    await reader.page.route('**/api/v1/channels/*/follow', async (route) => {
      await reader.page.locator('[data-testid="follow-button"][aria-pressed="true"]').first().waitFor();
      await route.continue();
    });
    await blocked.getByTestId('follow-button').click();
    await reader.page.getByTestId('chat-input').waitFor();
    await sendChat(reader.page, 'Thanks for the follow-only chat');
    await messageWithBody(reader.page, 'Thanks for the follow-only chat').waitFor();
  });

  it('stops following new messages while the reader scrolls back, and says how many arrived', async () => {
    const owner = await browserUser(await (await newContext(browser, platform.url)).newPage(), 'talker');
    const reader = await browserUser(await (await newContext(browser, platform.url)).newPage(), 'scroller');
    const slug = `talk-${randomBytes(4).toString('hex')}`;
    expect(
      await owner.page.evaluate(async (slug) => {
        const response = await fetch('/api/v1/channels', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ slug }),
        });
        return response.status;
      }, slug),
    ).toBe(201);
    for (const user of [owner, reader]) {
      await user.page.goto(`/${slug}`);
      await waitFor(async () => (await chatConnection(user.page)) === 'live', {
        what: `${user.username}'s chat to join`,
      });
    }
    // Three long messages overflow the panel.
    for (let i = 1; i <= 3; i++)
      await sendChat(owner.page, `${i} ${'long words to fill the chat panel '.repeat(13)}`.trim().slice(0, 500));
    const log = reader.page.getByRole('log', { name: 'Chat messages' });
    await waitFor(async () => (await reader.page.getByTestId('chat-message').count()) === 3, {
      what: 'the three messages',
    });
    const atBottom = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2);
    await waitFor(atBottom, { what: 'the log to follow the newest message' });

    await log.evaluate((el) => (el.scrollTop = 0));
    await waitFor(async () => !(await atBottom()), { what: 'the reader to scroll back' });
    await sendChat(owner.page, 'Are you still there?');
    await sendChat(owner.page, 'Hello?');
    const pill = reader.page.getByTestId('chat-new-messages');
    await expect.poll(() => pill.textContent().catch(() => null)).toContain('2 new messages');
    expect(await log.evaluate((el) => el.scrollTop)).toBe(0);
    await pill.click();
    await waitFor(atBottom, { what: 'the jump to the newest message' });
    expect(await pill.count()).toBe(0);
  });

  it('shows a signed-out reader the chat and a way to sign in to write', async () => {
    const owner = await browserUser(await (await newContext(browser, platform.url)).newPage(), 'quiet');
    const slug = `open-${randomBytes(4).toString('hex')}`;
    expect(
      await owner.page.evaluate(async (slug) => {
        const response = await fetch('/api/v1/channels', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ slug }),
        });
        return response.status;
      }, slug),
    ).toBe(201);
    await owner.page.goto(`/${slug}`);
    await waitFor(async () => (await chatConnection(owner.page)) === 'live', { what: "the owner's chat to join" });
    await sendChat(owner.page, 'Anyone may read this');

    const anonymous = await (await newContext(browser, platform.url)).newPage();
    await anonymous.goto(`/${slug}`);
    await messageWithBody(anonymous, 'Anyone may read this').waitFor();
    const blocked = anonymous.getByTestId('chat-blocked');
    expect(await blocked.getAttribute('data-reason')).toBe('unauthorized');
    expect(await blocked.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(
      `/login?next=${encodeURIComponent(`/${slug}`)}`,
    );
    expect(await anonymous.getByTestId('follow-button').getAttribute('href')).toBe(
      `/login?next=${encodeURIComponent(`/${slug}`)}`,
    );
  });
});
