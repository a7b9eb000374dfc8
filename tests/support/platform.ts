// Starts the whole platform in the test process, as server.ts does, on a free port and a fresh
// data folder. The configuration comes only from the overrides given here, never from the test
// process's environment, so a test states every setting it depends on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { startPlatform, type Platform } from '../../platform.ts';
import type { DatabaseTarget } from './databases.ts';
import { testLogger } from './logger.ts';

const WEB_TEST_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist-test');

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
