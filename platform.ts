// The composition root: builds each service this process runs from the configuration, wires them
// together, and tears them down in reverse order. No module reaches for a global; everything it
// needs is handed to it here.
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { Server as SocketServer } from 'socket.io';
import { registerAccountRoutes } from './api/accounts/account-routes.ts';
import { cookieCanBeSecure, registerAuth, userOf } from './api/accounts/auth.ts';
import { deleteExpiredSessions } from './api/accounts/sessions.ts';
import { registerOpenApi } from './api/openapi.ts';
import { listenAdminSocket, type AdminSocket } from './api/admin/admin-socket.ts';
import { registerChannelManagementRoutes } from './api/channels/channel-management-routes.ts';
import { registerChannelRoutes } from './api/channels/channel-routes.ts';
import { registerChat } from './api/chat/chat.ts';
import { registerDiscoveryRoutes } from './api/discovery/discovery-routes.ts';
import { registerFollowRoutes } from './api/follows/follow-routes.ts';
import { notifyFollowersWhenLive } from './api/notifications/live-notifications.ts';
import { registerNotifications } from './api/notifications/notifications.ts';
import { disconnectSessions } from './api/notifications/notification-socket.ts';
import { registerUploadFileRoutes } from './api/uploads/upload-file-routes.ts';
import { registerHealthRoute } from './api/health/health-route.ts';
import { registerVodRoutes } from './api/vods/vod-routes.ts';
import { createVodRepository } from './api/vods/vod-repository.ts';
import { registerClipRoutes } from './api/clips/clip-routes.ts';
import { createClipRepository } from './api/clips/clip-repository.ts';
import { createStreamDirectory } from './api/streams/stream-directory.ts';
import type { Config, Role } from './common/config.ts';
import { openDatabase, type Database, type PrismaClient } from './common/db/database.ts';
import { createHttpServer } from './common/http/http-server.ts';
import type { Logger } from './common/logger.ts';
import { createPubSub, type PubSub } from './common/pubsub/index.ts';
import { createSocketServer } from './common/realtime/socket-server.ts';
import { RoomRegistry } from './sfu/room-registry.ts';
import { WorkerPool } from './sfu/worker-pool.ts';
import { LiveStreams } from './signaling/live-streams.ts';
import { attachMediaSignaling } from './signaling/media-signaling.ts';
import { registerHttpMedia } from './signaling/whip/http-media-plugin.ts';
import { ClipMaker } from './recorder/clip-maker.ts';
import { registerViewerAccessRoutes } from './api/viewer-access/viewer-access-routes.ts';
import { createWatchGuard, type WatchGuard } from './api/viewer-access/watch-guard.ts';
import { accessNarrowedPublisher, onAccessNarrowed } from './api/viewer-access/access-changes.ts';
import { registerClipFileRoutes } from './recorder/clip-file-routes.ts';
import { HlsAudience } from './recorder/hls-audience.ts';
import { registerHlsRoutes } from './recorder/hls-routes.ts';
import { applyRetention, scheduleRetention } from './recorder/retention.ts';
import { RecorderService } from './recorder/recorder-service.ts';
import { createRecordingStore } from './recorder/storage/index.ts';
import { registerWebApp } from './web/server.ts';

export interface Platform {
  readonly config: Config;
  /** Where the HTTP server listens (the real port when PORT=0). */
  readonly url: string;
  readonly database: Database | undefined;
  readonly pubsub: PubSub;
  readonly workers: WorkerPool | undefined;
  readonly rooms: RoomRegistry | undefined;
  readonly http: FastifyInstance;
  /** The socket.io server (/media, /chat, /notifications) when this process runs api or signaling. */
  readonly io: SocketServer | undefined;
  /** Stops everything; safe to call twice. */
  close(): Promise<void>;
}

const NEEDS_DATABASE: readonly Role[] = ['api', 'signaling', 'recorder'];

export async function startPlatform(config: Config, logger: Logger): Promise<Platform> {
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error }, 'error while shutting down');
      }
    }
  };
  try {
    const startedAt = new Date();
    const has = (role: Role) => config.roles.has(role);

    let database: Database | undefined;
    if (NEEDS_DATABASE.some(has)) {
      database = await openDatabase(
        config.database.url
          ? { kind: 'postgresql', url: config.database.url }
          : { kind: 'pglite', dir: path.join(config.dataDir, 'pglite') },
        logger.child({ component: 'database' }),
      );
      const db = database;
      closers.push(() => db.close());
    }

    const pubsub = await createPubSub(config.redis.url, logger);
    closers.push(() => pubsub.close());

    let workers: WorkerPool | undefined;
    if (has('sfu')) {
      workers = await WorkerPool.create(
        {
          workers: config.media.workers,
          listenIp: config.media.listenIp,
          announcedAddress: config.media.announcedAddress,
          rtcPort: config.media.rtcPort,
          rtcMinPort: config.media.rtcMinPort,
          rtcMaxPort: config.media.rtcMaxPort,
          logLevel: config.media.workerLogLevel,
        },
        logger,
      );
      const pool = workers;
      closers.push(() => pool.close());
    }

    const http = createHttpServer(config, logger);
    closers.push(() => http.close());
    await registerOpenApi(http);
    // Limits apply only to the routes that ask (config.rateLimit). With Redis they hold across
    // processes; otherwise per process.
    const rateLimitRedis = config.redis.url
      ? new Redis(config.redis.url, { maxRetriesPerRequest: 2, connectTimeout: 5000 })
      : undefined;
    if (rateLimitRedis) closers.push(() => void rateLimitRedis.disconnect());
    await http.register(rateLimit, { global: false, ...(rateLimitRedis ? { redis: rateLimitRedis } : {}) });
    // Details (worker PIDs and ports, the database kind) for administrators only.
    const isAdmin = database ? async (request: FastifyRequest) => (await userOf(request))?.role === 'admin' : undefined;
    registerHealthRoute(http, { database, pubsub, workers, startedAt, isAdmin });

    let io: SocketServer | undefined;
    if (has('api') || has('signaling')) {
      const realtime = await createSocketServer(http.server, config.redis.url, logger);
      closers.push(() => realtime.close());
      io = realtime.io;
    }

    // One guard, and so one cache of channels' privacy, for the API's and the recorder's media routes.
    let watchGuard: WatchGuard | undefined;
    const guardOf = (prisma: PrismaClient) => (watchGuard ??= createWatchGuard(prisma));

    if (database) {
      const secureCookie =
        config.auth.secureCookie === 'auto' ? cookieCanBeSecure(config.http.publicUrl) : config.auth.secureCookie;
      if (!secureCookie && config.http.publicUrl.startsWith('https:'))
        logger.warn('SESSION_COOKIE_SECURE=false on an HTTPS site: session cookies can leak over plain HTTP.');
      await registerAuth(http, { prisma: database.prisma, publicUrl: config.http.publicUrl, secureCookie });
    }

    if (has('api') && database) {
      const accessNarrowed = accessNarrowedPublisher(pubsub, logger);
      registerAccountRoutes(http, {
        prisma: database.prisma,
        authAttemptsPerMinute: config.auth.attemptsPerMinute,
        onSessionsEnded: (sessionIds) => {
          if (io) disconnectSessions(io, sessionIds);
          // Whoever watched a private channel on the strength of those sessions is asked again.
          if (sessionIds.length > 0) accessNarrowed({ sessionIds: [...sessionIds] });
        },
      });
      const prisma = database.prisma;
      // Expired sessions are refused when used; this sweep removes the ones never used again.
      const sessionSweep = setInterval(() => {
        deleteExpiredSessions(prisma).catch((error) =>
          logger.warn({ err: error }, 'could not delete expired sessions'),
        );
      }, 3_600_000);
      sessionSweep.unref();
      closers.push(() => clearInterval(sessionSweep));
      registerChannelRoutes(http, { prisma });
      registerViewerAccessRoutes(http, { prisma, accessNarrowed });
      registerChannelManagementRoutes(http, { prisma, uploadsDir: config.uploads.dir, accessNarrowed });
      registerUploadFileRoutes(http, { uploadsDir: config.uploads.dir });
      registerFollowRoutes(http, { prisma });
      registerDiscoveryRoutes(http, { prisma });
      registerVodRoutes(http, { vods: createVodRepository(prisma), guard: guardOf(prisma) });
      if (io) {
        const chat = registerChat(http, { io, prisma, logger: logger.child({ component: 'chat' }) });
        closers.push(() => chat.close());
        closers.push(await onAccessNarrowed(pubsub, (filter) => void chat.recheckAccess(filter)));
        registerNotifications(http, { io, prisma, logger: logger.child({ component: 'notifications' }) });
      }
    }

    let rooms: RoomRegistry | undefined;
    if (has('signaling')) {
      // Placement across processes is not built yet: signaling drives the media workers of its
      // own process.
      if (!workers || !database || !io)
        throw new Error("The 'signaling' role needs the 'sfu' role in the same process (ROLES=...,signaling,sfu).");
      rooms = new RoomRegistry(
        workers,
        {
          consumersPerRouter: config.media.consumersPerRouter,
          keyFrameRequestDelayMs: config.media.keyFrameRequestDelayMs,
          initialOutgoingBitrate: 1_000_000,
        },
        logger,
      );
      const directory = createStreamDirectory(database.prisma, { publicUrl: config.http.publicUrl });
      const live = new LiveStreams(
        directory,
        {
          endGraceMs: config.streams.endGraceMs,
          publisherTakeover: config.streams.publisherTakeover,
          maxLiveStreams: config.streams.maxLiveStreams,
          viewerWriteIntervalMs: 1000,
        },
        logger,
      );
      const registry = rooms;
      // Live streams end (and are recorded as ended) before the rooms and the database go away.
      closers.push(() => registry.close());
      closers.push(() => live.close());
      const { webrtcSeatsPerStream } = config.streams;
      const mediaSignaling = attachMediaSignaling(io, { rooms, directory, live, logger, webrtcSeatsPerStream });
      notifyFollowersWhenLive(live, {
        prisma: database.prisma,
        io,
        logger: logger.child({ component: 'live-notifications' }),
      });
      const httpSessions = await registerHttpMedia(http, {
        rooms,
        directory,
        live,
        iceServers: config.media.iceServers,
        logger,
        webrtcSeatsPerStream,
      });
      // A revoked viewer link, a channel made private or an ended session (announced by whichever
      // process took the request) lets go of this process's viewers who may no longer watch.
      closers.push(
        await onAccessNarrowed(pubsub, (filter) => {
          void Promise.all([mediaSignaling.recheckAccess(filter), httpSessions.recheckAccess(filter)]);
        }),
      );
      if (has('recorder')) {
        const vods = createVodRepository(database.prisma);
        const store = await createRecordingStore(config.recorder, logger);
        const recorder = new RecorderService(
          rooms,
          live,
          vods,
          store,
          { ...config.recorder, restartDelayMs: 500 },
          logger,
        );
        const guard = guardOf(database.prisma);
        // HLS viewers count with the room's in the channel's viewer number.
        const audience = new HlsAudience((channel, viewers) => live.hlsViewersChanged(channel, viewers));
        live.on('ended', (channel) => audience.forget(channel));
        closers.push(() => audience.close());
        registerHlsRoutes(http, { recorder, vods, store, guard, audience });
        const clips = createClipRepository(database.prisma);
        const cutter = new ClipMaker(recorder, store, config.recorder, logger);
        registerClipRoutes(http, { clips, cutter, guard, clipsPerMinute: config.recorder.clipsPerMinute });
        registerClipFileRoutes(http, { clips, store, guard });
        const { retentionDays, maxStorageBytes } = config.recorder;
        if (retentionDays > 0 || maxStorageBytes > 0) {
          const policy = { maxAgeDays: retentionDays, maxBytes: maxStorageBytes };
          closers.push(scheduleRetention(() => applyRetention(vods, store, policy, logger), 3_600_000, logger));
        }
        // On shutdown every recording is finished into a VOD before the rooms close.
        closers.push(() => recorder.close());
      }
      // WHIP publishers' streams end as "ended" on shutdown, before LiveStreams closes.
      closers.push(() => httpSessions.closeAll());
    }
    if (has('web')) await registerWebApp(http, { dist: config.web.distDir, sourceMaps: config.web.sourceMaps });

    const address = await listen(http, config);
    const url = urlFor(config, address);

    // After listen: links the CLI hands out (the WHIP URL) must carry the real port when PORT=0.
    if (has('api') && database) {
      const adminSocket: AdminSocket = await listenAdminSocket(
        config.dataDir,
        { prisma: database.prisma, publicUrl: url },
        logger,
      );
      closers.push(() => adminSocket.close());
    }
    logger.info(
      { url, roles: [...config.roles], database: database?.kind, pubsub: pubsub.kind },
      'AeThex Live is ready',
    );

    let closing: Promise<void> | undefined;
    return {
      config,
      url,
      database,
      pubsub,
      workers,
      rooms,
      http,
      io,
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
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
