// Headless Chromium for the media benchmarks, and the page it runs: bench/lib/media/page/ bundled
// with esbuild (mediasoup-client, socket.io-client and our code in one script) and served from a
// tiny HTTP server on loopback, so each page is a secure context with no dependency on the web app.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { BenchMediaApi } from './page/main.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** NOTES.md's flags for root in a container, the fake devices, and no throttling of background pages. */
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
  // Its default is 20 fps; a camera sends 30.
  '--use-fake-device-for-media-stream=fps=30',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>bench media</title>
<style>body{margin:0;background:#000}video{display:inline-block}</style></head>
<body><script src="/bundle.js"></script></body></html>`;

export interface MediaBrowser {
  readonly browser: Browser;
  /** A new browser context (its own renderer process) with the benchmark page loaded. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** Closes the browser and the page server; safe to call twice. */
  close(): Promise<void>;
}

export async function launchMediaBrowser(): Promise<MediaBrowser> {
  const bundle = await bundlePage();
  const server = http.createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  } catch (error) {
    server.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/`);
        await page.waitForFunction(() => window.benchMedia !== undefined, undefined, { timeout: 10_000 });
        return { context, page };
      } catch (error) {
        await context.close();
        throw error;
      }
    },
    close: () =>
      (closing ??= (async () => {
        await browser.close().catch(() => undefined);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

/** Calls one function of the page's benchMedia API with JSON arguments. */
export function callPage<K extends keyof BenchMediaApi>(
  page: Page,
  name: K,
  ...args: Parameters<BenchMediaApi[K]>
): Promise<Awaited<ReturnType<BenchMediaApi[K]>>> {
  return page.evaluate(
    ([fn, fnArgs]) => {
      const api = window.benchMedia as unknown as Record<string, (...a: unknown[]) => unknown>;
      return api[fn]!(...fnArgs);
    },
    [name, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<BenchMediaApi[K]>>>;
}

async function bundlePage(): Promise<string> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const result = await build({
    entryPoints: [path.join(here, 'page', 'main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no bundle');
  return file.text;
}
