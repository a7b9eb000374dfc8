// Opens the platform database: PostgreSQL when DATABASE_URL is set, otherwise an embedded PGlite
// database in the data folder (or in memory, for tests). Either way the caller gets a Prisma client
// on a driver adapter (no native query engine) and migrations already applied.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../../prisma/generated/client.ts';
import type { Logger } from '../logger.ts';
import { applyMigrations, type MigrationTarget } from './migrate.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { keepDatabaseFolderPrivate, makeFolderPrivate } from './private-folder.ts';

export { PrismaClient };

export type DatabaseOptions =
  | { kind: 'postgresql'; url: string }
  /** dir undefined: in memory, gone when closed. */
  | { kind: 'pglite'; dir?: string };

export interface Database {
  readonly kind: DatabaseOptions['kind'];
  readonly prisma: PrismaClient;
  /** Round-trip time of a trivial query, in milliseconds; throws when the database is unreachable. */
  ping(): Promise<number>;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions, logger: Logger): Promise<Database> {
  return options.kind === 'postgresql' ? openPostgres(options.url, logger) : openPGlite(options.dir, logger);
}

async function openPostgres(url: string, logger: Logger): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next query gets a fresh connection.
  pool.on('error', (error) => logger.warn({ err: error }, 'postgresql connection lost'));
  try {
    await applyMigrations(postgresTarget(pool), logger);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: 'postgresql',
    prisma,
    ping: () => timed(() => pool.query('SELECT 1')),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPGlite(dir: string | undefined, logger: Logger): Promise<Database> {
  let lock: DataDirLock | undefined;
  if (dir) {
    keepDatabaseFolderPrivate(dir, logger);
    // PGlite is a single-process database: a second process on the same folder would corrupt it.
    lock = acquireDataDirLock(dir);
  }
  let client: PGlite | undefined;
  try {
    client = new PGlite(dir ? path.resolve(dir) : undefined);
    await client.waitReady;
    await applyMigrations(pgliteTarget(client), logger);
    // PGlite created its files 0666; the folder keeps others out, and now the files do too.
    if (dir) makeFolderPrivate(dir);
  } catch (error) {
    await client?.close().catch(() => undefined);
    lock?.release();
    throw error;
  }
  const pglite = client;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  // PGlite has no autovacuum: without statistics its planner hashes whole tables (the discovery
  // queries took 15 ms instead of 1.7). Analyze at start, then hourly, as autovacuum would.
  const analyze = () =>
    pglite
      .exec('VACUUM ANALYZE')
      .catch((error: unknown) => logger.warn({ err: error }, 'PGlite VACUUM ANALYZE failed'));
  await analyze();
  const maintenance = setInterval(() => void analyze(), 3_600_000);
  maintenance.unref();
  return {
    kind: 'pglite',
    prisma,
    ping: () => timed(() => pglite.query('SELECT 1')),
    async close() {
      clearInterval(maintenance);
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
      lock?.release();
    },
  };
}

/** Migrations run on one pooled connection inside BEGIN/COMMIT (exported for the migration tests). */
export function postgresTarget(pool: pg.Pool): MigrationTarget {
  return {
    async inTransaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          exec: async (sql) => void (await client.query(sql)),
          query: async (sql, params) => (await client.query(sql, params)).rows,
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

export function pgliteTarget(pglite: PGlite): MigrationTarget {
  return {
    inTransaction: (work) =>
      pglite.transaction((tx) =>
        work({
          exec: async (sql) => void (await tx.exec(sql)),
          query: async (sql, params) => (await tx.query<Record<string, unknown>>(sql, params)).rows,
        }),
      ),
  };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return Math.round((performance.now() - start) * 100) / 100;
}
