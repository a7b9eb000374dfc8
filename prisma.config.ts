// Prisma CLI configuration. The "js" engine uses Prisma's wasm schema engine, so `prisma generate`
// and `prisma migrate diff` run without downloading a native engine (the machines we target reach
// only the npm registry). The adapter is only used by CLI commands that need a database; the
// application applies migrations itself (common/db/migrate.ts).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return new PrismaPGlite(new PGlite());
  },
});
