// The set-up most browser tests share: a platform and a headless Chromium, started before the
// tests of the file (or describe block) that calls it and closed after them.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';

export interface BrowserPlatform {
  platform: TestPlatform;
  browser: Browser;
}

/**
 * Registers the hooks; `started` receives both once they run (tests keep them in their own
 * variables). `env` goes to the platform; by default streams end 2 s after their publisher leaves.
 */
export function withBrowserPlatform(
  started: (both: BrowserPlatform) => void,
  env: Record<string, string> = { STREAM_END_GRACE_MS: '2000' },
): void {
  let both: Partial<BrowserPlatform> = {};
  beforeAll(async () => {
    both.platform = await startTestPlatform(env);
    both.browser = await launchBrowser();
    started(both as BrowserPlatform);
  });
  afterAll(async () => {
    await both.browser?.close();
    await both.platform?.close();
    both = {};
  });
}
