// Process entry: `npm start` (after scripts/setup.sh) runs this. Reads the configuration, starts
// the roles this process runs (all by default; ROLES=api,signaling or --roles=sfu to split), and
// stops cleanly on SIGINT/SIGTERM.
import fs from 'node:fs';
import { ConfigError, loadConfig } from './common/config.ts';
import { createLogger } from './common/logger.ts';
import { startPlatform } from './platform.ts';

if (fs.existsSync('.env')) process.loadEnvFile('.env');

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\nSee .env.example for every setting and its default.\n`);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger(config.log);
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

let platform;
try {
  platform = await startPlatform(config, logger);
} catch (error) {
  logger.fatal({ err: error }, `could not start: ${(error as Error).message}`);
  logger.flush?.();
  process.exit(1);
}

process.stdout.write(`\n  AeThex Live is running at ${platform.url}\n\n`);

const running = platform;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
