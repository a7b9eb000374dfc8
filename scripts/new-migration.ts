// `npm run db:migration -- <name>`: writes the SQL that brings a database migrated with
// prisma/migrations up to prisma/schema.prisma, as a new migration folder. Runs offline: Prisma's
// wasm schema engine replays the migrations into an in-memory PGlite shadow database
// (prisma.config.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../common/db/migrate.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]{1,60}$/.test(name)) {
  process.stderr.write('usage: npm run db:migration -- <name>   (lowercase letters, digits and _, e.g. add_vods)\n');
  process.exit(2);
}

const sql = execFileSync(
  path.resolve('node_modules/.bin/prisma'),
  ['migrate', 'diff', '--from-migrations', MIGRATIONS_DIR, '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
  // The CLI wants a URL even though it never connects here; without one it may try to fetch an engine.
  {
    env: { ...process.env, DATABASE_URL: 'postgresql://localhost/unused', CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);

if (!/^\s*(ALTER|CREATE|DROP|COMMENT|INSERT|UPDATE|DELETE)\b/im.test(sql)) {
  process.stdout.write('prisma/schema.prisma and the migrations agree: nothing to write.\n');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const folder = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
fs.mkdirSync(folder);
fs.writeFileSync(path.join(folder, 'migration.sql'), sql);
process.stdout.write(
  `Wrote ${path.relative(process.cwd(), folder)}/migration.sql. Read it, then commit it with the schema change.\n`,
);
