// Prisma CLI configuration. The "js" engine uses Prisma's wasm schema engine, so `prisma generate`
// and `prisma migrate diff` run without downloading a native engine (the machines we target reach
// only the npm registry). The adapter is only used by CLI commands that need a database (the
// shadow database of `migrate diff --from-migrations`); the application applies migrations itself
// (common/db/migrate.ts).
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { defineConfig } from 'prisma/config';

/**
 * pglite-prisma-adapter 0.6 runs a migration script without awaiting it, so the schema engine
 * sees its errors too late (or as "multiple commands in a prepared statement"). This runs the
 * whole script with PGlite's multi-statement exec and awaits it.
 */
function pgliteWithScripts(): PrismaPGlite {
  const factory = new PrismaPGlite(new PGlite());
  type Adapter = Awaited<ReturnType<PrismaPGlite['connect']>>;
  const withAwaitedScripts = async (adapter: Adapter, db: PGlite) => {
    adapter.executeScript = async (script: string) => void (await db.exec(script));
    // The schema engine also sends whole migration files as one parameterless "raw" statement.
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      if (query.args.length > 0) return executeRaw(query);
      const results = await db.exec(query.sql);
      return results.at(-1)?.affectedRows ?? 0;
    };
    return adapter;
  };
  const shadow = new PGlite();
  factory.connectToShadowDb = async () => withAwaitedScripts(await new PrismaPGlite(shadow).connect(), shadow);
  return factory;
}

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return pgliteWithScripts();
  },
});
