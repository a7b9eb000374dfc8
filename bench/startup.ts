// Server start time: how long from `node --import tsx server.ts` to a 200 on /healthz, first on an
// empty data folder (the embedded database is created and migrated), then warm on the same folder.
// A warm start is what a user waits for after every restart or deploy.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { serverEnv } from './lib/server-env.ts';
import { runSetup } from './lib/setup.ts';
import { spawnServer, waitUntilHealthy, type StopInfo } from './lib/server-process.ts';
import { max, median, ms } from './lib/stats.ts';
import type { BenchContext, BenchResult, Cell } from './lib/types.ts';

export const summary = 'warm and cold start time of server.ts until /healthz answers 200 (--warm-runs=3, --workers=N)';

const POLL_INTERVAL_MS = 50;
const HEALTHY_DEADLINE_MS = 60_000;
const WARM_GOAL_MS = 10_000;

interface Run {
  label: string;
  state: string;
  msToHealthy: number;
  stop: StopInfo;
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const warmRuns = ctx.flags.integer('warm-runs', 3, 1, 20);
  ctx.log('running scripts/setup.sh (as npm start does; not timed)');
  await runSetup(ctx.repoRoot);
  const dataDir = await ctx.tempDir('startup-data');
  // The server's own default is one worker per core; the flag lets a run compare worker counts.
  const mediaWorkers = ctx.flags.integer('workers', os.availableParallelism(), 1, 64);
  const setup = await serverEnv({ dataDir, mediaWorkers });

  const runs: Run[] = [];
  runs.push(await measure(ctx, 'cold', 'empty: database created and migrated', setup.env, setup.healthUrl));
  const created = await listing(dataDir);
  for (let i = 1; i <= warmRuns; i++) {
    runs.push(await measure(ctx, `warm ${i}`, 'existing database', setup.env, setup.healthUrl));
  }

  const warm = runs.slice(1).map((r) => r.msToHealthy);
  const unclean = runs.filter((r) => r.stop.forced || r.stop.code !== 0);
  return {
    title: 'Server start time',
    method:
      `Spawns \`node --import tsx server.ts\` from the repository root with PORT set to a free port, DATA_DIR to a fresh temporary ` +
      `folder, LOG_LEVEL=warn, NODE_ENV=production and the default embedded setup (PGlite, in-process pub/sub, all roles, ` +
      `${setup.mediaWorkers} mediasoup workers on system-chosen ports), after an untimed scripts/setup.sh as \`npm start\` does. ` +
      `Polls GET /healthz every ${POLL_INTERVAL_MS} ms over a new connection each ` +
      `time and records the milliseconds from spawn to the first 200 (deadline ${HEALTHY_DEADLINE_MS / 1000} s), then sends ` +
      `SIGTERM and waits for the exit. The first run starts on the empty folder; ${warmRuns} warm runs follow on the same folder.`,
    table: {
      columns: ['Run', 'Data dir', 'ms to healthy', 'ms to exit after SIGTERM', 'Exit'],
      rows: runs.map((r): Cell[] => [r.label, r.state, ms(r.msToHealthy), ms(r.stop.ms), describeExit(r.stop)]),
    },
    goals: [
      {
        statement: `Warm start under ${WARM_GOAL_MS / 1000} s`,
        passed: max(warm) < WARM_GOAL_MS,
        measured: `slowest warm start ${ms(max(warm))} ms, median ${ms(median(warm))} ms`,
      },
    ],
    notes: [
      `Timings include Node's start, tsx compiling TypeScript on the fly (its cache lives in the OS temp folder, so it is ` +
        `usually warm even for the cold run) and ${setup.mediaWorkers} mediasoup worker processes starting. Resolution is ` +
        `the ${POLL_INTERVAL_MS} ms poll interval.`,
      `After the cold run the data folder held: ${created.join(', ') || '(nothing)'}.`,
      ...(unclean.length > 0 ? [`Did not exit cleanly on SIGTERM: ${unclean.map((r) => r.label).join(', ')}.`] : []),
    ],
  };
}

async function measure(
  ctx: BenchContext,
  label: string,
  state: string,
  env: NodeJS.ProcessEnv,
  healthUrl: string,
): Promise<Run> {
  ctx.log(`${label}: starting server.ts`);
  const server = spawnServer({ cwd: ctx.repoRoot, args: ['--import', 'tsx', 'server.ts'], env });
  try {
    const msToHealthy = await waitUntilHealthy(server, {
      url: healthUrl,
      intervalMs: POLL_INTERVAL_MS,
      deadlineMs: HEALTHY_DEADLINE_MS,
    });
    const stop = await server.stop();
    ctx.log(
      `${label}: healthy after ${ms(msToHealthy)} ms, exited ${ms(stop.ms)} ms after SIGTERM (${describeExit(stop)})`,
    );
    return { label, state, msToHealthy, stop };
  } finally {
    await server.stop(); // no-op after a successful run; on a failure, never leave the server behind
  }
}

function describeExit(stop: StopInfo): string {
  if (stop.forced) return 'killed (ignored SIGTERM)';
  return stop.signal ? `signal ${stop.signal}` : `code ${stop.code}`;
}

async function listing(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.map((e) => (e.isDirectory() ? `${e.name}${path.sep}` : e.name)).sort();
}
