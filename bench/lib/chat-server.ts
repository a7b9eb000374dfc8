// A server for the chat benchmark: `node --import tsx server.ts` in its own process (ROLES=api: the
// chat needs no media), on a free loopback port with its own data folder, plus a channel made with
// the operator CLI and signed-in sender accounts made through the API, as people would. The caller
// owns the handle and must call stop() (safe twice).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { serverEnv } from './server-env.ts';
import { spawnServer, waitUntilHealthy, type ServerProcess, type StopInfo } from './server-process.ts';
import { BenchError, type BenchContext } from './types.ts';

export interface ChatServer {
  readonly url: string;
  readonly channel: string;
  readonly pid: number | undefined;
  /** Signs a new user up through the API and returns their session cookie (name=value). */
  signUp(prefix: string): Promise<string>;
  outputTail(): string;
  stop(): Promise<StopInfo>;
}

const HEALTHY_DEADLINE_MS = 60_000;
const CLI_TIMEOUT_MS = 30_000;

export async function startChatServer(ctx: BenchContext): Promise<ChatServer> {
  const dataDir = await ctx.tempDir('chat-data');
  const setup = await serverEnv({ dataDir, mediaWorkers: 1 });
  // Sign-ups of the sender accounts would otherwise hit the per-address limit.
  const env = { ...setup.env, ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '100000' };
  const server = spawnServer({ cwd: ctx.repoRoot, args: ['--import', 'tsx', 'server.ts'], env });
  try {
    await waitUntilHealthy(server, { url: setup.healthUrl, intervalMs: 100, deadlineMs: HEALTHY_DEADLINE_MS });
    const url = `http://127.0.0.1:${setup.port}`;
    const suffix = randomBytes(3).toString('hex');
    const slug = `chat-bench-${suffix}`;
    const email = `${slug}@bench.invalid`;
    await cli(ctx.repoRoot, env, server, [
      'user',
      'create',
      '--email',
      email,
      '--password',
      'bench-password-not-secret',
      '--name',
      'Bench',
    ]);
    await cli(ctx.repoRoot, env, server, [
      'channel',
      'create',
      '--owner',
      email,
      '--slug',
      slug,
      '--title',
      'Chat benchmark',
    ]);
    return {
      url,
      channel: slug,
      pid: server.pid,
      signUp: (prefix) => signUp(url, `${prefix}_${suffix}`, server),
      outputTail: () => server.outputTail(),
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function signUp(url: string, username: string, server: ServerProcess): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email: `${username}@bench.invalid`, username, password: 'bench-password-not-secret' }),
    signal: AbortSignal.timeout(15_000),
  });
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('aethex_session='))
    ?.split(';')[0];
  if (response.status !== 201 || !cookie) {
    throw new BenchError(
      `sign-up of ${username} failed: HTTP ${response.status} ${await response.text()}\nserver output:\n${server.outputTail()}`,
    );
  }
  return cookie;
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
