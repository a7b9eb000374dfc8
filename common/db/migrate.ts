// Applies the committed SQL migrations in prisma/migrations, in name order, each once. We run them
// ourselves because Prisma's CLI can't migrate a real PostgreSQL offline (see docs/architecture.md).
// The bookkeeping table is Prisma's own `_prisma_migrations`, with the same checksums, so
// `prisma migrate status` and `deploy` stay usable by operators who have the native engine.
//
// Everything runs in one transaction behind an advisory lock: two processes starting at once
// serialize, and the second finds the work done. PostgreSQL DDL is transactional, so a failing
// migration leaves the database as it was.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

/** Arbitrary constant shared by every AeThex process: the key of the migration advisory lock. */
const MIGRATION_LOCK_KEY = 0x4165_5468; // "AeTh"

export interface SqlSession {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

export interface MigrationTarget {
  inTransaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Applies pending migrations; returns the names applied by this call. */
export async function applyMigrations(
  target: MigrationTarget,
  logger: Logger,
  migrations = readMigrations(),
): Promise<string[]> {
  return target.inTransaction(async (db) => {
    await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const rows = await db.query(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Map(rows.map((row) => [String(row.migration_name), String(row.checksum)]));

    for (const [name, checksum] of applied) {
      const known = migrations.find((m) => m.name === name);
      if (known && known.checksum !== checksum) {
        throw new MigrationError(
          `Migration ${name} was changed after it was applied to this database. Restore the committed file and add a new migration instead.`,
        );
      }
    }

    const appliedNow: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.name)) continue;
      try {
        await db.exec(migration.sql);
      } catch (error) {
        throw new MigrationError(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      await db.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      appliedNow.push(migration.name);
    }
    if (appliedNow.length > 0) logger.info({ migrations: appliedNow }, 'database migrated');
    return appliedNow;
  });
}
