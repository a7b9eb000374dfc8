// The environment for a server a benchmark starts: the caller's environment, minus whatever would
// make the run measure something else than the default single-process setup, plus isolation (own
// HTTP port, own data folder, system-chosen WebRTC ports).
import os from 'node:os';
import { freeTcpPort } from './ports.ts';

/**
 * Set to empty rather than deleted: server.ts loads a .env file from the repo root, which fills
 * variables that are absent but never overrides one that is set, even to ''. An empty value means
 * "use the default" to the config loader (embedded PGlite, in-process pub/sub, all roles).
 */
const NEUTRALIZED = [
  'DATABASE_URL',
  'REDIS_URL',
  'ROLES',
  'TLS_CERT',
  'TLS_KEY',
  'PUBLIC_URL',
  'RTC_ANNOUNCED_ADDRESS',
] as const;

export interface ServerEnvOptions {
  dataDir: string;
  logLevel?: string;
  /** Defaults to what the server itself would pick: one per core. */
  mediaWorkers?: number;
}

export interface ServerEnv {
  env: NodeJS.ProcessEnv;
  port: number;
  healthUrl: string;
  mediaWorkers: number;
}

export async function serverEnv(options: ServerEnvOptions): Promise<ServerEnv> {
  const port = await freeTcpPort();
  const mediaWorkers = options.mediaWorkers ?? os.availableParallelism();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of NEUTRALIZED) env[name] = '';
  Object.assign(env, {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: options.dataDir,
    LOG_LEVEL: options.logLevel ?? 'warn',
    LOG_PRETTY: 'false',
    MEDIA_WORKERS: String(mediaWorkers),
    RTC_LISTEN_IP: '127.0.0.1',
    // 0: each worker's WebRTC server gets a port from the system, so a development server on the
    // default 44400+ or a parallel run can't make the start fail.
    RTC_PORT: '0',
  });
  return { env, port, healthUrl: `http://127.0.0.1:${port}/healthz`, mediaWorkers };
}
