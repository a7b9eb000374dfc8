// The embedded database holds every account and password hash: its folder is the server user's
// alone (0700, files 0600), whether it is new or was left open by an older version.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../common/db/database.ts';

/** Every path under `dir` (itself included) whose mode lets other users in. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const visit = (target: string) => {
    const stat = fs.lstatSync(target);
    if ((stat.mode & 0o077) !== 0)
      found.push(`${path.relative(dir, target) || '.'} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(target)) visit(path.join(target, entry));
  };
  visit(dir);
  return found;
}

/** A logger whose warnings the test can read. */
function recordingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), warnings: () => lines.filter((line) => line.level === 40) };
}

describe('the embedded database folder', () => {
  let root: string;
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is created owner-only, files included', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-dbfolder-'));
    const dir = path.join(root, 'pglite');
    const { logger, warnings } = recordingLogger();
    const database = await openDatabase({ kind: 'pglite', dir }, logger);
    await database.close();

    expect(fs.readdirSync(dir).length).toBeGreaterThan(10);
    expect(openToOthers(dir)).toEqual([]);
    expect(warnings()).toEqual([]);
  });

  it('left open by an older version, is made owner-only at start and the log says so', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-dbfolder-'));
    const dir = path.join(root, 'pglite');
    const first = await openDatabase({ kind: 'pglite', dir }, pino({ level: 'silent' }));
    await first.close();
    // As the first wave left it: the folder 0755, PGlite's files 0666 (pg_hba.conf and the WAL too).
    fs.chmodSync(dir, 0o755);
    for (const file of ['pg_hba.conf', 'PG_VERSION']) fs.chmodSync(path.join(dir, file), 0o666);

    const { logger, warnings } = recordingLogger();
    const database = await openDatabase({ kind: 'pglite', dir }, logger);
    await database.close();

    expect(openToOthers(dir)).toEqual([]);
    expect(warnings().map((line) => line.msg)).toEqual([expect.stringContaining('owner-only now')]);
  });
});
