// The migration runner (common/db/migrate.ts) on each database we support: it applies each
// committed migration exactly once, refuses a migration edited after it was applied, and leaves no
// trace of a migration that fails.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openDatabase,
  pgliteTarget as pgliteMigrationTarget,
  postgresTarget as postgresMigrationTarget,
  type DatabaseOptions,
} from '../../common/db/database.ts';
import {
  applyMigrations,
  MIGRATIONS_DIR,
  MigrationError,
  readMigrations,
  type Migration,
  type MigrationTarget,
} from '../../common/db/migrate.ts';
import { databaseTargets, postgresTarget } from '../support/databases.ts';
import { testLogger } from '../support/logger.ts';

const APP_TABLES = ['User', 'Session', 'Channel', 'StreamKey', 'Stream', 'Follow', 'ChatMessage'];

function migration(name: string, sql: string): Migration {
  return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
}

/**
 * A database opened without openDatabase, so the test can drive applyMigrations itself (through
 * the same transaction wrappers openDatabase uses) and look at the catalog.
 */
interface RawDatabase {
  target: MigrationTarget;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

function openRaw(options: DatabaseOptions): RawDatabase {
  if (options.kind === 'pglite') {
    const pglite = new PGlite(options.dir);
    return {
      target: pgliteMigrationTarget(pglite),
      query: async (sql, params) => (await pglite.query<Record<string, unknown>>(sql, params)).rows,
      close: () => pglite.close(),
    };
  }
  const pool = new pg.Pool({ connectionString: options.url, max: 2 });
  return {
    target: postgresMigrationTarget(pool),
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    close: () => pool.end(),
  };
}

async function tablesOf(db: RawDatabase): Promise<string[]> {
  const rows = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((row) => String(row.table_name));
}

async function migrationRows(db: RawDatabase): Promise<{ name: string; checksum: string; finished: boolean }[]> {
  const rows = await db.query(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
  );
  return rows.map((row) => ({
    name: String(row.migration_name),
    checksum: String(row.checksum),
    finished: row.finished_at !== null,
  }));
}

describe.each(databaseTargets())('migrations on $name', (target) => {
  // Each test gets a brand-new empty database, closed and removed after it.
  let db: RawDatabase;
  let options: DatabaseOptions;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ options, dispose } = await target.create());
    db = openRaw(options);
  });

  afterEach(async () => {
    await db.close();
    await dispose();
  });

  it('applies every committed migration once; a second run applies nothing', async () => {
    const committed = readMigrations();
    expect(committed.length).toBeGreaterThan(0);

    expect(await applyMigrations(db.target, testLogger)).toEqual(committed.map((m) => m.name));
    expect(await applyMigrations(db.target, testLogger)).toEqual([]);

    expect(await tablesOf(db)).toEqual(expect.arrayContaining([...APP_TABLES, '_prisma_migrations']));
    // One finished row per migration, with the SHA-256 of the file as committed: what Prisma's own
    // `migrate status` compares, so operators can still use it.
    const expected = committed.map((m) => ({
      name: m.name,
      checksum: createHash('sha256')
        .update(fs.readFileSync(path.join(MIGRATIONS_DIR, m.name, 'migration.sql')))
        .digest('hex'),
      finished: true,
    }));
    expect(await migrationRows(db)).toEqual(expected);
  });

  it('refuses a migration whose file changed after it was applied, and changes nothing', async () => {
    await applyMigrations(db.target, testLogger, [migration('001_notes', 'CREATE TABLE notes (id int);')]);

    const edited = [
      migration('001_notes', 'CREATE TABLE notes (id int, body text);'),
      migration('002_tags', 'CREATE TABLE tags (id int);'),
    ];
    const attempt = applyMigrations(db.target, testLogger, edited);
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/Migration 001_notes was changed after it was applied/);

    expect(await tablesOf(db)).toEqual(['_prisma_migrations', 'notes']);
    const columns = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'notes'`);
    expect(columns.map((c) => c.column_name)).toEqual(['id']);
    expect((await migrationRows(db)).map((row) => row.name)).toEqual(['001_notes']);
  });

  it('leaves no trace of a migration that fails halfway through its file', async () => {
    await applyMigrations(db.target, testLogger, [migration('001_notes', 'CREATE TABLE notes (id int);')]);

    const broken = migration(
      '002_broken',
      `CREATE TABLE tags (id int);
       INSERT INTO notes VALUES (1);
       ALTER TABLE notes ADD COLUMN body text;
       SELECT * FROM no_such_table;`,
    );
    const attempt = applyMigrations(db.target, testLogger, [
      migration('001_notes', 'CREATE TABLE notes (id int);'),
      broken,
    ]);
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/Migration 002_broken failed: .*no_such_table/);

    // The statements before the failing one are rolled back with it.
    expect(await tablesOf(db)).toEqual(['_prisma_migrations', 'notes']);
    expect(await db.query('SELECT * FROM notes')).toEqual([]);
    const columns = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'notes'`);
    expect(columns.map((c) => c.column_name)).toEqual(['id']);
    expect((await migrationRows(db)).map((row) => row.name)).toEqual(['001_notes']);
  });

  it('applies all pending migrations of one run or none of them', async () => {
    const attempt = applyMigrations(db.target, testLogger, [
      migration('001_notes', 'CREATE TABLE notes (id int);'),
      migration('002_broken', 'CREATE TABLE tags (id int); SELECT 1/0;'),
    ]);
    await expect(attempt).rejects.toThrow(/Migration 002_broken failed/);
    // The runner works in one transaction: the good migration before the bad one is undone too, so
    // a half-migrated schema never meets the application.
    expect(await tablesOf(db)).not.toContain('notes');
    expect(await tablesOf(db)).not.toContain('tags');
  });

  it('opens the same database twice through openDatabase without migrating again', async () => {
    // An in-memory PGlite would be a new database on each open; use a folder to reopen the same one.
    const dir = options.kind === 'pglite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-migrations-')) : undefined;
    const reopenable: DatabaseOptions = dir ? { kind: 'pglite', dir: path.join(dir, 'pglite') } : options;
    try {
      const first = await openDatabase(reopenable, testLogger);
      const user = await first.prisma.user.create({
        data: { email: 'twice@example.com', username: 'twice', name: 'Twice', passwordHash: 'x' },
      });
      await first.close();

      const second = await openDatabase(reopenable, testLogger);
      try {
        expect(await second.prisma.user.findUnique({ where: { id: user.id } })).toMatchObject({
          email: 'twice@example.com',
        });
        const rows = await second.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
          'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name',
        );
        expect(rows.map((row) => row.migration_name)).toEqual(readMigrations().map((m) => m.name));
      } finally {
        await second.close();
      }
    } finally {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!process.env.DATABASE_URL)('concurrent migrations on postgresql', () => {
  const disposers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const dispose of disposers) await dispose();
  });

  it('lets several processes start at once on a fresh database: each migration is applied exactly once', async () => {
    const { options, dispose } = await postgresTarget(process.env.DATABASE_URL!).create();
    disposers.push(dispose);
    // Separate pools stand in for separate server processes starting together.
    const pools = Array.from({ length: 4 }, () => openRaw(options));
    try {
      const results = await Promise.all(pools.map((pool) => applyMigrations(pool.target, testLogger)));

      const names = readMigrations().map((m) => m.name);
      // Whoever got the advisory lock first did all the work; the others found it done.
      expect(results.filter((applied) => applied.length > 0)).toEqual([names]);
      const rows = await migrationRows(pools[0]!);
      expect(rows.map((row) => row.name)).toEqual(names);
      expect(await tablesOf(pools[0]!)).toEqual(expect.arrayContaining(APP_TABLES));
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
    }
  });

  it('lets several openDatabase calls race on a fresh database', async () => {
    const { options, dispose } = await postgresTarget(process.env.DATABASE_URL!).create();
    disposers.push(dispose);
    const databases = await Promise.all(Array.from({ length: 3 }, () => openDatabase(options, testLogger)));
    try {
      const rows = await databases[0]!.prisma.$queryRawUnsafe<{ migration_name: string; n: bigint }[]>(
        'SELECT migration_name, count(*) AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name',
      );
      expect(rows.map((row) => [row.migration_name, Number(row.n)])).toEqual(readMigrations().map((m) => [m.name, 1]));
    } finally {
      await Promise.all(databases.map((database) => database.close()));
    }
  });
});
