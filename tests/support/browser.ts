// Headless Chromium (Debian's, never a downloaded one) with a fake camera and microphone, as
// NOTES.md describes. Each test gets its own browser and closes it.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Background tabs would throttle timers and rendering; each viewer is its own context here.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function launchBrowser(extraFlags: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraFlags] });
}

export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, permissions: ['camera', 'microphone'] });
}

/** Saves a screenshot under test-results/ (gitignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.resolve('test-results', `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

/** What the web app exposes for tests in its test build (web/src/test-hooks.ts), as far as tests use it. */
declare global {
  interface Window {
    __aethex?: {
      player?: { stats(): Promise<{ framesDecoded: number; frameWidth: number; audioPacketsReceived: number }> };
      whipClient?: { status: { phase: string; resource: string | null; error: { code: string } | null } };
      whepClient?: { stats(): Promise<{ framesDecoded: number; frameWidth: number; audioPacketsReceived: number }> };
    };
  }
}

/**
 * Keeps the page's console warnings and errors, failed requests and page errors, and prints them
 * when the running test fails. `alsoKeep` keeps other console lines too (e.g. /HLS/).
 */
export function recordConsole(page: Page, name: string, alsoKeep?: RegExp): void {
  const lines: string[] = [];
  page.on('console', (message) => {
    const type = message.type();
    // Failed requests are logged below with their address.
    if (message.text().startsWith('Failed to load resource')) return;
    if (type === 'warning' || type === 'error' || alsoKeep?.test(message.text()))
      lines.push(`[${name} ${type}] ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) lines.push(`[${name} http] ${response.status()} ${new URL(response.url()).pathname}`);
  });
  page.on('pageerror', (error) => lines.push(`[${name} pageerror] ${error.message}`));
  onTestFailed(() => console.log(lines.join('\n')));
}
