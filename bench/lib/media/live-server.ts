// A server for a media benchmark: started on a free port with its own data folder (serverEnv), plus
// a user, a channel and a stream key made with the operator CLI through the running server's admin
// socket, as an operator would. The caller owns the handle and must call stop() (safe twice).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { serverEnv } from '../server-env.ts';
import { spawnServer, waitUntilHealthy, type ServerProcess, type StopInfo } from '../server-process.ts';
import { BenchError, type BenchContext } from '../types.ts';
import { processCpuMs } from './cpu.ts';
import { descendants } from './process-tree.ts';

export interface LiveServerOptions {
  mediaWorkers: number;
  /** Extra server settings, e.g. SFU_CONSUMERS_PER_ROUTER. */
  env?: Record<string, string>;
  logLevel?: string;
  /** Fail rather than start without the web role when the web app is not built (a benchmark of the web app's own pages). */
  requireWebApp?: boolean;
  /** Every line the server prints, as it comes (its output tail keeps only the last few KB). */
  onLine?: (line: string) => void;
}

/** One mediasoup worker of the server, read from /proc. */
export interface WorkerHealthSample {
  /** Its place among the server's workers by pid (the pool starts them in index order). */
  index: number;
  pid: number;
  alive: boolean;
  /** CPU since the previous workers() call (or since the worker started), in % of one core. */
  cpuPercent: number;
  /** User + system CPU so far. */
  cpuMs: number;
}

/** The password of the benchmark's user (a throwaway account on a throwaway server). */
export const OWNER_PASSWORD = 'bench-password-not-secret';
/** The channel owner's display name: what a webinar's stage calls its host. */
export const OWNER_NAME = 'Bench';

export interface LiveServer {
  readonly url: string;
  readonly channel: string;
  /** The channel owner's login (with OWNER_PASSWORD), for a benchmark that signs in as them. */
  readonly ownerEmail: string;
  readonly streamKey: string;
  readonly pid: number | undefined;
  readonly mediaWorkers: number;
  /** Where the server was started without the web role because the web app (web/dist-test) is not built. */
  readonly withoutWebRole: boolean;
  workers(): Promise<WorkerHealthSample[]>;
  outputTail(): string;
  stop(): Promise<StopInfo>;
}

const HEALTHY_DEADLINE_MS = 60_000;
const CLI_TIMEOUT_MS = 30_000;

export async function startLiveServer(ctx: BenchContext, options: LiveServerOptions): Promise<LiveServer> {
  const dataDir = await ctx.tempDir('media-data');
  const setup = await serverEnv({ dataDir, mediaWorkers: options.mediaWorkers, logLevel: options.logLevel ?? 'warn' });
  const env = { ...setup.env, ...options.env };
  // The media benchmarks use their own page, not the web app: a missing build (another engineer's
  // work in progress) must not stop them. Everything else runs as `npm start` runs it.
  // The test build (npm run build:web:test), whose pages let the benchmark read the player's
  // state; WEB_DIST_DIR names another build.
  const webDist = env.WEB_DIST_DIR || path.join(ctx.repoRoot, 'web', 'dist-test');
  env.WEB_DIST_DIR = webDist;
  const withoutWebRole = !fs.existsSync(path.join(webDist, 'index.html'));
  if (withoutWebRole && options.requireWebApp) {
    throw new BenchError(
      `the web app is not built (${webDist}/index.html is missing): run 'npm run build:web:test', or set WEB_DIST_DIR to a build`,
    );
  }
  if (withoutWebRole) env.ROLES = 'api,signaling,sfu';

  const server = spawnServer({
    cwd: ctx.repoRoot,
    args: ['--import', 'tsx', 'server.ts'],
    env,
    ...(options.onLine && { onLine: options.onLine }),
  });
  try {
    await waitUntilHealthy(server, { url: setup.healthUrl, intervalMs: 100, deadlineMs: HEALTHY_DEADLINE_MS });
    const url = `http://127.0.0.1:${setup.port}`;
    const slug = `bench-${Date.now().toString(36)}`;
    const email = `${slug}@bench.invalid`;
    await cli(ctx.repoRoot, env, server, [
      'user',
      'create',
      '--email',
      email,
      '--password',
      OWNER_PASSWORD,
      '--name',
      OWNER_NAME,
    ]);
    await cli(ctx.repoRoot, env, server, [
      'channel',
      'create',
      '--owner',
      email,
      '--slug',
      slug,
      '--title',
      'Benchmark',
    ]);
    const issued = (await cli(ctx.repoRoot, env, server, ['stream-key', 'create', '--channel', slug])) as {
      key?: unknown;
    };
    if (typeof issued.key !== 'string')
      throw new BenchError(`stream-key create printed no key: ${JSON.stringify(issued)}`);
    const streamKey = issued.key;
    return {
      url,
      channel: slug,
      ownerEmail: email,
      streamKey,
      pid: server.pid,
      mediaWorkers: setup.mediaWorkers,
      withoutWebRole,
      workers: workerMeter(server.pid),
      outputTail: () => server.outputTail(),
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function cli(repoRoot: string, env: NodeJS.ProcessEnv, server: ServerProcess, args: string[]): Promise<unknown> {
  const run = promisify(execFile);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: repoRoot,
      env,
      timeout: CLI_TIMEOUT_MS,
    });
    return JSON.parse(stdout) as unknown;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new BenchError(
      `cli ${args.slice(0, 2).join(' ')} failed: ${(error as Error).message}\n${stderr}\nserver output:\n${server.outputTail()}`,
    );
  }
}

/**
 * The server's mediasoup workers and their CPU since the previous call, from /proc: GET /healthz
 * shows worker details to administrators only, and a benchmark's server has none. /proc is also
 * exact to the tick, where the server's figure came from a round trip to each worker.
 */
function workerMeter(serverPid: number | undefined): () => Promise<WorkerHealthSample[]> {
  const previous = new Map<number, { cpuMs: number; at: number }>();
  return async () => {
    if (serverPid === undefined) throw new BenchError('the server has no pid to find its media workers under');
    const found = descendants(serverPid, /^mediasoup-work/).sort((a, b) => a.pid - b.pid);
    if (found.length === 0) throw new BenchError('no mediasoup worker runs under the server');
    const now = performance.now();
    return found.map(({ pid }, index): WorkerHealthSample => {
      const cpuMs = processCpuMs(pid);
      const before = previous.get(pid);
      if (cpuMs !== undefined) previous.set(pid, { cpuMs, at: now });
      const cpuPercent =
        cpuMs !== undefined && before && now > before.at ? ((cpuMs - before.cpuMs) / (now - before.at)) * 100 : 0;
      return { index, pid, alive: cpuMs !== undefined, cpuPercent, cpuMs: cpuMs ?? 0 };
    });
  };
}
