// The embedded database allows one process per folder: two would corrupt it. The lock file beside
// the folder enforces that, and must not strand the folder when its owner dies.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../common/db/database.ts';
import { DataDirLockedError } from '../../common/db/data-dir-lock.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { testLogger } from '../support/logger.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Another process holding the database open, as a running server would. It writes `ready` once
 * the database is open, and closes it and exits when told to on stdin.
 */
class Holder {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(dir: string): Promise<Holder> {
    const script = `
      import { openDatabase } from './common/db/database.ts';
      import { pino } from 'pino';
      const db = await openDatabase({ kind: 'pglite', dir: process.env.HOLD_DIR }, pino({ level: 'silent' }));
      await db.prisma.user.create({ data: { email: 'holder@example.com', username: 'holder', name: 'Holder', passwordHash: '-' } });
      process.stdout.write('ready\\n');
      process.stdin.once('data', async () => {
        await db.close();
        process.exit(0);
      });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, HOLD_DIR: dir },
    });
    const holder = new Holder(child);
    try {
      await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`the holder exited: ${holder.output}`);
          return holder.output.includes('ready');
        },
        { timeoutMs: 30_000, what: 'the holder process to open the database' },
      );
    } catch (error) {
      await holder.kill();
      throw error;
    }
    return holder;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Closes the database cleanly and waits for the process to end. */
  async stop(): Promise<void> {
    this.child.stdin.write('close\n');
    await this.exited;
  }

  /** Dies without cleaning up, like a crash. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('data folder lock', () => {
  let root: string;
  let dir: string;
  let lockFile: string;
  const holders: Holder[] = [];

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-lock-'));
    dir = path.join(root, 'pglite');
    lockFile = `${dir}.lock`;
  });
  afterEach(async () => {
    for (const holder of holders.splice(0)) await holder.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses a second process while the first has the folder open, naming its pid; opens once it closed', async () => {
    const holder = await Holder.start(dir);
    holders.push(holder);

    const attempt = openDatabase({ kind: 'pglite', dir }, testLogger);
    await expect(attempt).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(attempt).rejects.toMatchObject({
      ownerPid: holder.pid,
      message: expect.stringContaining(`pid ${holder.pid}`),
    });
    // The refused attempt left the owner's lock alone.
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(holder.pid));

    await holder.stop();
    expect(fs.existsSync(lockFile)).toBe(false);

    const database = await openDatabase({ kind: 'pglite', dir }, testLogger);
    try {
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
      expect(await database.prisma.user.count({ where: { email: 'holder@example.com' } })).toBe(1);
    } finally {
      await database.close();
    }
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  it('refuses a second open of the same folder within one process', async () => {
    const first = await openDatabase({ kind: 'pglite', dir }, testLogger);
    try {
      // Two PGlite instances on one folder corrupt it whichever process they live in; and closing
      // the second would delete the lock file while the first still has the folder open.
      const outcome = await openDatabase({ kind: 'pglite', dir }, testLogger).then(
        async (second) => {
          await second.close();
          return 'opened a second time';
        },
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(DataDirLockedError);
      expect(outcome).toMatchObject({ ownerPid: process.pid });
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
    } finally {
      await first.close();
    }
  });

  it('takes over the lock of a process that crashed, and its committed data is there', async () => {
    const holder = await Holder.start(dir);
    holders.push(holder);
    await holder.kill();
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(holder.pid));

    const database = await openDatabase({ kind: 'pglite', dir }, testLogger);
    try {
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
      expect(await database.prisma.user.count({ where: { email: 'holder@example.com' } })).toBe(1);
    } finally {
      await database.close();
    }
  });

  it('takes over a stale lock file holding a dead pid, or no pid at all', async () => {
    for (const content of [String(await deadPid()), '', 'not a pid']) {
      fs.writeFileSync(lockFile, content);
      const database = await openDatabase({ kind: 'pglite', dir }, testLogger);
      expect(fs.readFileSync(lockFile, 'utf8'), `lock file containing '${content}'`).toBe(String(process.pid));
      await database.close();
      expect(fs.existsSync(lockFile)).toBe(false);
    }
  });
});
