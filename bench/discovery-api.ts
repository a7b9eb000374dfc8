// Discovery API under load: a realistic catalog (thousands of channels, hundreds live, viewers
// with follows, watch history and sessions) seeded into the database before the server starts,
// then concurrent HTTP load mixing live now, categories, search and recommendations. Two phases
// per database: a closed loop that finds how much the server can take, then an open loop at a
// fixed rate where the latency goal is checked.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { openDatabase, type DatabaseOptions } from '../common/db/database.ts';
import { seedDiscoveryCatalog, type SeedSize, type SeededCatalog } from './lib/discovery-seed.ts';
import { closedLoop, LoadClient, openLoop, type LoadRun, type PlannedRequest } from './lib/discovery-load.ts';
import { machineBusyOver, machineBusyPercent, machineCpu, processCpuMs } from './lib/media/cpu.ts';
import { percentile, round1 } from './lib/media/percentiles.ts';
import { serverEnv } from './lib/server-env.ts';
import { spawnServer, waitUntilHealthy } from './lib/server-process.ts';
import { BenchError, type BenchContext, type BenchResult, type Cell } from './lib/types.ts';

export const summary =
  'discovery API (live, categories, search, recommended) on a seeded catalog: req/s and p50/p95/p99 (--rate=100, --duration-s=20, --database=pglite|postgresql|both)';

const P99_GOAL_MS = 50;
const WARMUP_MS = 3000;
/** How long the open loop waits for late answers after its last send. */
const DRAIN_MS = 10_000;

interface Settings {
  databases: ('pglite' | 'postgresql')[];
  size: SeedSize;
  connections: number;
  saturateMs: number;
  durationMs: number;
  rate: number;
}

interface Phase {
  database: string;
  phase: string;
  run: LoadRun;
  serverCpuPercent: number | undefined;
  generatorCpuPercent: number | undefined;
  machineBusy: number | undefined;
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const settings = readSettings(ctx);
  // This machine may be shared: say how busy it was before we added anything.
  const busyBefore = await machineBusyOver(3000);
  const loadBefore = os.loadavg()[0]!;
  const phases: Phase[] = [];
  const seeding: string[] = [];
  for (const database of settings.databases) {
    const target = await prepareDatabase(ctx, database);
    try {
      const startedAt = performance.now();
      const catalog = await seed(target.options, settings.size);
      seeding.push(`${database}: seeded in ${(Math.round(performance.now() - startedAt) / 1000).toFixed(1)} s`);
      ctx.log(`${database}: seeded ${JSON.stringify(catalog.counts)}`);
      phases.push(...(await measure(ctx, settings, database, target.env, target.dataDir, catalog)));
    } finally {
      await target.dispose();
    }
  }
  return report(settings, phases, [
    `Before the run the machine was ${fmt(busyBefore)}% busy (3 s sample) with a 1-minute load average of ${loadBefore.toFixed(1)} on ${os.availableParallelism()} cores.`,
    ...seeding,
  ]);
}

function readSettings(ctx: BenchContext): Settings {
  const choice = ctx.flags.string('database') ?? (process.env.DATABASE_URL ? 'both' : 'pglite');
  const databases: Settings['databases'] | undefined =
    choice === 'both'
      ? ['pglite', 'postgresql']
      : choice === 'pglite' || choice === 'postgresql'
        ? [choice]
        : undefined;
  if (!databases) throw new BenchError(`--database must be pglite, postgresql or both, got '${choice}'`);
  if (databases.includes('postgresql') && !process.env.DATABASE_URL) {
    throw new BenchError(
      '--database=postgresql needs DATABASE_URL naming a PostgreSQL server where a database can be created for the run',
    );
  }
  return {
    databases,
    size: {
      channels: ctx.flags.integer('channels', 5000, 10, 200_000),
      live: ctx.flags.integer('live', 300, 1, 20_000),
      viewers: ctx.flags.integer('viewers', 1000, 1, 100_000),
      followsPerViewer: ctx.flags.integer('follows', 30, 0, 1000),
      sessions: ctx.flags.integer('sessions', 200, 1, 10_000),
    },
    connections: ctx.flags.integer('connections', 50, 1, 500),
    saturateMs: ctx.flags.integer('saturate-s', 10, 1, 60) * 1000,
    durationMs: ctx.flags.integer('duration-s', 20, 1, 120) * 1000,
    rate: ctx.flags.integer('rate', 100, 1, 20_000),
  };
}

interface PreparedDatabase {
  options: DatabaseOptions;
  /** Added to the server's environment. */
  env: Record<string, string>;
  dataDir: string;
  dispose(): Promise<void>;
}

/** PGlite in the run's data folder, or a database of its own on the DATABASE_URL server. */
async function prepareDatabase(ctx: BenchContext, kind: 'pglite' | 'postgresql'): Promise<PreparedDatabase> {
  const dataDir = await ctx.tempDir(`discovery-${kind}`);
  if (kind === 'pglite') {
    return { options: { kind, dir: path.join(dataDir, 'pglite') }, env: {}, dataDir, dispose: async () => undefined };
  }
  const serverUrl = process.env.DATABASE_URL!;
  const name = `aethex_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    options: { kind, url: url.toString() },
    env: { DATABASE_URL: url.toString() },
    dataDir,
    dispose: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Seeds before the server starts: the embedded PGlite can be opened by one process at a time, so
 * the benchmark opens it (migrating it as the server would), writes, and closes it for the server.
 */
async function seed(options: DatabaseOptions, size: SeedSize): Promise<SeededCatalog> {
  const database = await openDatabase(options, pino({ level: 'warn' }));
  try {
    const catalog = await seedDiscoveryCatalog(database.prisma, size);
    // What autovacuum does to a catalog that grew over time: statistics for the planner, and the
    // GIN indexes' pending entries merged. PGlite has no autovacuum, so there it stays as written.
    if (options.kind === 'postgresql') await database.prisma.$executeRawUnsafe('VACUUM ANALYZE');
    return catalog;
  } finally {
    await database.close();
  }
}

async function measure(
  ctx: BenchContext,
  settings: Settings,
  database: string,
  extraEnv: Record<string, string>,
  dataDir: string,
  catalog: SeededCatalog,
): Promise<Phase[]> {
  const setup = await serverEnv({ dataDir, logLevel: 'warn', mediaWorkers: 1 });
  // The api role alone serves these routes; without media workers the numbers are the API's own.
  const env = { ...setup.env, ROLES: 'api', ...extraEnv };
  const server = spawnServer({ cwd: ctx.repoRoot, args: ['--import', 'tsx', 'server.ts'], env });
  const client = new LoadClient(`http://127.0.0.1:${setup.port}`, settings.connections);
  try {
    await waitUntilHealthy(server, { url: setup.healthUrl, intervalMs: 100, deadlineMs: 60_000 });
    const next = requestMix(catalog);
    await checkEveryEndpoint(client, catalog, server.outputTail);
    ctx.log(`${database}: warming up ${WARMUP_MS / 1000} s`);
    await closedLoop(client, next, { connections: 10, durationMs: WARMUP_MS });

    const phases: Phase[] = [];
    ctx.log(`${database}: closed loop, ${settings.connections} connections, ${settings.saturateMs / 1000} s`);
    phases.push(
      await phase(database, `closed loop, ${settings.connections} connections`, server.pid, () =>
        closedLoop(client, next, { connections: settings.connections, durationMs: settings.saturateMs }),
      ),
    );
    ctx.log(`${database}: open loop, ${settings.rate} req/s, ${settings.durationMs / 1000} s`);
    phases.push(
      await phase(database, `open loop, ${settings.rate} req/s`, server.pid, () =>
        openLoop(client, next, { ratePerSecond: settings.rate, durationMs: settings.durationMs, drainMs: DRAIN_MS }),
      ),
    );
    for (const p of phases) {
      const errors = p.run.samples.filter((s) => !s.ok).length;
      if (errors > 0) ctx.log(`${database} ${p.phase}: ${errors} requests failed`);
    }
    return phases;
  } catch (error) {
    if (error instanceof BenchError) throw error;
    throw new BenchError(`${database}: ${(error as Error).message}\n${server.outputTail()}`);
  } finally {
    client.close();
    await server.stop();
  }
}

/** Each kind of request once, so a broken endpoint fails the run instead of scoring fast 4xx. */
async function checkEveryEndpoint(client: LoadClient, catalog: SeededCatalog, outputTail: () => string): Promise<void> {
  const probes: PlannedRequest[] = [
    { endpoint: 'probe', path: '/api/v1/discover/live' },
    { endpoint: 'probe', path: '/api/v1/categories' },
    { endpoint: 'probe', path: `/api/v1/search?q=${encodeURIComponent(catalog.searches[0]!)}` },
    { endpoint: 'probe', path: '/api/v1/discover/recommended', cookie: catalog.sessionCookies[0] },
  ];
  for (const probe of probes) {
    const { ok } = await client.send(probe);
    if (!ok) throw new BenchError(`GET ${probe.path} did not answer 200 before the load started\n${outputTail()}`);
  }
}

/** What browsers ask for on the home and search pages, in rough proportion. */
function requestMix(catalog: SeededCatalog): () => PlannedRequest {
  let n = 0;
  // A fixed rotation rather than Math.random: both databases get the same sequence.
  const at = <T>(items: readonly T[], i: number): T => items[i % items.length]!;
  return () => {
    const i = n++;
    const slot = i % 20;
    if (slot < 7) {
      const filter =
        i % 4 === 1
          ? `&category=${at(catalog.categories, i)}`
          : i % 4 === 2
            ? `&tag=${encodeURIComponent(at(catalog.tags, i))}`
            : '';
      return { endpoint: 'GET /discover/live', path: `/api/v1/discover/live?limit=20${filter}` };
    }
    if (slot < 10) return { endpoint: 'GET /categories', path: '/api/v1/categories' };
    if (slot < 16)
      return {
        endpoint: 'GET /search',
        path: `/api/v1/search?limit=20&q=${encodeURIComponent(at(catalog.searches, i))}`,
      };
    if (slot < 19)
      return {
        endpoint: 'GET /discover/recommended (signed in)',
        path: '/api/v1/discover/recommended?limit=20',
        cookie: at(catalog.sessionCookies, i),
      };
    return { endpoint: 'GET /discover/recommended (signed out)', path: '/api/v1/discover/recommended?limit=20' };
  };
}

async function phase(
  database: string,
  name: string,
  serverPid: number | undefined,
  load: () => Promise<LoadRun>,
): Promise<Phase> {
  const [serverBefore, selfBefore, machineBefore] = [processCpuMs(serverPid), process.cpuUsage(), machineCpu()];
  const run = await load();
  const [serverAfter, selfAfter, machineAfter] = [processCpuMs(serverPid), process.cpuUsage(selfBefore), machineCpu()];
  const share = (cpuMs: number | undefined) => (cpuMs === undefined ? undefined : (cpuMs / run.elapsedMs) * 100);
  return {
    database,
    phase: name,
    run,
    serverCpuPercent: share(
      serverBefore !== undefined && serverAfter !== undefined ? serverAfter - serverBefore : undefined,
    ),
    generatorCpuPercent: share((selfAfter.user + selfAfter.system) / 1000),
    machineBusy: machineBusyPercent(machineBefore, machineAfter),
  };
}

function report(settings: Settings, phases: Phase[], context: string[]): BenchResult {
  const rows: Cell[][] = [];
  const goals: BenchResult['goals'] = [];
  for (const p of phases) {
    const endpoints = [...new Set(p.run.samples.map((s) => s.endpoint))].sort();
    for (const endpoint of [...endpoints, 'all']) {
      const samples = endpoint === 'all' ? p.run.samples : p.run.samples.filter((s) => s.endpoint === endpoint);
      const ms = samples.map((s) => s.ms);
      const errors = samples.filter((s) => !s.ok).length;
      rows.push([
        p.database,
        p.phase,
        endpoint,
        samples.length,
        Math.round(samples.length / (p.run.elapsedMs / 1000)),
        round1(percentile(ms, 50)),
        round1(percentile(ms, 95)),
        round1(percentile(ms, 99)),
        round1(Math.max(...ms)),
        errors,
      ]);
      if (p.phase.startsWith('open loop') && endpoint !== 'all') {
        const p99 = percentile(ms, 99);
        goals.push({
          statement: `${p.database}: ${endpoint} p99 under ${P99_GOAL_MS} ms at ${settings.rate} req/s (all endpoints together), no errors`,
          passed: p99 < P99_GOAL_MS && errors === 0,
          measured: `p99 ${round1(p99)} ms, ${errors} errors of ${samples.length}`,
        });
      }
    }
  }
  const { size } = settings;
  return {
    title: 'Discovery API under load',
    method:
      `Seeds a catalog into a fresh database before the server starts (PGlite in the run's data folder, opened and closed by the ` +
      `benchmark since only one process may hold it; or a database created for the run on the DATABASE_URL server and dropped ` +
      `after): ${size.channels} channels with titles, descriptions, 2-3 tags and a category (90%) from per-category vocabularies, ` +
      `${size.live} of them live with a long-tailed viewer count (about 20,000 / rank^1.1), one past stream per channel, ${size.viewers} ` +
      `viewers following ${size.followsPerViewer} channels each (half among the live ones) with 10 watched channels each, and ` +
      `${size.sessions} signed-in sessions. Then spawns \`node --import tsx server.ts\` with ROLES=api, NODE_ENV=production, ` +
      `LOG_LEVEL=warn, checks each endpoint answers 200, warms up ${WARMUP_MS / 1000} s, and sends a fixed rotation of GET requests: ` +
      `35% /api/v1/discover/live (a third each unfiltered, by category, by tag), 15% /api/v1/categories, 30% /api/v1/search ` +
      `(words, stems, prefixes, two-word phrases, a miss), 15% /api/v1/discover/recommended signed in, 5% signed out; limit 20. ` +
      `Closed loop: ${settings.connections} keep-alive connections (node:http agent) each sending its next request on the previous ` +
      `answer, ${settings.saturateMs / 1000} s: the most the server takes. Open loop: ${settings.rate} requests/s on a fixed schedule ` +
      `over up to ${settings.connections} connections, ${settings.durationMs / 1000} s, latency from the scheduled send time to the ` +
      `last byte (time spent waiting for a free connection included); requests unanswered ${DRAIN_MS / 1000} s after the last ` +
      `send count as errors. The goal is checked on the open loop.`,
    table: {
      columns: ['Database', 'Phase', 'Endpoint', 'Requests', 'Req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'Max ms', 'Errors'],
      rows,
    },
    goals,
    notes: [
      'The load generator runs on the same machine as the server (and PostgreSQL): the CPU it takes is CPU the server does not get. ' +
        'CPU per phase (100% = one core): ' +
        phases
          .map(
            (p) =>
              `${p.database} ${p.phase}: server ${fmt(p.serverCpuPercent)}%, load generator ${fmt(p.generatorCpuPercent)}%, machine ${fmt(p.machineBusy)}% busy`,
          )
          .join('; ') +
        '.',
      "Closed-loop latencies are queueing-bound: with every connection always waiting, mean latency is connections / throughput (Little's law), whatever the query costs.",
      ...context,
    ],
  };
}

function fmt(value: number | undefined): string {
  return value === undefined ? '?' : String(round1(value));
}
