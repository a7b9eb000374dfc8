// What every role of a process stands on: the database (when a role needs one), pub/sub, the one
// HTTP server with its rate limits, OpenAPI document and session cookies, and the socket.io server
// (when the process talks to browsers in real time).
import path from 'node:path';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Server as SocketServer } from 'socket.io';
import { cookieCanBeSecure, registerAuth } from '../api/accounts/auth.ts';
import { registerOpenApi } from '../api/openapi.ts';
import { AttendanceTracker } from '../api/webinars/attendance-tracker.ts';
import { createWatchGuard, type WatchGuard } from '../api/viewer-access/watch-guard.ts';
import type { Config, Role } from '../common/config.ts';
import { openDatabase, type Database } from '../common/db/database.ts';
import { createHttpServer } from '../common/http/http-server.ts';
import type { Logger } from '../common/logger.ts';
import { createPubSub, type PubSub } from '../common/pubsub/index.ts';
import { createSocketServer } from '../common/realtime/socket-server.ts';
import { startRole, type Started } from './closers.ts';

export interface Infrastructure {
  /** Undefined in a process whose roles keep no data (ROLES=sfu). */
  readonly database: Database | undefined;
  readonly pubsub: PubSub;
  readonly http: FastifyInstance;
  /** The socket.io server (/media, /chat, /notifications) when this process runs api or signaling. */
  readonly io: SocketServer | undefined;
  /** One guard, and so one cache of channels' privacy, for the API's and the recorder's media routes. */
  readonly watchGuard: WatchGuard | undefined;
  /** Webinar attendance as signaling and the recorder see it, stored (with a database). */
  readonly attendance: AttendanceTracker | undefined;
}

const NEEDS_DATABASE: readonly Role[] = ['api', 'signaling', 'recorder'];
const TALKS_TO_BROWSERS: readonly Role[] = ['api', 'signaling'];

export function startInfrastructure(config: Config, logger: Logger): Promise<Started<Infrastructure>> {
  const has = (role: Role) => config.roles.has(role);
  return startRole(logger, async (closers) => {
    let database: Database | undefined;
    if (NEEDS_DATABASE.some(has)) {
      const opened = await openDatabase(
        config.database.url
          ? { kind: 'postgresql', url: config.database.url }
          : { kind: 'pglite', dir: path.join(config.dataDir, 'pglite') },
        logger.child({ component: 'database' }),
      );
      closers.add(() => opened.close());
      database = opened;
    }

    const pubsub = await createPubSub(config.redis.url, logger);
    closers.add(() => pubsub.close());

    const http = createHttpServer(config, logger);
    closers.add(() => http.close());
    await registerOpenApi(http);
    await registerRateLimits(http, config, logger, closers);

    let io: SocketServer | undefined;
    if (TALKS_TO_BROWSERS.some(has)) {
      const realtime = await createSocketServer(http.server, config.redis.url, logger);
      closers.add(() => realtime.close());
      io = realtime.io;
    }

    if (database) {
      const secureCookie =
        config.auth.secureCookie === 'auto' ? cookieCanBeSecure(config.http.publicUrl) : config.auth.secureCookie;
      if (!secureCookie && config.http.publicUrl.startsWith('https:'))
        logger.warn('SESSION_COOKIE_SECURE=false on an HTTPS site: session cookies can leak over plain HTTP.');
      await registerAuth(http, { prisma: database.prisma, publicUrl: config.http.publicUrl, secureCookie });
    }

    const watchGuard = database ? createWatchGuard(database.prisma) : undefined;
    let attendance: AttendanceTracker | undefined;
    if (database) {
      const tracker = new AttendanceTracker({
        prisma: database.prisma,
        logger: logger.child({ component: 'attendance' }),
      });
      // What a stopped process left open ends when it was last seen.
      await tracker.closeAbandoned();
      closers.add(() => tracker.close());
      attendance = tracker;
    }
    return { database, pubsub, http, io, watchGuard, attendance };
  });
}

/**
 * Limits apply only to the routes that ask (config.rateLimit). With Redis they hold across
 * processes; otherwise per process.
 */
async function registerRateLimits(
  http: FastifyInstance,
  config: Config,
  logger: Logger,
  closers: { add(close: () => void): void },
): Promise<void> {
  if (!config.redis.url) {
    await http.register(rateLimit, { global: false });
    return;
  }
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 2, connectTimeout: 5000 });
  // ioredis reconnects by itself; without a listener each failed attempt would be an unhandled
  // 'error' event. Say it once per kind of failure, not once per retry.
  let lastError: string | undefined;
  redis.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn({ err: error }, 'the rate limits lost Redis; limited routes refuse with 500 until it is back');
  });
  redis.on('ready', () => (lastError = undefined));
  closers.add(() => void redis.disconnect());
  await http.register(rateLimit, { global: false, redis });
}
