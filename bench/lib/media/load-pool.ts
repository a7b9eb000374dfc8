// The parent side of a benchmark's load: P load processes (load-worker.ts), peers spread evenly over
// them. The pool owns the processes; close() stops them (safe to call twice) and a process that
// outlives its deadline is killed. `viewerLoad` and `attendeeLoad` start the two kinds there are.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processCpuMs } from './cpu.ts';
import type { LoadAnswer, LoadCommand } from './load-protocol.ts';
import type { AttendeeJoin } from './attendee-worker.ts';
import type { AttendeeWindow } from './werift-attendee.ts';
import type { ViewerJoin } from './fanout-worker.ts';
import type { ViewerWindow } from './werift-viewer.ts';

/** Channel viewers (werift-viewer.ts), for the fan-out benchmark. */
export function viewerLoad(processes: number, deadlineMs: number): Promise<LoadPool<ViewerJoin, ViewerWindow>> {
  return LoadPool.start(new URL('./fanout-worker.ts', import.meta.url), 'viewer', processes, deadlineMs);
}

/** Webinar attendees (werift-attendee.ts), for the attendees-per-core benchmark. */
export function attendeeLoad(processes: number, deadlineMs: number): Promise<LoadPool<AttendeeJoin, AttendeeWindow>> {
  return LoadPool.start(new URL('./attendee-worker.ts', import.meta.url), 'attendee', processes, deadlineMs);
}

interface Child<Window> {
  process: ChildProcess;
  peers: number;
  /** It said it listens for requests. */
  ready: boolean;
  pending: Map<number, { resolve: (answer: LoadAnswer<Window>) => void; reject: (error: Error) => void }>;
  output: string;
}

export class LoadPool<Join, Window> {
  readonly #kind: string;
  readonly #children: Child<Window>[];
  #nextId = 0;
  #closing: Promise<void> | undefined;

  private constructor(kind: string, children: Child<Window>[]) {
    this.#kind = kind;
    this.#children = children;
  }

  /** Starts `processes` load processes of `entry` and waits until each listens (or `deadlineMs` passed). */
  static async start<Join, Window>(
    entry: URL,
    kind: string,
    processes: number,
    deadlineMs: number,
  ): Promise<LoadPool<Join, Window>> {
    const ready: Promise<void>[] = [];
    const children = Array.from({ length: processes }, (): Child<Window> => {
      const child: Child<Window> = {
        process: fork(fileURLToPath(entry), [], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        }),
        peers: 0,
        ready: false,
        pending: new Map(),
        output: '',
      };
      const keep = (chunk: Buffer) => (child.output = (child.output + chunk.toString('utf8')).slice(-4000));
      child.process.stdout?.on('data', keep);
      child.process.stderr?.on('data', keep);
      ready.push(
        new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`a ${kind} process was not ready within ${deadlineMs} ms: ${child.output.trim()}`)),
            deadlineMs,
          );
          child.pending.set(0, {
            resolve: () => {
              clearTimeout(timer);
              child.ready = true;
              resolve();
            },
            reject: (error) => {
              clearTimeout(timer);
              reject(error);
            },
          });
        }),
      );
      child.process.on('message', (answer: LoadAnswer<Window>) => {
        const waiter = child.pending.get(answer.id);
        child.pending.delete(answer.id);
        waiter?.resolve(answer);
      });
      child.process.once('exit', (code, signal) => {
        for (const waiter of child.pending.values())
          waiter.reject(new Error(`${kind} process exited (${code ?? signal}): ${child.output.trim()}`));
        child.pending.clear();
      });
      return child;
    });
    const pool = new LoadPool<Join, Window>(kind, children);
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Peers joined so far, over all processes. */
  get peers(): number {
    return this.#children.reduce((sum, c) => sum + c.peers, 0);
  }

  /** CPU time of all load processes so far, in ms. */
  cpuMs(): number {
    return this.#children.reduce((sum, c) => sum + (processCpuMs(c.process.pid) ?? 0), 0);
  }

  /** Adds `count` peers, each to the process with the fewest. Failed joins are returned, not thrown. */
  async add(
    count: number,
    join: Join & { concurrency: number },
    deadlineMs: number,
  ): Promise<{ failures: string[]; retries: number; joinMs: number[] }> {
    const shares = this.#children.map(() => 0);
    for (let i = 0; i < count; i++) {
      let least = 0;
      for (let c = 1; c < this.#children.length; c++) {
        if (this.#children[c]!.peers + shares[c]! < this.#children[least]!.peers + shares[least]!) least = c;
      }
      shares[least]!++;
    }
    const answers = await Promise.all(
      this.#children.map((child, c) =>
        shares[c]! > 0 ? this.#ask<'added'>(child, { ...join, type: 'add', count: shares[c]! }, deadlineMs) : undefined,
      ),
    );
    const failures: string[] = [];
    const joinMs: number[] = [];
    let retries = 0;
    answers.forEach((answer, c) => {
      if (!answer) return;
      this.#children[c]!.peers = answer.peers;
      failures.push(...answer.failures);
      retries += answer.retries;
      joinMs.push(...answer.joinMs);
    });
    return { failures, retries, joinMs };
  }

  /** Starts every peer's window; with `starvePercent` > 0 one peer (the first process's first) drops that share of its media. */
  async startWindow(starvePercent = 0): Promise<void> {
    await Promise.all(
      this.#children.map((child, c) =>
        this.#ask<'window-started'>(
          child,
          { type: 'window-start', starvePercent: c === 0 ? starvePercent : 0 },
          10_000,
        ),
      ),
    );
  }

  async endWindow(): Promise<{ windows: Window[]; maxLagMs: number }> {
    const answers = await Promise.all(
      this.#children.map((child) => this.#ask<'window'>(child, { type: 'window-end' }, 10_000)),
    );
    return { windows: answers.flatMap((a) => a.windows), maxLagMs: Math.max(...answers.map((a) => a.lagMs)) };
  }

  /** Closes every peer, then the processes; safe to call twice. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      await Promise.all(
        this.#children.map(async (child) => {
          const running = () => child.process.exitCode === null && child.process.signalCode === null;
          if (running() && child.ready) await this.#ask(child, { type: 'close' }, 30_000).catch(() => undefined);
          const exited = new Promise<void>((resolve) => {
            if (!running()) resolve();
            else child.process.once('exit', () => resolve());
          });
          if (child.process.connected) child.process.disconnect(); // the process exits on disconnect
          const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    })());
  }

  #ask<T extends Extract<LoadAnswer<Window>, { ok: true }>['type']>(
    child: Child<Window>,
    body: LoadCommand<Join>,
    timeoutMs: number,
  ): Promise<Extract<LoadAnswer<Window>, { type: T }>> {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.pending.delete(id);
        reject(new Error(`${this.#kind} process did not answer '${body.type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      child.pending.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          if (answer.ok) resolve(answer as Extract<LoadAnswer<Window>, { type: T }>);
          else reject(new Error(`${this.#kind} process: ${answer.error}`));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.process.send({ ...body, id });
    });
  }
}
