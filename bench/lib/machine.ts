// Describes the machine a benchmark ran on. Numbers without the hardware behind them can't be
// compared, so every result carries this.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';

export interface MachineInfo {
  cpuModel: string;
  /** Cores this process may use (what Node and mediasoup's default worker count see). */
  cores: number;
  ramGiB: number;
  node: string;
  os: string;
  kernel: string;
}

export interface SourceInfo {
  /** Short commit hash, or undefined outside a git checkout. */
  commit: string | undefined;
  /** Uncommitted changes were present: the numbers may not belong to that commit alone. */
  dirty: boolean;
  /**
   * What made it dirty, as `git status --porcelain` lines (modified, staged, and untracked files
   * that are not ignored: an untracked helper changes what runs as much as an edit does). At most
   * MAX_CHANGES_LISTED, for the record and the refusal message.
   */
  changes: string[];
}

const MAX_CHANGES_LISTED = 20;

export async function describeMachine(): Promise<MachineInfo> {
  return {
    cpuModel: (await cpuModelFromProc()) ?? os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: (await osPrettyName()) ?? `${os.type()} ${os.release()}`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** One line for humans: "AMD EPYC 7B13 · 2 cores · 23.5 GiB RAM · Node v20.20.2 · Debian 12". */
export function formatMachine(m: MachineInfo): string {
  return `${m.cpuModel} · ${m.cores} cores · ${m.ramGiB} GiB RAM · Node ${m.node} · ${m.os}`;
}

// os.cpus() reports the same, but /proc/cpuinfo is the documented source and also works for
// CPUs whose model Node can't read; ARM kernels name the field differently.
async function cpuModelFromProc(): Promise<string | undefined> {
  const text = await readOptional('/proc/cpuinfo');
  const match = text?.match(/^(?:model name|Model|Hardware|cpu model)\s*:\s*(.+)$/m);
  return match?.[1]?.trim().replace(/\s+/g, ' ');
}

async function osPrettyName(): Promise<string | undefined> {
  const text = await readOptional('/etc/os-release');
  const match = text?.match(/^PRETTY_NAME=(?:"([^"]*)"|(.*))$/m);
  return (match?.[1] ?? match?.[2])?.trim() || undefined;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined; // not Linux, or a sandbox hiding it: the os module's answer will do
  }
}

/** The page of figures (bench/lib/markdown.ts writes it), relative to the repository. */
const BENCHMARKS_PAGE = 'docs/benchmarks.md';

export async function describeSource(repoRoot: string): Promise<SourceInfo> {
  const run = promisify(execFile);
  try {
    const { stdout: commit } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot });
    const { stdout: status } = await run('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    // The page the benchmarks write is not what they measure: one run's section must not make the
    // next run's tree count as changed, or a series of runs on one commit could never be written.
    const changes = status.split('\n').filter((line) => line.trim() !== '' && !line.endsWith(` ${BENCHMARKS_PAGE}`));
    return { commit: commit.trim(), dirty: changes.length > 0, changes: changes.slice(0, MAX_CHANGES_LISTED) };
  } catch {
    return { commit: undefined, dirty: false, changes: [] }; // a tarball or no git installed
  }
}
