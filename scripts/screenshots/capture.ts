// Takes the pictures: pages kept per person and size, both sizes at once, each page given the time
// its own readiness conditions need (pages.ts) and then photographed whole.
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../../tests/support/wait.ts';
import { collectProblems, newShotContext, SIZE_NAMES, SIZES, type Size } from './contexts.ts';
import { personOf, SHOTS, type Shot, type Who } from './pages.ts';
import type { Seeded } from './seed.ts';

export interface ShotResult {
  name: string;
  size: Size;
  file: string;
  problems: string[];
  /** Why the page never became ready; the picture was taken anyway. */
  failure?: string;
}

const SETTLE_TIMEOUT_MS = 20_000;

/**
 * Images finished (loaded or failed), fonts in, the page scrolled back to its top (a form opened by
 * a click may have scrolled it: the sticky header would then sit mid-picture), and two frames drawn since.
 */
async function settle(page: Page): Promise<void> {
  await waitFor(() => page.evaluate(() => [...document.images].every((image) => image.complete)), {
    timeoutMs: SETTLE_TIMEOUT_MS,
    what: 'images to load',
  });
  await page.evaluate(async () => {
    await document.fonts.ready;
    window.scrollTo(0, 0);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

/** A page kept open for one person at one size, and everything it complained about so far. */
interface Tab {
  page: Page;
  problems: string[];
}

async function takeShot(shot: Shot, size: Size, tab: Tab, seeded: Seeded, outDir: string): Promise<ShotResult> {
  const file = `${shot.name}-${size}.png`;
  const started = Date.now();
  const { page } = tab;
  // A page opened for the shot reports what it said since; the publishing studio, all it ever said.
  const seenBefore = shot.path ? tab.problems.length : 0;
  let failure: string | undefined;
  try {
    if (shot.path) await page.goto(shot.path(seeded), { waitUntil: 'domcontentloaded' });
    else await page.setViewportSize(SIZES[size].viewport);
    await shot.ready(page, seeded);
    await settle(page);
  } catch (error) {
    failure = (error as Error).message.split('\n')[0];
  }
  await page.screenshot({ path: path.join(outDir, file), fullPage: true, animations: 'disabled' });
  console.log(`${failure ? 'NOT READY' : 'ok'} ${file} (${Date.now() - started} ms)${failure ? `: ${failure}` : ''}`);
  return { name: shot.name, size, file, problems: tab.problems.slice(seenBefore), ...(failure ? { failure } : {}) };
}

/**
 * Takes every shot whose name contains `only` at both sizes into `outDir`, both sizes at once,
 * adding each to `results` as it is taken (a run stopped halfway still lists what it took). A page
 * that never gets ready is still photographed and the failure reported: one broken page costs one
 * picture, not the run. One shot at a time: on a busy machine, more pages at once only make each
 * slower to get ready (live video above all), and the live pages' viewer counts would vary.
 */
export async function captureAll(
  browser: Browser,
  baseUrl: string,
  seeded: Seeded,
  outDir: string,
  results: ShotResult[],
  only?: string,
): Promise<void> {
  const contexts: BrowserContext[] = [];
  const tabs = new Map<string, Tab>();
  // One page per person and size, navigated from shot to shot: a new page costs a renderer.
  const tabFor = async (who: Who, size: Size) => {
    const key = `${who}/${size}`;
    if (!tabs.has(key)) {
      const context = await newShotContext(browser, baseUrl, size, personOf(seeded, who)?.cookie);
      contexts.push(context);
      const page = await context.newPage();
      tabs.set(key, { page, problems: collectProblems(page) });
    }
    return tabs.get(key)!;
  };
  const publisher: Tab = { page: seeded.publisher, problems: seeded.publisherProblems };
  try {
    for (const shot of SHOTS.filter((s) => !only || s.name.includes(only))) {
      if (shot.path && shot.oneSizeAtATime) {
        for (const size of SIZE_NAMES)
          results.push(await takeShot(shot, size, await tabFor(shot.who, size), seeded, outDir));
      } else if (shot.path) {
        const taken = SIZE_NAMES.map(async (size) =>
          takeShot(shot, size, await tabFor(shot.who, size), seeded, outDir),
        );
        results.push(...(await Promise.all(taken)));
      } else {
        // The publishing studio is one page: it is resized for each picture in turn (to the phone's
        // width only; its context stays a desktop one).
        for (const size of SIZE_NAMES) results.push(await takeShot(shot, size, publisher, seeded, outDir));
      }
    }
  } finally {
    for (const context of contexts) await context.close();
  }
}
