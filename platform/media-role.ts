// The media roles: 'sfu' (mediasoup workers, one per core) and 'signaling' (the socket.io media
// protocol, WHIP and WHEP, the live state). Signaling drives the workers of its own process until
// the cluster places rooms on other nodes.
import { notifyFollowersWhenLive } from '../api/notifications/live-notifications.ts';
import { createStreamDirectory } from '../api/streams/stream-directory.ts';
import { onStreamEndRequested } from '../api/streams/stream-end-requests.ts';
import { onAccessNarrowed } from '../api/viewer-access/access-changes.ts';
import { onBackstageMessage } from '../api/webinars/backstage-chat.ts';
import { onStageChanged } from '../api/webinars/stage-changes.ts';
import { createWebinarStageDirectory } from '../api/webinars/webinar-stage-directory.ts';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { WorkerPool } from '../sfu/worker-pool.ts';
import { closeIfUnused, type LiveState } from '../signaling/live-state.ts';
import { createLocalLiveState } from '../signaling/local-live-state.ts';
import type { StageRooms } from '../signaling/stage-room.ts';
import { attachMediaSignaling } from '../signaling/media-signaling.ts';
import { registerHttpMedia } from '../signaling/whip/http-media-plugin.ts';
import { startRole, type Started } from './closers.ts';
import type { Infrastructure } from './infrastructure.ts';

export interface MediaDeps {
  config: Config;
  logger: Logger;
  infrastructure: Infrastructure;
}

export interface Media {
  /** This process's mediasoup workers ('sfu' role). */
  workers: WorkerPool | undefined;
  /** Live streams and their rooms ('signaling' role). */
  live: LiveState | undefined;
  /** Each webinar room's speaker and main share ('signaling' role). */
  stages: StageRooms | undefined;
}

export function startMedia({ config, logger, infrastructure }: MediaDeps): Promise<Started<Media>> {
  const has = (role: 'sfu' | 'signaling') => config.roles.has(role);
  return startRole(logger, async (closers) => {
    let workers: WorkerPool | undefined;
    if (has('sfu')) {
      const pool = await WorkerPool.create(
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
      closers.add(() => pool.close());
      workers = pool;
    }
    if (!has('signaling')) return { workers, live: undefined, stages: undefined };

    const { database, io, http, pubsub } = infrastructure;
    if (!workers || !database || !io)
      throw new Error("The 'signaling' role needs the 'sfu' role in the same process (ROLES=...,signaling,sfu).");
    const directory = createStreamDirectory(database.prisma, { publicUrl: config.http.publicUrl });
    const live = createLocalLiveState(
      workers,
      directory,
      {
        rooms: {
          consumersPerRouter: config.media.consumersPerRouter,
          keyFrameRequestDelayMs: config.media.keyFrameRequestDelayMs,
          initialOutgoingBitrate: 1_000_000,
        },
        streams: {
          endGraceMs: config.streams.endGraceMs,
          publisherTakeover: config.streams.publisherTakeover,
          maxLiveStreams: config.streams.maxLiveStreams,
          viewerWriteIntervalMs: 1000,
        },
      },
      logger,
    );
    // Live streams end (and are recorded as ended) before their rooms and the database go away.
    closers.add(() => live.rooms.close());
    closers.add(() => live.streams.close());

    const { webrtcSeatsPerStream } = config.streams;
    const { rooms, streams } = live;
    const mediaSignaling = attachMediaSignaling(io, {
      rooms,
      directory,
      live: streams,
      logger,
      webrtcSeatsPerStream,
      stage: createWebinarStageDirectory(database.prisma, { publicUrl: config.http.publicUrl }),
      maxStage: config.webinars.maxStage,
      attendance: infrastructure.attendance,
    });
    notifyFollowersWhenLive(streams, {
      prisma: database.prisma,
      io,
      logger: logger.child({ component: 'live-notifications' }),
    });
    const httpSessions = await registerHttpMedia(http, {
      rooms,
      directory,
      live: streams,
      iceServers: config.media.iceServers,
      logger,
      webrtcSeatsPerStream,
    });
    // A revoked viewer link, a channel made private or an ended session (announced by whichever
    // process took the request) lets go of this process's viewers who may no longer watch.
    closers.add(
      await onAccessNarrowed(pubsub, (filter) => {
        void Promise.all([mediaSignaling.recheckAccess(filter), httpSessions.recheckAccess(filter)]);
      }),
    );
    // Someone moved off a webinar's stage, or the webinar ended (announced by whichever process
    // took the request): what they publish here closes, and attendees of an ended one are let go.
    closers.add(await onStageChanged(pubsub, (change) => void mediaSignaling.recheckStage(change)));
    // A backstage chat message (stored by whichever process took it) reaches the stage members here.
    closers.add(
      await onBackstageMessage(pubsub, (webinarId, message) => mediaSignaling.backstageMessage(webinarId, message)),
    );
    // "End stream" from a device that doesn't publish it (announced by whichever process took the
    // request): the process carrying the stream ends it, and closes its room once nobody is left.
    closers.add(
      await onStreamEndRequested(pubsub, (channel) => {
        streams
          .endStream(channel)
          .then(() => {
            const room = rooms.get(channel.id);
            if (room) closeIfUnused(room, streams, channel);
          })
          .catch((error: unknown) => logger.error({ err: error, channel: channel.slug }, 'could not end the stream'));
      }),
    );
    // WHIP publishers' streams end as "ended" on shutdown, before the live state closes.
    closers.add(() => httpSessions.closeAll());
    return { workers, live, stages: mediaSignaling.stageRooms };
  });
}
