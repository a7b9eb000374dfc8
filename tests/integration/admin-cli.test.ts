// The operator CLI as an operator runs it: a separate process, JSON on stdout, one `error:` line on
// stderr and a non-zero exit code when something is wrong. Without a server it opens the database
// itself; with a server running on the embedded database it must go through the admin socket,
// because PGlite allows a single process.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type PrismaClient } from '../../common/db/database.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { postgresTarget } from '../support/databases.ts';
import { testLogger } from '../support/logger.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function expectSuccess(result: CliResult): void {
  expect(result.stderr, `cli failed with code ${result.code}`).toBe('');
  expect(result.code).toBe(0);
}

/** The one-line failure contract: nothing on stdout, a single `error: ...` line on stderr. */
function expectFailure(result: CliResult, code: 1 | 2, message: RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^error: /)]);
  expect(result.stderr).toMatch(message);
}

/** Every value of every table, as text: where a leaked secret would show up. */
async function everythingStored(prisma: PrismaClient): Promise<string> {
  const tables = await prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  expect(tables.map((t) => t.name)).toContain('StreamKey');
  const dumps = await Promise.all(
    tables.map((t) =>
      prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${t.name}" t`),
    ),
  );
  return dumps
    .flat()
    .map((d) => d.row)
    .join('\n');
}

/** The files under dir that contain needle. */
function filesContain(dir: string, needle: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => fs.readFileSync(file).includes(needle));
}

/** A place for the CLI to work in direct mode, and a way for the test to look at what it stored. */
interface DirectMode {
  name: string;
  setUp(): Promise<{
    env: Record<string, string>;
    /** The embedded database's folder, to search its files; undefined for PostgreSQL. */
    databaseFiles?: string;
    open(): Promise<Database>;
    dispose(): Promise<void>;
  }>;
}

const embedded: DirectMode = {
  name: 'embedded PGlite',
  async setUp() {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-cli-'));
    return {
      // Empty rather than absent: it also masks a DATABASE_URL from a developer's .env.
      env: { DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', PUBLIC_URL: 'https://live.example.com' },
      databaseFiles: path.join(dataDir, 'pglite'),
      open: () => openDatabase({ kind: 'pglite', dir: path.join(dataDir, 'pglite') }, testLogger),
      dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

const postgresql = (serverUrl: string): DirectMode => ({
  name: 'PostgreSQL',
  async setUp() {
    const database = await postgresTarget(serverUrl).create();
    const url = database.options.kind === 'postgresql' ? database.options.url : '';
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-cli-'));
    return {
      env: { DATA_DIR: dataDir, DATABASE_URL: url, REDIS_URL: '', PUBLIC_URL: 'https://live.example.com' },
      open: () => openDatabase(database.options, testLogger),
      async dispose() {
        fs.rmSync(dataDir, { recursive: true, force: true });
        await database.dispose();
      },
    };
  },
});

const directModes = process.env.DATABASE_URL ? [embedded, postgresql(process.env.DATABASE_URL)] : [embedded];

describe.each(directModes)('admin CLI without a running server ($name)', (mode) => {
  let place: Awaited<ReturnType<DirectMode['setUp']>>;
  const cli = (...args: string[]) => runCli(args, { env: place.env });

  beforeEach(async () => {
    place = await mode.setUp();
  });
  afterEach(async () => {
    await place.dispose();
  });

  it('creates a user, a channel and a stream key, stores only the key hash, and revokes the key', async () => {
    const user = await cli(
      'user',
      'create',
      '--email',
      'Ada@Example.com',
      '--password',
      'correct horse',
      '--name',
      'Ada',
    );
    expectSuccess(user);
    expect(user.json).toMatchObject({ id: expect.stringMatching(UUID), email: 'ada@example.com', name: 'Ada' });
    const userId = (user.json as { id: string }).id;

    const channel = await cli(
      'channel',
      'create',
      '--owner',
      'ada@example.com',
      '--slug',
      'ada-live',
      '--title',
      'Ada live',
    );
    expectSuccess(channel);
    expect(channel.json).toMatchObject({
      id: expect.stringMatching(UUID),
      slug: 'ada-live',
      title: 'Ada live',
      ownerId: userId,
    });

    const issued = await cli('stream-key', 'create', '--channel', 'ada-live');
    expectSuccess(issued);
    const { key, whipUrl } = issued.json as { key: string; whipUrl: string };
    expect(key).toMatch(/^live_[A-Za-z0-9_-]{27}$/);
    expect(whipUrl).toBe('https://live.example.com/api/whip');

    const database = await place.open();
    try {
      const rows = await database.prisma.streamKey.findMany({ where: { channel: { slug: 'ada-live' } } });
      expect(rows).toEqual([expect.objectContaining({ keyHash: sha256(key), revokedAt: null })]);
      const stored = await everythingStored(database.prisma);
      expect(stored).toContain(sha256(key)); // the dump does cover the stream keys
      expect(stored).not.toContain(key);
    } finally {
      await database.close();
    }
    if (place.databaseFiles) {
      // Not in a row, and not in the database files either (pages, WAL).
      expect(filesContain(place.databaseFiles, sha256(key)).length).toBeGreaterThan(0);
      expect(filesContain(place.databaseFiles, key)).toEqual([]);
    }

    const revoked = await cli('stream-key', 'revoke', '--channel', 'ada-live');
    expectSuccess(revoked);
    expect(revoked.json).toEqual({ channel: 'ada-live', revoked: 1 });

    // DJ mode on and off; a bitrate Opus can't carry is refused and changes nothing.
    const dj = await cli('channel', 'update', '--slug', 'ada-live', '--mode', 'dj', '--audio-kbps', '320');
    expectSuccess(dj);
    expect(dj.json).toEqual({ slug: 'ada-live', mode: 'dj', audioKbps: 320 });
    expectFailure(
      await cli('channel', 'update', '--slug', 'ada-live', '--mode', 'default', '--audio-kbps', '600'),
      1,
      /audio-kbps must be a whole number of kbit\/s from 128 to 510; got '600'/,
    );
    const back = await cli('channel', 'update', '--slug', 'ada-live', '--mode', 'default');
    expectSuccess(back);
    expect(back.json).toEqual({ slug: 'ada-live', mode: 'default', audioKbps: 320 });

    const reopened = await place.open();
    try {
      const row = await reopened.prisma.streamKey.findUniqueOrThrow({ where: { keyHash: sha256(key) } });
      expect(row.revokedAt).toBeInstanceOf(Date);
    } finally {
      await reopened.close();
    }
  });

  it('fails with exit code 1 for a channel that does not exist', async () => {
    expectFailure(
      await cli('stream-key', 'create', '--channel', 'nobody-here'),
      1,
      /Channel 'nobody-here' does not exist/,
    );
  });

  it('fails with exit code 1 for an email already taken, and creates nothing', async () => {
    expectSuccess(await cli('user', 'create', '--email', 'grace@example.com', '--password', 'first password'));
    // Another case of the same address is the same address.
    const again = await cli(
      'user',
      'create',
      '--email',
      'GRACE@example.com',
      '--password',
      'second password',
      '--name',
      'Impostor',
    );
    expectFailure(again, 1, /already exists/);

    const database = await place.open();
    try {
      const users = await database.prisma.user.findMany();
      expect(users.map((u) => [u.email, u.name])).toEqual([['grace@example.com', 'grace']]);
    } finally {
      await database.close();
    }
  });
});

describe('admin CLI argument errors', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-cli-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    [['user', 'create', '--email', 'a@example.com'], /needs --password/],
    [['channel', 'create', '--owner', 'a@example.com', '--slug', 'abc', '--colour', 'red'], /has no option --colour/],
    [['stream-key', 'create', '--channel'], /--channel needs a value/],
    [['stream', 'start'], /unknown command 'stream start'/],
  ])('%j exits with code 2 and one error line, without touching the database', async (args, message) => {
    expectFailure(await runCli(args, { env: { DATA_DIR: dataDir, DATABASE_URL: '' } }), 2, message);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('exits with code 2 for a bad configuration, naming the variable', async () => {
    expectFailure(
      await runCli(['stream-key', 'create', '--channel', 'abc'], {
        env: { DATA_DIR: dataDir, DATABASE_URL: 'mysql://db/x' },
      }),
      2,
      /DATABASE_URL must start with postgres/,
    );
  });
});

describe('admin CLI with a running server on the embedded database', () => {
  let platform: TestPlatform;
  const cli = (...args: string[]) =>
    runCli(args, { env: { DATA_DIR: platform.dataDir, DATABASE_URL: '', REDIS_URL: '' } });

  beforeAll(async () => {
    // No media workers: the admin socket needs only the api role.
    platform = await startTestPlatform({ ROLES: 'api,web' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('goes through the admin socket while the server holds the database lock', async () => {
    // Opening the folder directly would fail: the server owns it.
    expect(fs.readFileSync(`${path.join(platform.dataDir, 'pglite')}.lock`, 'utf8')).toBe(String(process.pid));
    const prisma = platform.database!.prisma;

    const user = await cli('user', 'create', '--email', 'linus@example.com', '--password', 'correct horse');
    expectSuccess(user);
    const userId = (user.json as { id: string }).id;
    expect(await prisma.user.findUnique({ where: { id: userId } })).toMatchObject({
      email: 'linus@example.com',
      role: 'viewer',
    });

    expectSuccess(await cli('channel', 'create', '--owner', 'linus@example.com', '--slug', 'kernel-live'));
    const channel = await prisma.channel.findUniqueOrThrow({
      where: { slug: 'kernel-live' },
      include: { owner: true },
    });
    expect(channel.ownerId).toBe(userId);
    expect(channel.owner.role).toBe('creator');

    const issued = await cli('stream-key', 'create', '--channel', 'kernel-live');
    expectSuccess(issued);
    const { key, whipUrl } = issued.json as { key: string; whipUrl: string };
    expect(key).toMatch(/^live_/);
    expect(whipUrl.endsWith('/api/whip')).toBe(true);
    expect(await prisma.streamKey.findUnique({ where: { keyHash: sha256(key) } })).toMatchObject({
      channelId: channel.id,
      revokedAt: null,
    });

    const revoked = await cli('stream-key', 'revoke', '--channel', 'kernel-live');
    expectSuccess(revoked);
    expect(revoked.json).toEqual({ channel: 'kernel-live', revoked: 1 });
    expect(await prisma.streamKey.count({ where: { channelId: channel.id, revokedAt: null } })).toBe(0);
  });

  it('hands out a WHIP URL on the port the server really listens on', async () => {
    const user = await cli('user', 'create', '--email', 'whip-port@example.com', '--password', 'correct horse');
    expectSuccess(user);
    expectSuccess(await cli('channel', 'create', '--owner', 'whip-port@example.com', '--slug', 'whip-port'));
    const issued = await cli('stream-key', 'create', '--channel', 'whip-port');
    expectSuccess(issued);
    // PORT=0: the configured public URL names port 0, which nobody can reach.
    expect((issued.json as { whipUrl: string }).whipUrl).toBe(`${platform.url}/api/whip`);
  });

  it('reports the server refusing a command as one error line and exit code 1', async () => {
    expectSuccess(await cli('user', 'create', '--email', 'dup@example.com', '--password', 'correct horse'));
    expectFailure(
      await cli('user', 'create', '--email', 'dup@example.com', '--password', 'correct horse'),
      1,
      /already exists/,
    );
    expect(await platform.database!.prisma.user.count({ where: { email: 'dup@example.com' } })).toBe(1);

    expectFailure(
      await cli('stream-key', 'revoke', '--channel', 'no-such-channel'),
      1,
      /Channel 'no-such-channel' does not exist/,
    );
  });
});
