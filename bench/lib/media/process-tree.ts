// Finds processes a server started (its FFmpeg runs, its mediasoup workers) from Linux /proc, for
// benchmarks that account their CPU one by one. The server does not hand out these pids.
import fs from 'node:fs';

export interface ProcessInfo {
  pid: number;
  comm: string;
  /** The command line, arguments joined by spaces. */
  cmdline: string;
}

/** Every descendant of `rootPid` whose command name matches `name`. Empty where there is no /proc. */
export function descendants(rootPid: number, name: RegExp): ProcessInfo[] {
  const parents = new Map<number, { ppid: number; comm: string }>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
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
  const found: ProcessInfo[] = [];
  for (const [pid, { comm }] of parents) {
    if (!name.test(comm)) continue;
    for (
      let p = parents.get(pid)?.ppid, hops = 0;
      p !== undefined && p > 1 && hops < 20;
      p = parents.get(p)?.ppid, hops++
    ) {
      if (p !== rootPid) continue;
      found.push({ pid, comm, cmdline: readCmdline(pid) });
      break;
    }
  }
  return found;
}

function readCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Waits until `rootPid` has no descendant named `name` (e.g. a stream's FFmpeg runs, VOD remux and poster, after it ended). */
export async function waitForNoDescendant(rootPid: number, name: RegExp, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (descendants(rootPid, name).length > 0) {
    if (Date.now() > deadline)
      throw new Error(`processes named ${name} under pid ${rootPid} were still running after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Ends every descendant of `rootPid` (an aborted benchmark's servers, browsers, viewer processes):
 * SIGTERM, then SIGKILL for what is still there after `deadlineMs`. Only processes this harness
 * started, found by pid, never by name. A running scripts/setup.sh and everything under it is
 * left to finish: killing its `npm ci` halfway leaves the checkout without node_modules.
 */
export async function stopDescendants(rootPid: number, deadlineMs: number): Promise<void> {
  const signal = (pids: number[], name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // it ended meanwhile
      }
    }
  };
  const pids = () => {
    const all = descendants(rootPid, /./);
    const setup = new Set(all.filter((p) => /scripts\/setup\.sh/.test(p.cmdline)).map((p) => p.pid));
    // A setup's own descendants are listed with it: anything whose cmdline chain we can't see is
    // judged by its parent, read afresh.
    return all.filter((p) => !setup.has(p.pid) && !underAny(p.pid, setup, rootPid)).map((p) => p.pid);
  };
  signal(pids(), 'SIGTERM');
  const deadline = Date.now() + deadlineMs;
  while (pids().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  signal(pids(), 'SIGKILL');
}

/** Whether `pid` descends from one of `ancestors` (stopping at `rootPid`). */
function underAny(pid: number, ancestors: Set<number>, rootPid: number): boolean {
  for (
    let p = parentOf(pid), hops = 0;
    p !== undefined && p > 1 && p !== rootPid && hops < 20;
    p = parentOf(p), hops++
  ) {
    if (ancestors.has(p)) return true;
  }
  return false;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
