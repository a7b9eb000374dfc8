// Starts the whole platform in the test process, as server.ts does, on a free port and a fresh
// data folder. The configuration comes only from the overrides given here, never from the test
// process's environment, so a test states every setting it depends on.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { openDatabase } from '../../common/db/database.ts';
import { startPlatform, type Platform } from '../../platform.ts';
import type { DatabaseTarget } from './databases.ts';
import { testLogger } from './logger.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB_TEST_DIST = path.join(ROOT, 'web/dist-test');

/**
 * A migrated, empty embedded database, made once for a set of migrations and copied into each
 * fresh data folder. Creating a PGlite database and migrating it is about half of a platform's
 * start (1.5 of 3 s here), and the suite starts the platform about a hundred times. The copy is
 * what the platform itself would have made: the start still checks the migrations against it.
 */
async function migratedDatabaseTemplate(): Promise<string> {
  const migrations = path.join(ROOT, 'prisma/migrations');
  const hash = createHash('sha256');
  for (const entry of fs.readdirSync(migrations, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    hash.update(path.relative(migrations, file)).update(fs.readFileSync(file));
  }
  const pglite = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'));
  hash.update(String(pglite.version));
  const template = path.join(os.tmpdir(), `aethex-test-pglite-${hash.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(template)) return template;
  // Made aside and renamed into place, so a test file running beside never copies a half-made one.
  const making = `${template}.${process.pid}`;
  const database = await openDatabase({ kind: 'pglite', dir: making }, testLogger);
  await database.close();
  try {
    fs.renameSync(making, template);
  } catch {
    fs.rmSync(making, { recursive: true, force: true }); // another process made it first
  }
  return template;
}

export interface TestPlatform extends Platform {
  /** The fresh data folder; removed by close(). */
  readonly dataDir: string;
}

/**
 * Defaults: a free HTTP port, system-chosen WebRTC ports, one media worker, errors-only logs, the
 * embedded database in a new temp folder. Pass DATABASE_URL, REDIS_URL, ROLES... to change them.
 */
export async function startTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  // A folder given by the caller is theirs to clean up; the one made here is ours.
  const ownDataDir =
    env.DATA_DIR === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-platform-')) : undefined;
  const removeDataDir = () => {
    if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
  };
  try {
    if (ownDataDir && env.DATABASE_URL === undefined)
      fs.cpSync(await migratedDatabaseTemplate(), path.join(ownDataDir, 'pglite'), { recursive: true });
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        PORT: '0',
        RTC_PORT: '0',
        MEDIA_WORKERS: '1',
        LOG_LEVEL: 'error',
        DATA_DIR: ownDataDir ?? '',
        // The test build (npm run build:web:test), whose pages let tests look inside; WEB_DIST_DIR
        // names another build (vite build --outDir ...) while working on pages.
        WEB_DIST_DIR: process.env.WEB_DIST_DIR ?? WEB_TEST_DIST,
        ...env,
      },
      [],
    );
    const platform = await startPlatform(config, testLogger);
    let closing: Promise<void> | undefined;
    return {
      ...platform,
      dataDir: config.dataDir,
      close: () => (closing ??= platform.close().finally(removeDataDir)),
    };
  } catch (error) {
    removeDataDir();
    throw error;
  }
}

/**
 * For a describe block: starts the platform on a fresh database of `target` before its tests
 * (PostgreSQL: `DATABASE_URL` of a new database), hands it to `use`, and closes both after.
 */
export function startPlatformOn(
  target: DatabaseTarget,
  env: Record<string, string>,
  use: (platform: TestPlatform) => void,
): void {
  let platform: TestPlatform | undefined;
  let dispose: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    const databaseEnv: Record<string, string> =
      created.options.kind === 'postgresql' ? { DATABASE_URL: created.options.url } : {};
    platform = await startTestPlatform({ ...env, ...databaseEnv });
    use(platform);
  });
  afterAll(async () => {
    await platform?.close();
    await dispose?.();
  });
}
