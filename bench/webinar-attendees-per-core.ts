// Webinar attendees per mediasoup core, with four on stage: the host shares a screen with camera
// and microphone and three panelists show camera and microphone (Node publishers of recorded media
// by default; --stage=host-page or pages puts the web app's pages on stage instead, at the cost of
// a core per browser). N attendees are werift peers in processes apart from the server, speaking the
// stage protocol as the web app's attendee page does (werift-attendee.ts). For each N, over a
// steady window: the mediasoup workers' CPU against the stage alone (no attendee), and what each
// attendee received, so an attendee that gets nothing never counts as served. Written up by
// lib/media/attendees-report.ts.
import os from 'node:os';
import type { AttendeeJoin } from './lib/media/attendee-worker.ts';
import { attendeeLoad, type LoadPool } from './lib/media/load-pool.ts';
import type { AttendeeWindow } from './lib/media/werift-attendee.ts';
import {
  attendeesReport,
  deliveredToEach,
  MAX_LOSS_PERCENT,
  type AttendeeSettings,
  type AttendeeStep,
  RUN_BUDGET_MINUTES,
} from './lib/media/attendees-report.ts';
import { launchMediaBrowser, type MediaBrowser } from './lib/media/browser.ts';
import { ProcessCpuMeter, descendantsCpuMs, machineBusyOver, machineBusyPercent, machineCpu } from './lib/media/cpu.ts';
import { startLiveServer, type LiveServer } from './lib/media/live-server.ts';
import { startLoopbackStun, type LoopbackStun } from './lib/media/loopback-stun.ts';
import { recordMedia, type RecordedMedia } from './lib/media/recorded-media.ts';
import { udpDrops } from './lib/media/udp-drops.ts';
import { percentile, round1 } from './lib/media/percentiles.ts';
import {
  PANELISTS,
  STAGE_KINDS,
  describeRates,
  senderRates,
  setUpStage,
  type StageKind,
  type WebinarStage,
} from './lib/media/webinar-stage.ts';
import { FlagError } from './lib/flags.ts';
import { BenchError, type BenchContext, type BenchResult } from './lib/types.ts';

export const summary =
  'webinar attendees per mediasoup core with 4 on stage: werift attendees, workers CPU per N (--sizes=25,50,100 up to 200, --stage=node|host-page|pages)';

const DEFAULT_SIZES = [25, 50, 100];
const MAX_ATTENDEES = 200;
const RUN_BUDGET_MS = RUN_BUDGET_MINUTES * 60_000;
const JOIN_TIMEOUT_MS = 20_000;
const ROLES_WITHOUT_RECORDER = 'api,signaling,sfu,web';
/** Seconds of media the Node publishers loop. */
const RECORDED_SECONDS = 10;

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const settings = readSettings(ctx);
  const busyBefore = await machineBusyOver(3000);
  let media: RecordedMedia | undefined;
  if (settings.stage !== 'pages') {
    ctx.log("recording the Node publishers' media (not measured)");
    media = await recordMedia(await ctx.tempDir('attendees-media'), RECORDED_SECONDS, {
      screen: settings.stage === 'node',
    });
  }
  let server: LiveServer | undefined;
  let browser: MediaBrowser | undefined;
  let stun: LoopbackStun | undefined;
  let stage: WebinarStage | undefined;
  let pool: LoadPool<AttendeeJoin, AttendeeWindow> | undefined;
  try {
    server = await startLiveServer(ctx, {
      mediaWorkers: settings.mediaWorkers,
      requireWebApp: true,
      logLevel: 'info', // 'room spread to another worker' is logged at info
      ...(!settings.recorder && { env: { ROLES: ROLES_WITHOUT_RECORDER } }),
    });
    stun = await startLoopbackStun();
    if (settings.stage !== 'node') browser = await launchMediaBrowser();
    stage = await setUpStage(ctx, settings.stage, { server, browser, media, stunUrl: stun.url });
    pool = await attendeeLoad(settings.processes, 60_000);
    const deadline = Date.now() + RUN_BUDGET_MS;

    const steps: AttendeeStep[] = [];
    for (const size of [0, ...settings.sizes]) {
      const stepBudgetMs = settings.settleMs + settings.windowMs + 30_000;
      if (Date.now() + stepBudgetMs > deadline) {
        ctx.log(`stopping before ${size} attendees: the run would exceed its ${RUN_BUDGET_MS / 60_000} minute budget`);
        break;
      }
      const step = await measureStep(ctx, settings, server, stage, pool, size, deadline);
      steps.push(step);
      ctx.log(
        `${step.connected} of ${step.size} attendees, ${step.served} served: mediasoup ${step.workerCpu.map((c) => `${round1(c)}%`).join('+')}, ` +
          `worst video loss ${round1(step.worstLossPercent)}%, load generator ${round1(step.generatorCpu ?? 0)}%, ` +
          `Chromium ${round1(step.chromiumCpu ?? 0)}%, machine ${round1(step.machineBusy ?? 0)}% busy` +
          (step.stopReason ? `; stop: ${step.stopReason}` : ''),
      );
      if (step.stopReason) break;
    }
    if (steps.length < 2) throw new BenchError('no step with attendees fitted in the time budget');
    const spreadLogs = (server.outputTail().match(/room spread to another worker/g) ?? []).length;
    return attendeesReport(settings, steps, { busyBefore, spreadLogs });
  } finally {
    await pool?.close();
    await stage?.close();
    await stun?.close();
    await browser?.close();
    await server?.stop();
  }
}

function readSettings(ctx: BenchContext): AttendeeSettings {
  const raw = ctx.flags.string('sizes');
  const sizes = raw ? raw.split(',').map((s) => Number(s.trim())) : [...DEFAULT_SIZES];
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_ATTENDEES)) {
    throw new FlagError(
      `--sizes must be a comma-separated list of attendee counts from 1 to ${MAX_ATTENDEES}, got '${raw}'`,
    );
  }
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    processes: ctx.flags.integer('procs', 2, 1, 8),
    concurrency: ctx.flags.integer('join-concurrency', 4, 1, 16),
    windowMs: ctx.flags.integer('window-s', 10, 5, 60) * 1000,
    settleMs: ctx.flags.integer('settle-s', 8, 2, 60) * 1000,
    mediaWorkers: ctx.flags.integer('workers', os.availableParallelism(), 1, 16),
    recorder: ctx.flags.boolean('recorder'),
    stage: stageFlag(ctx),
    panelists: PANELISTS,
  };
}

function stageFlag(ctx: BenchContext): StageKind {
  const raw = ctx.flags.string('stage') ?? 'node';
  const kind = STAGE_KINDS.find((k) => k === raw);
  if (!kind) throw new FlagError(`--stage must be ${STAGE_KINDS.join(', ')}; got '${raw}'`);
  return kind;
}

async function measureStep(
  ctx: BenchContext,
  settings: AttendeeSettings,
  server: LiveServer,
  stage: WebinarStage,
  pool: LoadPool<AttendeeJoin, AttendeeWindow>,
  size: number,
  deadline: number,
): Promise<AttendeeStep> {
  const newJoins = size - pool.peers;
  let joined = { failures: [] as string[], retries: 0, joinMs: [] as number[] };
  if (newJoins > 0) {
    ctx.log(`joining ${newJoins} attendees (to ${size})`);
    joined = await pool.add(
      newJoins,
      {
        serverUrl: server.url,
        webinar: stage.id,
        concurrency: settings.concurrency,
        timeoutMs: JOIN_TIMEOUT_MS,
      },
      Math.max(30_000, deadline - Date.now()),
    );
    if (joined.failures.length > 0) ctx.log(`${joined.failures.length} joins failed, e.g. ${joined.failures[0]}`);
  }
  await sleep(settings.settleMs);

  const node = ProcessCpuMeter.forPid(server.pid);
  const generator = new ProcessCpuMeter(() => pool.cpuMs());
  const chromium = new ProcessCpuMeter(() => descendantsCpuMs(process.pid, /^(chromium|chrome)/));
  // This process: the Node panelists' sending, and the benchmark's own bookkeeping.
  const own = new ProcessCpuMeter(() => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  });
  await server.workers(); // resets the server's CPU baseline: the next call covers the window
  node.start();
  generator.start();
  chromium.start();
  own.start();
  const machineStart = machineCpu();
  const dropsStart = udpDrops();
  const sendersStart = await stage.senders();
  const windowStart = performance.now();
  await pool.startWindow();
  await sleep(settings.windowMs);
  const window = await pool.endWindow();
  const machineBusy = machineBusyPercent(machineStart, machineCpu());
  const dropsEnd = udpDrops();
  const nodeCpu = node.percent();
  const generatorCpu = generator.percent();
  const chromiumCpu = chromium.percent();
  const ownCpu = own.percent();
  const workers = await server.workers();
  const windowS = (performance.now() - windowStart) / 1000;
  // What the stage sends decides what each attendee costs: its layers, as the senders made them.
  const stagePublishing = senderRates(sendersStart, await stage.senders(), windowS).map(describeRates);

  const attendees = window.windows;
  const delivered = deliveredToEach(attendees, windowS);
  const served = delivered.filter((d) => d.served).length;
  const worstLossPercent = delivered.length > 0 ? Math.max(...delivered.map((d) => d.videoLossPercent)) : 0;
  const unserved = delivered.filter((d) => !d.served);
  const stopReason =
    attendees.length < size
      ? `${attendees.length} of ${size} attendees connected (${joined.failures.length} joins failed twice)`
      : unserved.length > 0
        ? `${unserved.length} of ${attendees.length} attendees not served (e.g. ${unserved[0]!.why})`
        : worstLossPercent > MAX_LOSS_PERCENT
          ? `an attendee lost ${round1(worstLossPercent)}% of its video packets`
          : undefined;
  return {
    size,
    connected: attendees.length,
    newJoins,
    joinFailures: joined.failures,
    joinRetries: joined.retries,
    joinMedianMs: joined.joinMs.length > 0 ? percentile(joined.joinMs, 50) : 0,
    served,
    windowS,
    workerCpu: workers.map((w) => w.cpuPercent),
    workersUsed: new Set(attendees.map((a) => a.serverPort)).size,
    nodeCpu,
    generatorCpu,
    chromiumCpu,
    ownCpu,
    machineBusy,
    generatorLagMs: window.maxLagMs,
    delivered,
    worstLossPercent,
    stageChanges: Math.max(0, ...attendees.map((a) => a.stageChanges)),
    layoutRequests: attendees.reduce((sum, a) => sum + a.layoutRequests, 0),
    stagePublishing,
    serverPorts: [...new Set(attendees.map((a) => a.serverPort))],
    dropsStart,
    dropsEnd,
    stopReason,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
