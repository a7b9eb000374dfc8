// The parent side of the fan-out load: P viewer processes (fanout-worker.ts), viewers spread evenly
// over them. The pool owns the processes; close() stops them (safe to call twice) and a process
// that outlives its deadline is killed.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerAnswer, WorkerRequest } from './fanout-protocol.ts';
import { processCpuMs } from './cpu.ts';
import type { ViewerWindow } from './werift-viewer.ts';

type OkAnswer = Extract<WorkerAnswer, { ok: true }>;
type Answer<T extends OkAnswer['type']> = Extract<OkAnswer, { type: T }>;
type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Child {
  process: ChildProcess;
  viewers: number;
  pending: Map<number, { resolve: (answer: WorkerAnswer) => void; reject: (error: Error) => void }>;
  output: string;
}

export interface JoinOptions {
  serverUrl: string;
  channel: string;
  audio: boolean;
  bwe: boolean;
  receive: 'full' | 'headers';
  /** Joins in flight per process. */
  concurrency: number;
  timeoutMs: number;
}

export class FanoutPool {
  readonly #children: Child[];
  #nextId = 0;
  #closing: Promise<void> | undefined;

  private constructor(children: Child[]) {
    this.#children = children;
  }

  static start(processes: number): FanoutPool {
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fanout-worker.ts');
    const children = Array.from({ length: processes }, (): Child => {
      const child: Child = {
        process: fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
        viewers: 0,
        pending: new Map(),
        output: '',
      };
      const keep = (chunk: Buffer) => (child.output = (child.output + chunk.toString('utf8')).slice(-4000));
      child.process.stdout?.on('data', keep);
      child.process.stderr?.on('data', keep);
      child.process.on('message', (answer: WorkerAnswer) => {
        const waiter = child.pending.get(answer.id);
        child.pending.delete(answer.id);
        waiter?.resolve(answer);
      });
      child.process.once('exit', (code, signal) => {
        for (const waiter of child.pending.values())
          waiter.reject(new Error(`viewer process exited (${code ?? signal}): ${child.output.trim()}`));
        child.pending.clear();
      });
      return child;
    });
    return new FanoutPool(children);
  }

  get viewers(): number {
    return this.#children.reduce((sum, c) => sum + c.viewers, 0);
  }

  get pids(): number[] {
    return this.#children.map((c) => c.process.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Adds `count` viewers, each to the process with the fewest. Failed joins are returned, not thrown. */
  async add(
    count: number,
    options: JoinOptions,
    deadlineMs: number,
  ): Promise<{ failures: string[]; retries: number; joinMs: number[] }> {
    const shares = this.#children.map(() => 0);
    for (let i = 0; i < count; i++) {
      let least = 0;
      for (let c = 1; c < this.#children.length; c++) {
        if (this.#children[c]!.viewers + shares[c]! < this.#children[least]!.viewers + shares[least]!) least = c;
      }
      shares[least]!++;
    }
    const answers = await Promise.all(
      this.#children.map((child, c) =>
        shares[c]! > 0
          ? this.#ask<'added'>(child, { type: 'add', count: shares[c]!, ...options }, deadlineMs)
          : undefined,
      ),
    );
    const failures: string[] = [];
    const joinMs: number[] = [];
    let retries = 0;
    answers.forEach((answer, c) => {
      if (!answer) return;
      this.#children[c]!.viewers = answer.viewers;
      failures.push(...answer.failures);
      retries += answer.retries;
      joinMs.push(...answer.joinMs);
    });
    return { failures, retries, joinMs };
  }

  /** Starts every viewer's window; with `starvePercent` > 0 one viewer (the first process's first) drops that share of its media. */
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

  async endWindow(): Promise<{ viewers: ViewerWindow[]; maxLagMs: number }> {
    const answers = await Promise.all(
      this.#children.map((child) => this.#ask<'window'>(child, { type: 'window-end' }, 10_000)),
    );
    return { viewers: answers.flatMap((a) => a.viewers), maxLagMs: Math.max(...answers.map((a) => a.lagMs)) };
  }

  /** CPU time of all viewer processes so far, in ms. */
  cpuMs(): number {
    return this.pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
  }

  /** Closes every viewer, then the processes; safe to call twice. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      await Promise.all(
        this.#children.map(async (child) => {
          if (child.process.exitCode === null && child.process.signalCode === null) {
            await this.#ask(child, { type: 'close' }, 30_000).catch(() => undefined);
          }
          const exited = new Promise<void>((resolve) => {
            if (child.process.exitCode !== null || child.process.signalCode !== null) resolve();
            else child.process.once('exit', () => resolve());
          });
          if (child.process.connected) child.process.disconnect(); // the worker exits on disconnect
          const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    })());
  }

  #ask<T extends OkAnswer['type']>(child: Child, body: RequestBody, timeoutMs: number): Promise<Answer<T>> {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.pending.delete(id);
        reject(new Error(`viewer process did not answer '${body.type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      child.pending.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          if (answer.ok) resolve(answer as Answer<T>);
          else reject(new Error(`viewer process: ${answer.error}`));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.process.send({ ...body, id } as WorkerRequest);
    });
  }
}
