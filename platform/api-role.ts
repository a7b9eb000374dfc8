// The 'api' role: accounts, channels, follows, discovery, VODs, chat and notifications, the REST
// API and its real-time namespaces. Needs the database; chat and notifications need socket.io.
import { registerAccountRoutes } from '../api/accounts/account-routes.ts';
import { deleteExpiredSessions } from '../api/accounts/sessions.ts';
import { listenAdminSocket } from '../api/admin/admin-socket.ts';
import { registerChannelManagementRoutes } from '../api/channels/channel-management-routes.ts';
import { registerChannelRoutes } from '../api/channels/channel-routes.ts';
import { registerChat } from '../api/chat/chat.ts';
import { registerDiscoveryRoutes } from '../api/discovery/discovery-routes.ts';
import { registerFollowRoutes } from '../api/follows/follow-routes.ts';
import { registerPolls } from '../api/polls/poll-engine.ts';
import { disconnectSessions } from '../api/notifications/notification-socket.ts';
import { NotificationPush } from '../api/notifications/notification-push.ts';
import { registerNotifications } from '../api/notifications/notifications.ts';
import { streamEndRequestedPublisher } from '../api/streams/stream-end-requests.ts';
import { registerStreamRoutes } from '../api/streams/stream-routes.ts';
import { registerUploadFileRoutes } from '../api/uploads/upload-file-routes.ts';
import { accessNarrowedPublisher, onAccessNarrowed } from '../api/viewer-access/access-changes.ts';
import { registerViewerAccessRoutes } from '../api/viewer-access/viewer-access-routes.ts';
import { createVodRepository } from '../api/vods/vod-repository.ts';
import { registerVodRoutes } from '../api/vods/vod-routes.ts';
import { registerCertificateRoutes } from '../api/certificates/certificate-routes.ts';
import { startIssuingCertificates } from '../api/certificates/certificates-on-end.ts';
import { registerAttendanceRoutes } from '../api/webinars/attendance-routes.ts';
import { combinedParticipation } from '../api/webinars/participation-source.ts';
import { qaParticipation } from '../api/webinars/qa-participation.ts';
import { pollParticipation } from '../api/polls/poll-participation.ts';
import { backstageMessagePublisher } from '../api/webinars/backstage-chat.ts';
import { registerBackstageChatRoutes } from '../api/webinars/backstage-chat-routes.ts';
import { registerHands } from '../api/webinars/hands.ts';
import { onStageChanged, stageChangedPublisher } from '../api/webinars/stage-changes.ts';
import { webinarBroadcastPublisher } from '../api/webinars/webinar-broadcasts.ts';
import { ImageStore } from '../api/uploads/image-store.ts';
import { registerWebinarCoverRoutes } from '../api/webinars/webinar-cover-routes.ts';
import { registerWebinarMemberRoutes } from '../api/webinars/webinar-member-routes.ts';
import { registerRegistrationRoutes } from '../api/webinars/registration-routes.ts';
import { registerQa } from '../api/webinars/qa.ts';
import { pinnedQuestionPublisher } from '../api/webinars/qa-pins.ts';
import { createWebinarStageDirectory } from '../api/webinars/webinar-stage-directory.ts';
import { WebinarReminders } from '../api/webinars/webinar-reminders.ts';
import { registerWebinarRoutes } from '../api/webinars/webinar-routes.ts';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { startRole, type Started } from './closers.ts';
import type { Infrastructure } from './infrastructure.ts';

export interface ApiDeps {
  config: Config;
  logger: Logger;
  infrastructure: Infrastructure;
}

export interface Api {
  /** The operator CLI's socket, once the server listens (links it hands out carry the real port). */
  listenAdminSocket(publicUrl: string): Promise<void>;
}

/** Expired sessions are refused when used; this sweep removes the ones never used again. */
const SESSION_SWEEP_MS = 3_600_000;

export function startApi({ config, logger, infrastructure }: ApiDeps): Promise<Started<Api>> {
  const { database, pubsub, http, io, watchGuard, attendance } = infrastructure;
  if (!database || !watchGuard) throw new Error("The 'api' role needs a database.");
  const prisma = database.prisma;
  return startRole(logger, async (closers) => {
    const accessNarrowed = accessNarrowedPublisher(pubsub, logger);
    const stageChanged = stageChangedPublisher(pubsub, logger);
    registerAccountRoutes(http, {
      prisma,
      authAttemptsPerMinute: config.auth.attemptsPerMinute,
      onSessionsEnded: (sessionIds) => {
        if (io) disconnectSessions(io, sessionIds);
        // Whoever watched a private channel on the strength of those sessions is asked again.
        if (sessionIds.length > 0) accessNarrowed({ sessionIds: [...sessionIds] });
      },
    });
    const sessionSweep = setInterval(() => {
      deleteExpiredSessions(prisma).catch((error) => logger.warn({ err: error }, 'could not delete expired sessions'));
    }, SESSION_SWEEP_MS);
    sessionSweep.unref();
    closers.add(() => clearInterval(sessionSweep));

    registerChannelRoutes(http, { prisma });
    registerViewerAccessRoutes(http, { prisma, accessNarrowed });
    registerChannelManagementRoutes(http, {
      prisma,
      uploadsDir: config.uploads.dir,
      accessNarrowed,
      maxChannelsPerUser: config.channels.maxPerUser,
    });
    registerUploadFileRoutes(http, { uploadsDir: config.uploads.dir });
    registerFollowRoutes(http, { prisma });
    registerStreamRoutes(http, { prisma, streamEndRequested: streamEndRequestedPublisher(pubsub, logger) });
    const webinarImages = new ImageStore(config.uploads.dir, logger.child({ component: 'uploads' }));
    registerWebinarRoutes(http, {
      prisma,
      stageChanged,
      broadcast: webinarBroadcastPublisher(pubsub, logger),
      images: webinarImages,
    });
    registerWebinarCoverRoutes(http, { prisma, images: webinarImages });
    registerWebinarMemberRoutes(http, { prisma, stageChanged });
    registerRegistrationRoutes(http, { prisma, stageChanged });
    const reminders = WebinarReminders.start({
      prisma,
      logger: logger.child({ component: 'webinar-reminders' }),
      push: io ? new NotificationPush(io) : undefined,
    });
    closers.add(() => reminders.close());
    registerBackstageChatRoutes(http, { prisma, posted: backstageMessagePublisher(pubsub, logger) });
    // Q&A and polls will bring their ParticipationSource; until then those columns read "—".
    // What attendees did besides watching, for the attendance report: the Q&A's and the polls'.
    const participation = combinedParticipation([qaParticipation(prisma), pollParticipation(prisma)]);
    registerAttendanceRoutes(http, { prisma, participation });
    registerCertificateRoutes(http, { prisma, uploadsDir: config.uploads.dir });
    closers.add(
      await startIssuingCertificates(pubsub, {
        prisma,
        participation,
        tracker: attendance,
        logger: logger.child({ component: 'certificates' }),
      }),
    );
    registerDiscoveryRoutes(http, { prisma });
    registerVodRoutes(http, { vods: createVodRepository(prisma), guard: watchGuard });
    if (io) {
      const chat = registerChat(http, { io, prisma, logger: logger.child({ component: 'chat' }) });
      closers.add(() => chat.close());
      closers.add(await onAccessNarrowed(pubsub, (filter) => void chat.recheckAccess(filter)));
      registerNotifications(http, { io, prisma, logger: logger.child({ component: 'notifications' }) });
      const seats = createWebinarStageDirectory(prisma, { publicUrl: config.http.publicUrl });
      const qa = registerQa(http, {
        io,
        prisma,
        seats,
        pinned: pinnedQuestionPublisher(pubsub, logger),
        logger: logger.child({ component: 'webinar-qa' }),
      });
      closers.add(() => qa.close());
      closers.add(await onStageChanged(pubsub, (change) => void qa.stageChanged(change)));
      const hands = registerHands(http, { io, prisma, stageChanged, logger: logger.child({ component: 'hands' }) });
      closers.add(() => hands.close());
      const polls = registerPolls(http, { io, prisma, logger: logger.child({ component: 'polls' }) });
      closers.add(() => polls.close());
    }

    return {
      async listenAdminSocket(publicUrl: string) {
        const socket = await listenAdminSocket(config.dataDir, { prisma, publicUrl }, logger);
        closers.add(() => socket.close());
      },
    };
  });
}
