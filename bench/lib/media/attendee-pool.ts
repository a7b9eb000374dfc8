// The parent side of the attendee load: P attendee processes (attendee-worker.ts), attendees spread
// evenly over them. The pool owns the processes; close() stops them (safe to call twice) and a
// process that outlives its deadline is killed. Modelled on fanout-pool.ts, for webinar attendees.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttendeeAnswer, AttendeeRequest } from './attendee-protocol.ts';
import { processCpuMs } from './cpu.ts';
import type { AttendeeWindow } from './werift-attendee.ts';

type OkAnswer = Extract<AttendeeAnswer, { ok: true }>;
type Answer<T extends OkAnswer['type']> = Extract<OkAnswer, { type: T }>;
type RequestBody = AttendeeRequest extends infer R ? (R extends AttendeeRequest ? Omit<R, 'id'> : never) : never;

interface Child {
  process: ChildProcess;
  attendees: number;
  /** It said it listens for requests. */
  ready: boolean;
  pending: Map<number, { resolve: (answer: AttendeeAnswer) => void; reject: (error: Error) => void }>;
  output: string;
}

export interface AttendeeJoin {
  serverUrl: string;
  webinar: string;
  /** Joins in flight per process. */
  concurrency: number;
  timeoutMs: number;
}

export class AttendeePool {
  readonly #children: Child[];
  #nextId = 0;
  #closing: Promise<void> | undefined;

  private constructor(children: Child[]) {
    this.#children = children;
  }

  /** Starts `processes` attendee processes and waits until each listens (or `deadlineMs` passed). */
  static async start(processes: number, deadlineMs: number): Promise<AttendeePool> {
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'attendee-worker.ts');
    const ready: Promise<void>[] = [];
    const children = Array.from({ length: processes }, (): Child => {
      const child: Child = {
        process: fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
        attendees: 0,
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
            () =>
              reject(new Error(`an attendee process was not ready within ${deadlineMs} ms: ${child.output.trim()}`)),
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
      child.process.on('message', (answer: AttendeeAnswer) => {
        const waiter = child.pending.get(answer.id);
        child.pending.delete(answer.id);
        waiter?.resolve(answer);
      });
      child.process.once('exit', (code, signal) => {
        for (const waiter of child.pending.values())
          waiter.reject(new Error(`attendee process exited (${code ?? signal}): ${child.output.trim()}`));
        child.pending.clear();
      });
      return child;
    });
    const pool = new AttendeePool(children);
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get attendees(): number {
    return this.#children.reduce((sum, c) => sum + c.attendees, 0);
  }

  /** CPU time of all attendee processes so far, in ms. */
  cpuMs(): number {
    return this.#children.reduce((sum, c) => sum + (processCpuMs(c.process.pid) ?? 0), 0);
  }

  /** Adds `count` attendees, each to the process with the fewest. Failed joins are returned, not thrown. */
  async add(
    count: number,
    join: AttendeeJoin,
    deadlineMs: number,
  ): Promise<{ failures: string[]; retries: number; joinMs: number[] }> {
    const shares = this.#children.map(() => 0);
    for (let i = 0; i < count; i++) {
      let least = 0;
      for (let c = 1; c < this.#children.length; c++) {
        if (this.#children[c]!.attendees + shares[c]! < this.#children[least]!.attendees + shares[least]!) least = c;
      }
      shares[least]!++;
    }
    const answers = await Promise.all(
      this.#children.map((child, c) =>
        shares[c]! > 0 ? this.#ask<'added'>(child, { type: 'add', count: shares[c]!, ...join }, deadlineMs) : undefined,
      ),
    );
    const failures: string[] = [];
    const joinMs: number[] = [];
    let retries = 0;
    answers.forEach((answer, c) => {
      if (!answer) return;
      this.#children[c]!.attendees = answer.attendees;
      failures.push(...answer.failures);
      retries += answer.retries;
      joinMs.push(...answer.joinMs);
    });
    return { failures, retries, joinMs };
  }

  async startWindow(): Promise<void> {
    await Promise.all(
      this.#children.map((child) => this.#ask<'window-started'>(child, { type: 'window-start' }, 10_000)),
    );
  }

  async endWindow(): Promise<{ attendees: AttendeeWindow[]; maxLagMs: number }> {
    const answers = await Promise.all(
      this.#children.map((child) => this.#ask<'window'>(child, { type: 'window-end' }, 10_000)),
    );
    return { attendees: answers.flatMap((a) => a.attendees), maxLagMs: Math.max(...answers.map((a) => a.lagMs)) };
  }

  /** Closes every attendee, then the processes; safe to call twice. */
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
        reject(new Error(`attendee process did not answer '${body.type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      child.pending.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          if (answer.ok) resolve(answer as Answer<T>);
          else reject(new Error(`attendee process: ${answer.error}`));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.process.send({ ...body, id } as AttendeeRequest);
    });
  }
}
