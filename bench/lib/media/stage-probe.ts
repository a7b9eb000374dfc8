// The Node side of page/stage-probe.ts: bundles it once and installs it in a browser context (it
// runs in every page of the context before the page's own scripts), and calls its functions.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import type { BenchStageApi, OutboundStream, StageProbeConfig } from './page/stage-probe.ts';

export type { InboundStream, OutboundStream, PageTraffic } from './page/stage-probe.ts';

/** From now on every page of `context` carries the probe, set up with `config`. */
export async function installStageProbe(context: BrowserContext, config: StageProbeConfig = {}): Promise<void> {
  const bundle = await bundleProbe();
  // An init script, not a <script>: it must run before the page's code makes its RTCPeerConnections,
  // and the page's Content-Security-Policy allows no inline script.
  await context.addInitScript({ content: `window.__benchStageConfig = ${JSON.stringify(config)};\n${bundle}` });
}

/** Calls one function of the probe in `page` with JSON arguments. */
export function callProbe<K extends keyof BenchStageApi>(
  page: Page,
  name: K,
  ...args: Parameters<BenchStageApi[K]>
): Promise<Awaited<ReturnType<BenchStageApi[K]>>> {
  return page.evaluate(
    ([fn, fnArgs]) => {
      const api = window.benchStage as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>;
      const call = api?.[fn];
      if (!call) throw new Error('the stage probe is not installed in this page');
      return call(...fnArgs);
    },
    [name, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<BenchStageApi[K]>>>;
}

let bundled: Promise<string> | undefined;

function bundleProbe(): Promise<string> {
  return (bundled ??= (async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const result = await build({
      entryPoints: [path.join(here, 'page', 'stage-probe.ts')],
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

/** A page's outbound video layers as '<source> <rid> <w>x<h>@<fps>' (with what limits the encoder), lowest first. */
export function describeOutbound(outbound: readonly OutboundStream[]): string {
  return outbound
    .filter((s) => s.source !== 'microphone')
    .sort((a, b) => `${a.source}${a.rid}`.localeCompare(`${b.source}${b.rid}`))
    .map((s) => {
      const limited =
        s.qualityLimitationReason && s.qualityLimitationReason !== 'none' ? ` (${s.qualityLimitationReason})` : '';
      return `${s.source} ${s.rid ?? ''} ${s.frameWidth}x${s.frameHeight}@${Math.round(s.framesPerSecond)}${limited}`;
    })
    .join(', ');
}
