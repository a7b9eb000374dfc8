// Starts the server as a child process, tells when it answers healthy, and stops it. The caller
// owns the returned handle and must call stop(), which is safe to call twice.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { BenchError } from './types.ts';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopInfo extends ExitInfo {
  /** From SIGTERM to exit. */
  ms: number;
  /** It ignored SIGTERM until the deadline and was killed. */
  forced: boolean;
}

export interface ServerProcess {
  readonly pid: number | undefined;
  /** performance.now() just before spawn: the zero of every timing about this process. */
  readonly spawnedAt: number;
  readonly exited: Promise<ExitInfo>;
  /** The last lines it printed (stdout and stderr interleaved), for error messages. */
  outputTail(): string;
  stop(deadlineMs?: number): Promise<StopInfo>;
}

export interface SpawnOptions {
  cwd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Every whole line it prints (stdout and stderr), as it comes: for lines the tail may have lost. */
  onLine?: (line: string) => void;
}

const OUTPUT_TAIL_CHARS = 8000;

export function spawnServer(options: SpawnOptions): ServerProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const { onLine } = options;
  if (onLine) {
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
    }
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn failure (e.g. EAGAIN) also ends the process's life; report it like an exit.
    child.once('error', (error) => {
      keep(Buffer.from(`\nspawn error: ${error.message}\n`));
      resolve({ code: null, signal: null });
    });
  });

  let stopping: Promise<StopInfo> | undefined;
  return {
    pid: child.pid,
    spawnedAt,
    exited,
    outputTail: () => output.trim(),
    stop: (deadlineMs = 15_000) => (stopping ??= stop(deadlineMs)),
  };

  async function stop(deadlineMs: number): Promise<StopInfo> {
    const started = performance.now();
    if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), ms: 0, forced: false };
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    const first = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (first !== 'late') return { ...first, ms: performance.now() - started, forced: false };
    child.kill('SIGKILL');
    return { ...(await exited), ms: performance.now() - started, forced: true };
  }
}

export interface HealthPollOptions {
  url: string;
  intervalMs: number;
  deadlineMs: number;
}

/**
 * Polls `url` until it answers 200 and returns the milliseconds from spawn to that answer. Throws,
 * with the server's last output, if the process exits first or the deadline passes.
 */
export async function waitUntilHealthy(server: ServerProcess, options: HealthPollOptions): Promise<number> {
  let exitedEarly: ExitInfo | undefined;
  void server.exited.then((info) => {
    exitedEarly = info;
  });
  const deadline = server.spawnedAt + options.deadlineMs;
  let lastStatus = 'no answer';
  for (let attempt = 0; ; attempt++) {
    // Ticks on a fixed grid from spawn, so a slow answer doesn't push later polls back.
    const tick = server.spawnedAt + attempt * options.intervalMs;
    await sleep(tick - performance.now());
    if (exitedEarly) {
      throw new BenchError(
        `server exited (code ${exitedEarly.code}, signal ${exitedEarly.signal}) before answering 200 on ${options.url}\n${server.outputTail()}`,
      );
    }
    if (performance.now() > deadline) {
      throw new BenchError(
        `server not healthy within ${options.deadlineMs} ms (last: ${lastStatus}) on ${options.url}\n${server.outputTail()}`,
      );
    }
    const status = await httpStatus(options.url, Math.max(options.intervalMs, 1000));
    if (status === 200) return performance.now() - server.spawnedAt;
    lastStatus = status === undefined ? 'no answer' : `HTTP ${status}`;
  }
}

/**
 * The status of a GET, or undefined when nothing answers. A fresh connection each time (no
 * keep-alive): an idle pooled socket would otherwise linger and could delay the server's shutdown.
 */
function httpStatus(url: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
      response.once('error', () => resolve(undefined));
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
