// Fails when prisma/schema.prisma and prisma/migrations disagree: the Prisma client is generated
// from the schema, but databases are built from the migrations, so a model change without its
// migration (or a hand-edited migration) would only show up as query errors at run time.
//
// Method: build one database from the SQL Prisma derives from the schema, one from the committed
// migrations, and compare what the catalogs of the two say.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../common/db/migrate.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The SQL that creates, from nothing, the database schema.prisma describes. */
async function sqlImpliedBySchema(): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/.bin/prisma'),
      'migrate',
      'diff',
      '--from-empty',
      '--to-schema-datamodel',
      'prisma/schema.prisma',
      '--script',
    ],
    {
      cwd: ROOT,
      // The datasource needs a URL to parse, never to connect: the diff runs on the schema alone.
      env: { ...process.env, DATABASE_URL: 'postgresql://localhost/unused', CHECKPOINT_DISABLE: '1' },
      timeout: 50_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout;
}

/**
 * One line per schema object, sorted, so two catalogs compare as two lists. NOT NULL constraints
 * (PostgreSQL 18 lists them in pg_constraint) are left to the column lines. Columns are compared
 * by name, not position (a migration adds a column at the end, the schema may list it anywhere),
 * and enum labels as a set (`ALTER TYPE ... ADD VALUE` appends) for the same reason.
 */
async function catalogSnapshot(db: PGlite): Promise<string[]> {
  const lines: string[] = [];
  const rows = async (sql: string) => (await db.query<Record<string, unknown>>(sql)).rows;

  for (const row of await rows(`
    SELECT c.relname AS table_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`)) {
    lines.push(`table ${row.table_name}`);
  }
  for (const row of await rows(`
    SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_value
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
      AND a.attnum > 0 AND NOT a.attisdropped`)) {
    const nullability = row.not_null ? 'NOT NULL' : 'NULL';
    const fallback = row.default_value === null ? '' : ` DEFAULT ${row.default_value}`;
    lines.push(`column ${row.table_name}.${row.column_name} ${row.type} ${nullability}${fallback}`);
  }
  for (const row of await rows(`
    SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`)) {
    lines.push(`index ${row.indexdef}`);
  }
  for (const row of await rows(`
    SELECT c.conrelid::regclass::text AS table_name, c.conname, pg_get_constraintdef(c.oid) AS definition
    FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE n.nspname = 'public' AND c.conrelid <> 0 AND c.conrelid::regclass::text <> '"_prisma_migrations"'
      AND c.contype <> 'n'`)) {
    lines.push(`constraint ${row.table_name}.${row.conname} ${row.definition}`);
  }
  for (const row of await rows(`
    SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumlabel) AS labels
    FROM pg_type t
    JOIN pg_enum e ON e.enumtypid = t.oid
    JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public'
    GROUP BY t.typname`)) {
    lines.push(`enum ${row.typname} (${(row.labels as string[]).join(', ')})`);
  }
  return lines.sort();
}

describe('schema drift', () => {
  const databases: PGlite[] = [];
  afterAll(async () => {
    for (const db of databases) await db.close();
  });

  it('prisma/schema.prisma and prisma/migrations describe the same database', async () => {
    const fromSchema = new PGlite();
    const fromMigrations = new PGlite();
    databases.push(fromSchema, fromMigrations);

    await fromSchema.exec(await sqlImpliedBySchema());
    for (const migration of readMigrations()) await fromMigrations.exec(migration.sql);

    const expected = await catalogSnapshot(fromSchema);
    const actual = await catalogSnapshot(fromMigrations);
    // Guard against a snapshot query that silently matches nothing on either side.
    expect(expected.filter((line) => line.startsWith('table '))).toContain('table User');

    const drift = [
      ...expected.filter((line) => !actual.includes(line)).map((line) => `schema.prisma only:    ${line}`),
      ...actual.filter((line) => !expected.includes(line)).map((line) => `prisma/migrations only: ${line}`),
    ];
    expect(
      drift,
      'schema.prisma and the migrations disagree: create a migration for the schema change (npm run db:migration -- <name>) ' +
        'instead of editing an applied one',
    ).toEqual([]);
  });
});
