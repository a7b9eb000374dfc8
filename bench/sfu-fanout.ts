// Fan-out: one stream, N viewers that are real WebRTC peers (werift: ICE, DTLS, SRTP; no decoding)
// in processes apart from the server. For each N it measures, over a steady window, what the
// server spends (mediasoup workers, Node) and what the viewers get (packet loss from RTP sequence
// numbers, frames per second from marker bits), and stops growing N once viewers stop getting the
// stream whole. The write-up is in lib/media/fanout-report.ts.
import os from 'node:os';
import { launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { describeLayers, startChromiumPublisher, type ChromiumPublisher } from './lib/media/chromium-publisher.ts';
import {
  ProcessCpuMeter,
  descendantsCpuMs,
  machineBusyOver,
  machineBusyPercent,
  machineCpu,
  machineIrqPercent,
} from './lib/media/cpu.ts';
import type { ViewerJoin } from './lib/media/fanout-worker.ts';
import { viewerLoad, type LoadPool } from './lib/media/load-pool.ts';
import {
  MAX_LOSS_PERCENT,
  MIN_FPS_RATIO,
  fanoutReport,
  type FanoutSettings,
  type FanoutStep,
} from './lib/media/fanout-report.ts';
import { startLiveServer, type LiveServer, type WorkerHealthSample } from './lib/media/live-server.ts';
import type { PublishedLayer } from './lib/media/page/publisher.ts';
import { percentile, round1 } from './lib/media/percentiles.ts';
import { udpDrops, udpDropsBetween } from './lib/media/udp-drops.ts';
import type { ViewerWindow } from './lib/media/werift-viewer.ts';
import { FlagError } from './lib/flags.ts';
import { BenchError, type BenchContext, type BenchResult } from './lib/types.ts';

export const summary =
  'one stream to N werift viewers in separate processes: server CPU, loss, fps per N (--sizes=50,100,200,400, --max=N)';

const DEFAULT_SIZES = [50, 100, 200, 400];
/** The brief for this machine: the whole run, joins included, ends within 15 minutes. */
const RUN_BUDGET_MS = 14 * 60_000;
const JOIN_TIMEOUT_MS = 20_000;

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const settings = readSettings(ctx);
  const deadline = Date.now() + RUN_BUDGET_MS;
  // This machine may be shared: say how busy it was before we added anything.
  const busyBefore = await machineBusyOver(3000);
  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  let publisher: ChromiumPublisher | undefined;
  let pool: LoadPool<ViewerJoin, ViewerWindow> | undefined;
  try {
    server = await startLiveServer(ctx, {
      mediaWorkers: settings.mediaWorkers,
      logLevel: 'info', // 'room spread to another worker' is logged at info
      env: { SFU_CONSUMERS_PER_ROUTER: String(settings.consumersPerRouter) },
    });
    browser = await launchMediaBrowser();
    publisher = await startChromiumPublisher(
      browser,
      server,
      { video: 'camera', audio: true, simulcast: true, fps: 30, steadySource: true },
      { layers: 3, deadlineMs: 30_000, settleMs: 2000 },
    );
    ctx.log(`server ${server.url}; publishing ${describeLayers(await publisher.layers())}`);
    pool = await viewerLoad(settings.processes, 60_000);

    const steps: FanoutStep[] = [];
    for (const size of settings.sizes) {
      const stepBudgetMs = settings.settleMs + settings.windowMs + 60_000;
      if (Date.now() + stepBudgetMs > deadline) {
        ctx.log(`stopping before ${size} viewers: the run would exceed its ${RUN_BUDGET_MS / 60_000} minute budget`);
        break;
      }
      const step = await measureStep(ctx, settings, server, publisher, pool, size, deadline);
      steps.push(step);
      ctx.log(
        `${step.viewers} of ${step.size} viewers: mediasoup ${step.workerCpu.map((c) => `${round1(c)}%`).join('+')}, ` +
          `loss ${round1(step.lossPercent)}% (worst viewer ${round1(step.worstLossPercent)}%), fps median ${round1(step.fpsMedian)} / ` +
          `p10 ${round1(step.fpsP10)} / worst ${round1(step.fpsWorst)} (source ${step.sourceFps.map(round1).join('/')}), load generator ${round1(step.generatorCpu ?? 0)}%, ` +
          `machine ${round1(step.machineBusy ?? 0)}% busy${step.stopReason ? `; stop: ${step.stopReason}` : ''}`,
      );
      if (step.stopReason) break;
    }
    if (steps.length === 0) throw new BenchError('no step fitted in the time budget');
    const spreadLogs = (server.outputTail().match(/room spread to another worker/g) ?? []).length;
    return fanoutReport(settings, steps, { spreadLogs, busyBefore, withoutWebRole: server.withoutWebRole });
  } finally {
    await pool?.close();
    await publisher?.stop();
    await browser?.close();
    await server?.stop();
  }
}

function readSettings(ctx: BenchContext): FanoutSettings {
  const raw = ctx.flags.string('sizes');
  let sizes = raw ? raw.split(',').map((s) => Number(s.trim())) : [...DEFAULT_SIZES];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 5000) || sizes.length === 0) {
    throw new FlagError(`--sizes must be a comma-separated list of viewer counts from 1 to 5000, got '${raw}'`);
  }
  sizes = [...new Set(sizes)].sort((a, b) => a - b);
  const max = ctx.flags.integer('max', 0, 0, 5000);
  // --max goes on doubling past the largest size.
  while (max > 0 && sizes[sizes.length - 1]! * 2 <= max) sizes.push(sizes[sizes.length - 1]! * 2);
  if (max > 0 && sizes[sizes.length - 1]! < max) sizes.push(max);
  return {
    sizes,
    processes: ctx.flags.integer('procs', 4, 1, 16),
    concurrency: ctx.flags.integer('join-concurrency', 4, 1, 32),
    windowMs: ctx.flags.integer('window-s', 10, 3, 120) * 1000,
    settleMs: ctx.flags.integer('settle-s', 15, 0, 120) * 1000,
    consumersPerRouter: ctx.flags.integer('per-router', 300, 2, 100_000),
    mediaWorkers: ctx.flags.integer('workers', os.availableParallelism(), 1, 16),
    bwe: ctx.flags.boolean('bwe'),
    receive: ctx.flags.boolean('full-receive') ? 'full' : 'headers',
    starvePercent: starveFlag(ctx),
  };
}

/**
 * --starve-one-viewer[=percent]: one viewer drops that share of the media it receives (all of it
 * by default) from each window's start, to show that the goals catch a starving viewer.
 */
function starveFlag(ctx: BenchContext): number {
  const raw = ctx.flags.all['starve-one-viewer'];
  if (raw === undefined) return 0;
  if (raw === true) return 100;
  return ctx.flags.integer('starve-one-viewer', 100, 1, 100);
}

async function measureStep(
  ctx: BenchContext,
  settings: FanoutSettings,
  server: LiveServer,
  publisher: ChromiumPublisher,
  pool: LoadPool<ViewerJoin, ViewerWindow>,
  size: number,
  deadline: number,
): Promise<FanoutStep> {
  const newJoins = size - pool.peers;
  ctx.log(`joining ${newJoins} viewers (to ${size})`);
  const dropsBeforeJoins = udpDrops();
  const joined = await pool.add(
    newJoins,
    {
      serverUrl: server.url,
      channel: server.channel,
      audio: true,
      bwe: settings.bwe,
      receive: settings.receive,
      concurrency: settings.concurrency,
      timeoutMs: JOIN_TIMEOUT_MS,
    },
    Math.max(30_000, deadline - Date.now()),
  );
  if (joined.failures.length > 0) ctx.log(`${joined.failures.length} joins failed, e.g. ${joined.failures[0]}`);
  await sleep(settings.settleMs);

  const node = ProcessCpuMeter.forPid(server.pid);
  const generator = new ProcessCpuMeter(() => pool.cpuMs());
  const chromium = new ProcessCpuMeter(() => descendantsCpuMs(process.pid, /^(chromium|chrome)/));
  await server.workers(); // resets the server's CPU baseline: the next call covers the window
  node.start();
  generator.start();
  chromium.start();
  const machineStart = machineCpu();
  const dropsStart = udpDrops();
  const sentStart = await publisher.layers();
  const windowStart = performance.now();
  await pool.startWindow(settings.starvePercent);
  await sleep(settings.windowMs);
  const window = await pool.endWindow();
  // Every CPU reading closes at the same moment; the requests that follow add work of their own.
  const machineEnd = machineCpu();
  const dropsEnd = udpDrops();
  const machineBusy = machineBusyPercent(machineStart, machineEnd);
  const irq = machineIrqPercent(machineStart, machineEnd);
  const kernelIrqCpu = irq === undefined ? undefined : irq * os.availableParallelism();
  const nodeCpu = node.percent();
  const generatorCpu = generator.percent();
  const chromiumCpu = chromium.percent();
  const workers: WorkerHealthSample[] = await server.workers();
  const windowS = (performance.now() - windowStart) / 1000;
  const sentEnd = await publisher.layers();

  const sourceFps = sentEnd.map((layer, i) => (layer.framesSent - (sentStart[i]?.framesSent ?? 0)) / windowS);
  // Every viewer the pool holds answers, including one that received nothing: it is not dropped
  // from the figures, it is the worst of them.
  const viewers = window.windows;
  if (viewers.length === 0) throw new BenchError('no viewer is connected');
  const perViewer = deliveredToEach(viewers, sentEnd, sourceFps, windowS);
  const starved = perViewer.filter((v) => v.starved);
  const worstLoss = Math.max(...perViewer.map((v) => v.lossPercent));
  const worstRatio = Math.min(...perViewer.map((v) => v.fpsRatio));
  const stopReason =
    viewers.length < size
      ? `${viewers.length} of ${size} viewers connected (${joined.failures.length} joins failed twice)`
      : starved.length > 0
        ? `${starved.length} of ${viewers.length} viewers starved (worst: ${round1(worstLoss)}% loss, ` +
          `${Math.round(worstRatio * 100)}% of the source frame rate)`
        : undefined;
  const workerCpu = workers.map((w) => w.cpuPercent);
  const attributed = workerCpu.reduce((a, b) => a + b, 0) + (nodeCpu ?? 0) + (generatorCpu ?? 0) + (chromiumCpu ?? 0);
  const otherCpu =
    machineBusy === undefined
      ? undefined
      : Math.max(0, machineBusy * os.availableParallelism() - attributed - (kernelIrqCpu ?? 0));
  const layers = new Map<string, number>();
  for (const v of viewers) {
    const key = v.spatialLayer === null ? 'unknown' : `L${v.spatialLayer}`;
    layers.set(key, (layers.get(key) ?? 0) + 1);
  }
  return {
    size,
    viewers: viewers.length,
    newJoins,
    joinFailures: joined.failures,
    joinRetries: joined.retries,
    joinMedianMs: joined.joinMs.length > 0 ? percentile(joined.joinMs, 50) : 0,
    workersUsed: new Set(viewers.map((v) => v.serverPort)).size,
    workerCpu,
    nodeCpu,
    generatorCpu,
    chromiumCpu,
    machineBusy,
    kernelIrqCpu,
    otherCpu,
    udpDrops: udpDropsBetween(
      dropsStart,
      dropsEnd,
      viewers.map((v) => v.serverPort),
    ),
    udpDropsJoining: udpDropsBetween(
      dropsBeforeJoins,
      dropsStart,
      viewers.map((v) => v.serverPort),
    ),
    lossPercent: totalLossPercent(perViewer),
    lossP90Percent: percentile(
      perViewer.map((v) => v.lossPercent),
      90,
    ),
    worstLossPercent: worstLoss,
    fpsMedian: percentile(
      perViewer.map((v) => v.fps),
      50,
    ),
    fpsP10: percentile(
      perViewer.map((v) => v.fps),
      10,
    ),
    fpsWorst: Math.min(...perViewer.map((v) => v.fps)),
    fpsRatioP10: percentile(
      perViewer.map((v) => v.fpsRatio),
      10,
    ),
    fpsRatioWorst: worstRatio,
    starved: starved.length,
    starvedPercent: settings.starvePercent,
    sourceFps,
    sourceLayers: describeLayers(sentEnd),
    kbpsMedian: percentile(
      viewers.map((v) => (v.videoBytes * 8) / windowS / 1000),
      50,
    ),
    packetsPerSecond: viewers.reduce((sum, v) => sum + v.uniquePackets + v.audioPackets, 0) / windowS,
    layers,
    generatorLagMs: window.maxLagMs,
    stopReason,
  };
}

/** Which publisher layer (lowest first) a viewer gets: the one the server last reported, else the top. */
function layerIndex(viewer: ViewerWindow, layers: PublishedLayer[]): number {
  const top = layers.length - 1;
  return viewer.spatialLayer === null ? top : Math.min(Math.max(0, viewer.spatialLayer), top);
}

/** What one viewer got in the window, against what it should have got. */
interface Delivered {
  expectedPackets: number;
  missingPackets: number;
  lossPercent: number;
  fps: number;
  /** Its frame rate over its layer's source frame rate. */
  fpsRatio: number;
  starved: boolean;
}

/**
 * Loss and frame rate of every viewer. A viewer's own sequence numbers only span what reached it:
 * one that got nothing (or nothing after some point) would show no loss at all. So what it should
 * have got is at least what the median viewer on its layer saw in the window (the same consumer
 * stream, the same window within a few ms), and a viewer starves when it lost more than
 * MAX_LOSS_PERCENT of that or got under MIN_FPS_RATIO of its layer's frames.
 */
function deliveredToEach(
  viewers: ViewerWindow[],
  layers: PublishedLayer[],
  sourceFps: number[],
  windowS: number,
): Delivered[] {
  const layerOf = (v: ViewerWindow) => layerIndex(v, layers);
  const reference = new Map<number, number>();
  for (const layer of new Set(viewers.map(layerOf))) {
    reference.set(
      layer,
      percentile(
        viewers.filter((v) => layerOf(v) === layer).map((v) => v.expectedPackets),
        50,
      ),
    );
  }
  return viewers.map((v) => {
    const expectedPackets = Math.max(v.expectedPackets, Math.round(reference.get(layerOf(v)) ?? 0));
    const missingPackets = Math.max(0, expectedPackets - v.uniquePackets);
    const lossPercent = expectedPackets > 0 ? (missingPackets / expectedPackets) * 100 : 0;
    const fps = v.frames / windowS;
    const layerFps = sourceFps[layerOf(v)] ?? 0;
    const fpsRatio = layerFps > 0 ? fps / layerFps : fps > 0 ? 1 : 0;
    return {
      expectedPackets,
      missingPackets,
      lossPercent,
      fps,
      fpsRatio,
      starved: lossPercent > MAX_LOSS_PERCENT || fpsRatio < MIN_FPS_RATIO,
    };
  });
}

function totalLossPercent(viewers: Delivered[]): number {
  const expected = viewers.reduce((sum, v) => sum + v.expectedPackets, 0);
  const missing = viewers.reduce((sum, v) => sum + v.missingPackets, 0);
  return expected > 0 ? (missing / expected) * 100 : 100;
}

function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}
