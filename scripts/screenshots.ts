// Screenshots of every page of the web app at laptop and phone sizes, for looking at the app and
// comparing it before and after a change:
//   node --import tsx scripts/screenshots.ts --out <folder> [--only <substring>] [--deadline <seconds>]
// Starts the whole platform in this process (embedded database, fresh data folder), seeds it with
// realistic data (scripts/screenshots/seed.ts), captures the pages listed in
// scripts/screenshots/pages.ts and writes <page>-<laptop|phone>.png and an index.html contact sheet
// (with each page's console errors and failed requests) into the folder. --only keeps the pages
// whose name contains the text (the data is seeded all the same). The web app served is web/dist,
// or WEB_DIST_DIR: build it first (npm run build:web).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../tests/support/browser.ts';
import { startTestPlatform, type TestPlatform } from '../tests/support/platform.ts';
import { captureAll, type ShotResult } from './screenshots/capture.ts';
import { SHOTS } from './screenshots/pages.ts';
import { writeContactSheet } from './screenshots/contact-sheet.ts';
import { seed, type Seeded } from './screenshots/seed.ts';

const SHOT_NAMES = SHOTS.map((shot) => shot.name);

const USAGE = 'node --import tsx scripts/screenshots.ts --out <folder> [--only <substring>] [--deadline <seconds>]';

/** The whole run, seeding included; past it everything is closed and the run fails (--deadline changes it). */
const DEFAULT_DEADLINE_MS = 5 * 60_000;

const PLATFORM_ENV = {
  // The first stream must end (and leave its VOD) soon after the studio ends it.
  STREAM_END_GRACE_MS: '1000',
  // Every person signs in once, and a few clips are cut: stay clear of the per-minute limits.
  AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  CLIP_RATE_LIMIT_PER_MINUTE: '60',
};

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Which code the pictures show, for the contact sheet's title. */
function describeTree(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes' : ''}`;
  } catch (error) {
    console.warn(`could not read the git commit: ${(error as Error).message}`);
    return 'an unknown commit';
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, only: { type: 'string' }, deadline: { type: 'string' } },
  });
  const deadlineMs = values.deadline ? Number(values.deadline) * 1000 : DEFAULT_DEADLINE_MS;
  if (!values.out || !(deadlineMs > 0)) {
    console.error(`usage: ${USAGE}`);
    console.error(`pages: ${SHOT_NAMES.join(', ')}`);
    return 2;
  }
  if (values.only && !SHOT_NAMES.some((name) => name.includes(values.only!))) {
    console.error(`no page name contains '${values.only}'; pages: ${SHOT_NAMES.join(', ')}`);
    return 2;
  }
  const outDir = path.resolve(values.out);
  fs.mkdirSync(outDir, { recursive: true });

  const started = Date.now();
  // The last resort, should closing itself hang: nothing outlives the deadline by more than a minute.
  setTimeout(() => {
    console.error('could not close the browser and platform in time; exiting');
    process.exit(1);
  }, deadlineMs + 60_000).unref();
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  let seeded: Seeded | undefined;
  const results: ShotResult[] = [];
  const run = async (): Promise<void> => {
    platform = await startTestPlatform(PLATFORM_ENV);
    browser = await launchBrowser();
    seeded = await seed(platform, browser);
    console.log(`seeded in ${Math.round((Date.now() - started) / 1000)} s`);
    await captureAll(browser, platform.url, seeded, outDir, results, values.only);
  };
  let timer: NodeJS.Timeout | undefined;
  let abandoned = false;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      abandoned = true;
      const seconds = deadlineMs / 1000;
      reject(new Error(`the run took more than ${seconds} s (a busy machine? try --deadline ${2 * seconds})`));
    }, deadlineMs);
  });
  const work = run();
  // Its failure is reported below when it loses the race; after the deadline, it fails as the browser closes under it.
  work.catch((error: unknown) => abandoned && console.error(`abandoned run: ${(error as Error).message}`));
  let failed = false;
  try {
    await Promise.race([work, deadline]);
  } catch (error) {
    console.error(error);
    failed = true;
  } finally {
    clearTimeout(timer);
    // Each closed whatever happened to the one before: a platform left running would outlive us.
    const closers = [() => seeded?.close(), () => browser?.close(), () => platform?.close()];
    for (const close of closers) {
      await Promise.resolve()
        .then(close)
        .catch((error: unknown) => console.error(`while closing: ${(error as Error).message}`));
    }
  }
  if (results.length === 0) return 1;
  const sheet = writeContactSheet(outDir, results, `AeThex Live at ${describeTree()}, ${new Date().toISOString()}`);
  const notReady = results.filter((r) => r.failure);
  const noisy = results.filter((r) => r.problems.length > 0);
  for (const result of noisy) console.log(`${result.file}:\n  ${result.problems.join('\n  ')}`);
  console.log(
    `${results.length} screenshots (${notReady.length} not ready, ${noisy.length} with console or HTTP problems) ` +
      `in ${Math.round((Date.now() - started) / 1000)} s: ${sheet}`,
  );
  return failed || notReady.length > 0 ? 1 : 0;
}

const code = await main();
// A socket or timer somebody forgot must not keep a finished run alive.
setTimeout(() => process.exit(code), 2_000).unref();
process.exitCode = code;
