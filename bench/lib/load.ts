// How busy the machine was before and during a benchmark run. A figure measured while other work
// shared the cores says as much about that work as about the platform, so every section states the
// load it ran under, and the reader (not the benchmark) decides whether to trust it.
import os from 'node:os';
import { machineBusyPercent, machineCpu, type MachineCpuSample } from './media/cpu.ts';

export interface LoadAverages {
  one: number;
  five: number;
  fifteen: number;
}

export interface LoadBefore {
  loadAverage: LoadAverages;
  /** Share of all cores busy over `busySampleMs` just before the run, 0-100; undefined without /proc. */
  busyPercent: number | undefined;
  busySampleMs: number;
}

export interface LoadDuring {
  /** 1-minute load average, sampled every `sampleEveryMs`. */
  oneMinuteMean: number;
  oneMinuteMax: number;
  samples: number;
  sampleEveryMs: number;
  /** Share of all cores busy over the whole run (the benchmark's own processes included), 0-100. */
  busyPercent: number | undefined;
  /** The busiest `sampleEveryMs` interval, 0-100. */
  busiestIntervalPercent: number | undefined;
  durationMs: number;
}

export interface MachineLoad {
  cores: number;
  before: LoadBefore;
  during: LoadDuring | undefined;
}

const BUSY_SAMPLE_MS = 2000;
const SAMPLE_EVERY_MS = 2000;
/** Past this (load per core, or busy share before the run) the section warns that the figures carry other work. */
export const BUSY_LOAD_PER_CORE = 0.5;
export const BUSY_PERCENT = 25;

function loadAverages(): LoadAverages {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return { one, five, fifteen };
}

/** Samples the load before the run (takes BUSY_SAMPLE_MS), then keeps sampling until stop(). */
export class LoadMonitor {
  readonly #before: LoadBefore;
  readonly #startCpu: MachineCpuSample | undefined;
  readonly #startedAt = performance.now();
  readonly #oneMinute: number[] = [];
  #lastCpu: MachineCpuSample | undefined;
  #busiest: number | undefined;
  readonly #timer: NodeJS.Timeout;
  #stopped: LoadDuring | undefined;

  private constructor(before: LoadBefore) {
    this.#before = before;
    this.#startCpu = machineCpu();
    this.#lastCpu = this.#startCpu;
    this.#timer = setInterval(() => this.#sample(), SAMPLE_EVERY_MS);
    // Sampling must never keep a finished harness alive.
    this.#timer.unref();
  }

  static async start(): Promise<LoadMonitor> {
    const loadAverage = loadAverages();
    const start = machineCpu();
    await new Promise((resolve) => setTimeout(resolve, BUSY_SAMPLE_MS));
    return new LoadMonitor({
      loadAverage,
      busyPercent: machineBusyPercent(start, machineCpu()),
      busySampleMs: BUSY_SAMPLE_MS,
    });
  }

  get before(): LoadBefore {
    return this.#before;
  }

  /** Ends sampling; safe to call twice (the second call returns the first answer). */
  stop(): MachineLoad {
    if (!this.#stopped) {
      clearInterval(this.#timer);
      this.#sample();
      const samples = this.#oneMinute;
      this.#stopped = {
        oneMinuteMean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
        oneMinuteMax: Math.max(0, ...samples),
        samples: samples.length,
        sampleEveryMs: SAMPLE_EVERY_MS,
        busyPercent: machineBusyPercent(this.#startCpu, machineCpu()),
        busiestIntervalPercent: this.#busiest,
        durationMs: performance.now() - this.#startedAt,
      };
    }
    return { cores: os.availableParallelism(), before: this.#before, during: this.#stopped };
  }

  #sample(): void {
    this.#oneMinute.push(loadAverages().one);
    const cpu = machineCpu();
    const busy = machineBusyPercent(this.#lastCpu, cpu);
    if (busy !== undefined) this.#busiest = Math.max(this.#busiest ?? 0, busy);
    this.#lastCpu = cpu;
  }
}

/** The machine was already doing other work when the run began: its figures carry that work. */
export function busyBefore(load: MachineLoad): boolean {
  return load.before.loadAverage.one > BUSY_LOAD_PER_CORE * load.cores || (load.before.busyPercent ?? 0) > BUSY_PERCENT;
}
