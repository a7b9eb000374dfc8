// Discovery in a real browser: the home page's "Live now" grid ordered by viewers, category chips
// that filter it, a category's own page, search by a stream's title, and a follower's bell that
// lights up when a followed channel goes live.
//
// How channels are live here: one goes live for real, over WHIP from libwebrtc in this process,
// so the whole path (stream start -> Stream row -> follower notification pushed over socket.io ->
// bell) is exercised. The others get their live Stream rows written straight into the database:
// the discovery API only reads those rows, and an ordering by viewers needs viewer counts (40,
// 12, 5) that would otherwise take 57 real WebRTC viewers on a 2-core machine.
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { signUp, type TestUser } from '../support/api-client.ts';
import { launchBrowser, newContext, screenshot } from '../support/browser.ts';
import { databaseTargets } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip, type WhipPublication } from '../support/whip-publisher.ts';

interface Seed {
  slug: string;
  title: string;
  category: string;
  /** Written as a live Stream row with this title and viewer count; absent: the channel is offline. */
  live?: { streamTitle: string; viewers: number };
}

const SEEDS: Seed[] = [
  {
    slug: 'cello-hour',
    title: 'Cello Hour',
    category: 'music',
    live: { streamTitle: 'Bach suites by candlelight', viewers: 12 },
  },
  {
    slug: 'drum-circle',
    title: 'Drum Circle',
    category: 'music',
    live: { streamTitle: 'Polyrhythms for beginners', viewers: 5 },
  },
  {
    slug: 'pixel-quest',
    title: 'Pixel Quest',
    category: 'gaming',
    live: { streamTitle: 'Speedrunning the castle', viewers: 40 },
  },
  { slug: 'quiet-room', title: 'Quiet Room', category: 'music' },
];
/** Goes live for real over WHIP. */
const WHIP_CHANNEL = { slug: 'marimba-lab', title: 'Marimba Lab', category: 'education' };

async function createChannel(
  platform: TestPlatform,
  seed: { slug: string; title: string; category: string },
): Promise<string> {
  const prisma = platform.database!.prisma;
  const context = { prisma, publicUrl: platform.url };
  const ownerEmail = `${seed.slug}-${randomBytes(3).toString('hex')}@example.test`;
  await runAdminCommand(context, { command: 'user.create', email: ownerEmail, password: 'correct horse battery' });
  await runAdminCommand(context, { command: 'channel.create', owner: ownerEmail, slug: seed.slug, title: seed.title });
  const channel = await prisma.channel.update({ where: { slug: seed.slug }, data: { category: seed.category } });
  return channel.id;
}

async function seedChannel(platform: TestPlatform, seed: Seed): Promise<void> {
  const channelId = await createChannel(platform, seed);
  if (!seed.live) return;
  await platform.database!.prisma.stream.create({
    data: {
      channelId,
      state: 'live',
      startedAt: new Date(),
      title: seed.live.streamTitle,
      category: seed.category,
      viewers: seed.live.viewers,
    },
  });
}

/** The slugs of the cards in a grid, in the order shown. */
function slugsIn(page: Page, testId: string): Promise<string[]> {
  return page
    .getByTestId(testId)
    .locator('[data-testid="channel-card"]')
    .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-slug') ?? ''));
}

async function signedInContext(browser: Browser, platform: TestPlatform, user: TestUser): Promise<BrowserContext> {
  const context = await newContext(browser, platform.url);
  const [name, value] = user.client.cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: platform.url }]);
  return context;
}

describe.each(databaseTargets())('discovery in the browser on $name', (target) => {
  let platform: TestPlatform;
  let dispose: () => Promise<void>;
  let browser: Browser;
  let publication: WhipPublication | undefined;
  let streamKey: string;

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    platform = await startTestPlatform(
      created.options.kind === 'postgresql' ? { DATABASE_URL: created.options.url } : {},
    );
    for (const seed of SEEDS) await seedChannel(platform, seed);
    await createChannel(platform, WHIP_CHANNEL);
    const issued = (await runAdminCommand(
      { prisma: platform.database!.prisma, publicUrl: platform.url },
      { command: 'stream-key.create', channel: WHIP_CHANNEL.slug },
    )) as { key: string };
    streamKey = issued.key;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await publication?.stop();
    await browser?.close();
    await platform?.close();
    await dispose?.();
  });

  it("lights up a follower's bell when a followed channel goes live, and recommends it", async () => {
    const viewer = await signUp(platform.url, 'fan');
    expect((await viewer.client.put(`/api/v1/channels/${WHIP_CHANNEL.slug}/follow`)).status).toBe(204);
    const context = await signedInContext(browser, platform, viewer);
    const page = await context.newPage();
    await page.goto('/');
    const bell = page.getByTestId('notification-bell');
    await waitFor(async () => (await bell.getAttribute('data-connection')) === 'live', {
      what: 'the notification socket to connect',
    });
    expect(await page.getByTestId('unread-badge').count()).toBe(0);

    publication = await publishOverWhip(platform.url, streamKey);
    const badge = page.getByTestId('unread-badge');
    await expect.poll(() => badge.textContent().catch(() => null), { timeout: 15_000 }).toBe('1');
    expect(await bell.getAttribute('aria-label')).toBe('Notifications, 1 unread');

    await bell.click();
    const item = page.getByTestId('notification-item').first();
    await item.waitFor();
    expect(await item.textContent()).toContain(WHIP_CHANNEL.title);
    await screenshot(page, 'e2e-discovery-bell');

    await item.locator('a').click();
    await page.waitForURL(`${platform.url}/${WHIP_CHANNEL.slug}`);
    await expect.poll(() => page.getByTestId('unread-badge').count()).toBe(0);
    const prisma = platform.database!.prisma;
    const notification = await prisma.notification.findFirstOrThrow({ where: { userId: viewer.id } });
    expect(notification.readAt).not.toBeNull();

    // Back home, the followed live channel is recommended, and says why.
    await page.goto('/');
    const recommended = page.getByTestId('recommended');
    await recommended.waitFor();
    const card = recommended.locator(`[data-slug="${WHIP_CHANNEL.slug}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('Following');
    await context.close();
  });

  it('lists live channels by viewers, and a category chip narrows them', async () => {
    const context = await newContext(browser, platform.url);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByTestId('live-grid').waitFor();
    // The WHIP channel went live for real in the test before; its viewers (0 or 1) put it last.
    await expect
      .poll(() => slugsIn(page, 'live-grid'))
      .toEqual(['pixel-quest', 'cello-hour', 'drum-circle', 'marimba-lab']);
    const top = page.getByTestId('live-grid').locator('[data-slug="pixel-quest"]');
    expect(await top.getByTestId('card-viewers').textContent()).toBe('40 viewers');
    expect(await top.getByTestId('card-title').textContent()).toBe('Speedrunning the castle');
    await screenshot(page, 'e2e-discovery-home');

    const music = page.getByTestId('category-chips').locator('[data-category="music"]');
    // Two music channels are live; the offline one does not count.
    expect((await music.textContent())?.replace(/\s+/g, ' ')).toContain('Music 2 live');
    await music.click();
    await page.waitForURL(/\?category=music$/);
    expect(await music.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => slugsIn(page, 'live-grid')).toEqual(['cello-hour', 'drum-circle']);

    await page.getByTestId('category-chips').locator('[data-category="events"]').click();
    await page.getByTestId('live-empty').waitFor();
    expect(await page.getByTestId('live-empty').getByRole('link', { name: 'Go live' }).getAttribute('href')).toBe(
      '/signup?next=/studio',
    );

    await page.goto('/categories/music');
    await page.getByTestId('category-grid').waitFor();
    await expect.poll(() => slugsIn(page, 'category-grid')).toEqual(['cello-hour', 'drum-circle']);
    await context.close();
  });

  it("finds a channel by its live stream's title from the header's search box", async () => {
    const context = await newContext(browser, platform.url);
    const page = await context.newPage();
    await page.goto('/');
    const search = page.getByRole('searchbox', { name: 'Search channels' });
    await search.fill('candlelight');
    await search.press('Enter');
    await page.waitForURL(/\/search\?q=candlelight$/);
    await page.getByTestId('search-results').waitFor();
    expect(await slugsIn(page, 'search-results')).toEqual(['cello-hour']);
    await screenshot(page, 'e2e-discovery-search');

    await search.fill('no such words anywhere');
    await search.press('Enter');
    await page.getByTestId('search-empty').waitFor();
    await context.close();
  });
});
