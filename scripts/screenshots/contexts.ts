// The two screen sizes the screenshots are taken at, and browser contexts made for them: signed in
// (or not) by a session cookie, with animations and transitions switched off so that two runs of
// the same app draw the same pixels.
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

export const SIZES = {
  laptop: { viewport: { width: 1280, height: 800 } },
  // Scale 1 keeps the files small; the layout is the same as on a 2x phone.
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
} satisfies Record<string, BrowserContextOptions>;

export type Size = keyof typeof SIZES;
export const SIZE_NAMES = Object.keys(SIZES) as Size[];

/**
 * Injected at document start: a still picture, and no caret blinking in focused inputs. A string,
 * not a function: tsx would wrap a function's inner names in a helper the page does not have.
 */
const STILL_PAGE_SCRIPT = `{
  const css = \`*, *::before, *::after {
    animation-duration: 0s !important; animation-delay: 0s !important; animation-iteration-count: 1 !important;
    transition-duration: 0s !important; transition-delay: 0s !important; caret-color: transparent !important;
    scroll-behavior: auto !important;
  }\`;
  const add = () => {
    const style = document.createElement('style');
    style.dataset.screenshots = 'still';
    style.textContent = css;
    document.head.append(style);
  };
  if (document.head) add();
  else document.addEventListener('DOMContentLoaded', add, { once: true });
}`;

/** `cookie` is a session cookie as the API sets it (`aethex_session=...`); none for a visitor. */
export async function newShotContext(
  browser: Browser,
  baseURL: string,
  size: Size,
  cookie?: string,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    ...SIZES[size],
    baseURL,
    permissions: ['camera', 'microphone'],
    reducedMotion: 'reduce',
    colorScheme: 'dark',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  await context.addInitScript({ content: STILL_PAGE_SCRIPT });
  if (cookie) {
    const [name, ...value] = cookie.split('=');
    await context.addCookies([{ name: name!, value: value.join('='), url: baseURL }]);
  }
  return context;
}

/** What went wrong in a page while it was shown: console errors and warnings, failed requests, uncaught errors. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    const type = message.type();
    // Failed requests are listed by the response handler, with their address.
    if (message.text().startsWith('Failed to load resource')) return;
    if (type === 'error' || type === 'warning') problems.push(`console ${type}: ${message.text()}`);
  });
  page.on('response', (response) => {
    const where = new URL(response.url()).pathname;
    // How the app asks whether the visitor is signed in: a 401 is an answer, not a problem.
    if (response.status() === 401 && where === '/api/v1/auth/me') return;
    if (response.status() >= 400) problems.push(`http ${response.status()} ${where}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}
