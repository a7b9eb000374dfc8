// The composition root: builds the services of the roles this process runs from the
// configuration, wires them together, and stops them in reverse order. It reads like a table of
// contents; each role's builder (platform/) says what the role is made of. No module reaches for a
// global: everything it needs is handed to it here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Server as SocketServer } from 'socket.io';
import { userOf } from './api/accounts/auth.ts';
import { registerHealthRoute } from './api/health/health-route.ts';
import type { Config, Role } from './common/config.ts';
import type { Database } from './common/db/database.ts';
import type { Logger } from './common/logger.ts';
import type { PubSub } from './common/pubsub/index.ts';
import type { WorkerPool } from './sfu/worker-pool.ts';
import type { RoomPlacement } from './signaling/live-state.ts';
import { startApi } from './platform/api-role.ts';
import { Closers } from './platform/closers.ts';
import { startInfrastructure } from './platform/infrastructure.ts';
import { startMedia } from './platform/media-role.ts';
import { startRecorder } from './platform/recorder-role.ts';
import { startWeb } from './platform/web-role.ts';

export interface Platform {
  readonly config: Config;
  /** Where the HTTP server listens (the real port when PORT=0). */
  readonly url: string;
  readonly database: Database | undefined;
  readonly pubsub: PubSub;
  readonly workers: WorkerPool | undefined;
  readonly rooms: RoomPlacement | undefined;
  readonly http: FastifyInstance;
  /** The socket.io server (/media, /chat, /notifications) when this process runs api or signaling. */
  readonly io: SocketServer | undefined;
  /** Stops everything; safe to call twice. */
  close(): Promise<void>;
}

export async function startPlatform(config: Config, logger: Logger): Promise<Platform> {
  const startedAt = new Date();
  const has = (role: Role) => config.roles.has(role);
  const closers = new Closers(logger);
  try {
    const infrastructure = await startInfrastructure(config, logger);
    closers.add(infrastructure.close);
    const { database, pubsub, http, io } = infrastructure;

    const media = await startMedia({ config, logger, infrastructure });
    closers.add(media.close);
    // Details (worker PIDs and ports, the database kind) for administrators only.
    const isAdmin = database ? async (request: FastifyRequest) => (await userOf(request))?.role === 'admin' : undefined;
    registerHealthRoute(http, { database, pubsub, workers: media.workers, startedAt, isAdmin });

    const api = has('api') ? await startApi({ config, logger, infrastructure }) : undefined;
    if (api) closers.add(api.close);

    if (has('recorder')) {
      const recorder = await startRecorder({ config, logger, infrastructure, live: media.live, stages: media.stages });
      closers.add(recorder.close);
    }
    if (has('web')) await startWeb({ config, http });

    const url = urlFor(config, await listen(http, config));
    // After listen: links the CLI hands out (the WHIP URL) must carry the real port when PORT=0.
    await api?.listenAdminSocket(url);
    logger.info(
      { url, roles: [...config.roles], database: database?.kind, pubsub: pubsub.kind },
      'AeThex Live is ready',
    );

    return {
      config,
      url,
      database,
      pubsub,
      workers: media.workers,
      rooms: media.live?.rooms,
      http,
      io,
      close: () => closers.close(),
    };
  } catch (error) {
    await closers.close();
    throw error;
  }
}

async function listen(http: FastifyInstance, config: Config): Promise<{ port: number }> {
  try {
    await http.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `Port ${config.http.port} on ${config.http.host} is in use; stop what uses it or set PORT to another port.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  const address = http.server.address();
  return { port: typeof address === 'object' && address ? address.port : config.http.port };
}

function urlFor(config: Config, address: { port: number }): string {
  if (config.http.port !== 0) return config.http.publicUrl;
  const url = new URL(config.http.publicUrl);
  url.port = String(address.port);
  return url.toString().replace(/\/$/, '');
}
