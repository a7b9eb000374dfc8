// The web app's own channel page, opened in the benchmark's Chromium, with page/hls-reader.ts
// injected so a benchmark can read the clock out of what the page's player shows. The page is
// served by the server under test (its web role), exactly as a viewer gets it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import type { MediaBrowser } from './browser.ts';
import type { BenchHlsApi } from './page/hls-reader.ts';

export interface ChannelPage {
  readonly context: BrowserContext;
  readonly page: Page;
  call<K extends keyof BenchHlsApi>(
    name: K,
    ...args: Parameters<BenchHlsApi[K]>
  ): Promise<Awaited<ReturnType<BenchHlsApi[K]>>>;
  /** Closes the page's context; safe to call twice. */
  close(): Promise<void>;
}

/** Opens `<serverUrl>/<channel>?via=<via>` (the link a viewer can share to pick a playback way). */
export async function openChannelPage(
  browser: MediaBrowser,
  serverUrl: string,
  channel: string,
  via: 'hls' | 'webrtc' | 'whep',
): Promise<ChannelPage> {
  const script = await bundleReader();
  const context = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= context.close().catch(() => undefined));
  try {
    const page = await context.newPage();
    await page.goto(`${serverUrl}/${encodeURIComponent(channel)}?via=${via}`);
    // Evaluated rather than added as a <script>: the page's Content-Security-Policy allows no inline
    // script, and the reader is the benchmark's, not the page's.
    await page.evaluate(script);
    return {
      context,
      page,
      call: (name, ...args) =>
        page.evaluate(
          ([fn, fnArgs]) => {
            const api = window.benchHls as unknown as Record<string, (...a: unknown[]) => unknown>;
            return api[fn]!(...fnArgs);
          },
          [name, args] as [string, unknown[]],
        ) as never,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

let bundled: Promise<string> | undefined;

function bundleReader(): Promise<string> {
  return (bundled ??= (async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const result = await build({
      entryPoints: [path.join(here, 'page', 'hls-reader.ts')],
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
  })());
}
