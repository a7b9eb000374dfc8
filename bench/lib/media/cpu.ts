// CPU accounting over a measurement window, from Linux /proc: the whole machine (all cores) and
// single processes. A load generator sharing the machine with the server must be visible in the
// numbers, or a saturated machine would pass for a slow server.
import fs from 'node:fs';

/** USER_HZ, the unit of the per-process stat files and of /proc/stat: 100 on every Linux this runs on (sysconf is not reachable from Node). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU of one process so far (its own threads, user + system), in ms; undefined where there is no /proc. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface MachineCpuSample {
  busyTicks: number;
  /** Interrupt and softirq time: where the kernel does most of its loopback networking. */
  irqTicks: number;
  totalTicks: number;
}

/** Sums of the `cpu` line of /proc/stat; undefined where there is none. */
export function machineCpu(): MachineCpuSample | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0); // without guest time, counted in user already
    return { busyTicks: total - idle, irqTicks: (ticks[5] ?? 0) + (ticks[6] ?? 0), totalTicks: total };
  } catch {
    return undefined;
  }
}

/** Busy share of all cores between two samples, 0-100. */
export function machineBusyPercent(
  start: MachineCpuSample | undefined,
  end: MachineCpuSample | undefined,
): number | undefined {
  if (!start || !end || end.totalTicks <= start.totalTicks) return undefined;
  return ((end.busyTicks - start.busyTicks) / (end.totalTicks - start.totalTicks)) * 100;
}

/** Interrupt + softirq share of all cores between two samples, 0-100. */
export function machineIrqPercent(
  start: MachineCpuSample | undefined,
  end: MachineCpuSample | undefined,
): number | undefined {
  if (!start || !end || end.totalTicks <= start.totalTicks) return undefined;
  return ((end.irqTicks - start.irqTicks) / (end.totalTicks - start.totalTicks)) * 100;
}

/** A process's CPU over a window, in % of one core. */
export class ProcessCpuMeter {
  readonly #read: () => number | undefined;
  #start: { cpuMs: number; at: number } | undefined;

  constructor(read: () => number | undefined) {
    this.#read = read;
  }

  static forPid(pid: number | undefined): ProcessCpuMeter {
    return new ProcessCpuMeter(() => processCpuMs(pid));
  }

  start(): void {
    const cpuMs = this.#read();
    this.#start = cpuMs === undefined ? undefined : { cpuMs, at: performance.now() };
  }

  percent(): number | undefined {
    const cpuMs = this.#read();
    if (!this.#start || cpuMs === undefined) return undefined;
    return ((cpuMs - this.#start.cpuMs) / (performance.now() - this.#start.at)) * 100;
  }
}

/**
 * CPU so far of every descendant of `rootPid` whose command name matches, in ms: e.g. the Chromium
 * processes the benchmark launched, which Playwright does not hand out the pids of.
 */
export function descendantsCpuMs(rootPid: number, name: RegExp): number {
  const parents = new Map<number, { ppid: number; comm: string }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), { ppid, comm });
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  for (const [pid, { comm }] of parents) {
    if (!name.test(comm)) continue;
    for (
      let p = parents.get(pid)?.ppid, hops = 0;
      p !== undefined && p > 1 && hops < 20;
      p = parents.get(p)?.ppid, hops++
    ) {
      if (p === rootPid) {
        total += processCpuMs(pid) ?? 0;
        break;
      }
    }
  }
  return total;
}

/** How busy the whole machine is over the next `durationMs` (all cores, 0-100): a shared machine's load skews every timing. */
export async function machineBusyOver(durationMs: number): Promise<number | undefined> {
  const start = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  return machineBusyPercent(start, machineCpu());
}

/**
 * Tracks how much of the machine's CPU went to work outside this process and its descendants
 * (server, media workers, browsers, viewer processes): other people's work on a shared machine.
 */
export class OutsideCpuMeter {
  #start: { machine: MachineCpuSample; ownMs: number } | undefined;

  start(): void {
    const machine = machineCpu();
    this.#start = machine ? { machine, ownMs: ownTreeCpuMs() } : undefined;
  }

  /** Busy share of all cores not ours since start(), 0-100; undefined without /proc. */
  percent(): number | undefined {
    const machine = machineCpu();
    if (!this.#start || !machine || machine.totalTicks <= this.#start.machine.totalTicks) return undefined;
    const elapsedMs = ((machine.totalTicks - this.#start.machine.totalTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
    const busyMs = ((machine.busyTicks - this.#start.machine.busyTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
    const ownMs = ownTreeCpuMs() - this.#start.ownMs;
    // Interrupt time our traffic causes is not in any process's account: it counts as outside here.
    return Math.max(0, ((busyMs - ownMs) / elapsedMs) * 100);
  }
}

function ownTreeCpuMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + descendantsCpuMs(process.pid, /./);
}
