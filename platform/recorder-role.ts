// The 'recorder' role: FFmpeg turns each live stream into HLS and a VOD; the HLS, clip and
// clip-file routes serve them; retention keeps storage in bounds. It records the streams of its
// own process's signaling, so it needs the 'signaling' and 'sfu' roles beside it.
import { createClipRepository } from '../api/clips/clip-repository.ts';
import { registerClipRoutes } from '../api/clips/clip-routes.ts';
import { createVodRepository } from '../api/vods/vod-repository.ts';
import { onPinnedQuestion, pinnedQuestionOf } from '../api/webinars/qa-pins.ts';
import { onWebinarBroadcast } from '../api/webinars/webinar-broadcasts.ts';
import { createWebinarRecordings } from '../api/webinars/webinar-recordings.ts';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { ClipMaker } from '../recorder/clip-maker.ts';
import { registerClipFileRoutes } from '../recorder/clip-file-routes.ts';
import { HlsAttendance } from '../recorder/hls-attendance.ts';
import { HlsAudience } from '../recorder/hls-audience.ts';
import { registerHlsRoutes } from '../recorder/hls-routes.ts';
import { RecorderService } from '../recorder/recorder-service.ts';
import { StageOverlays } from '../recorder/stage-overlays.ts';
import { applyRetention, scheduleRetention } from '../recorder/retention.ts';
import { createRecordingStore } from '../recorder/storage/index.ts';
import type { LiveState } from '../signaling/live-state.ts';
import type { StageRooms } from '../signaling/stage-room.ts';
import { webinarRoomId } from '../signaling/webinar-stage.ts';
import { startRole, type Started } from './closers.ts';
import type { Infrastructure } from './infrastructure.ts';

export interface RecorderDeps {
  config: Config;
  logger: Logger;
  infrastructure: Infrastructure;
  /** The live state of this process's signaling: the recorder follows its streams and rooms. */
  live: LiveState | undefined;
  /** The webinar rooms' stage state: a webinar's recording is composed by it. */
  stages: StageRooms | undefined;
}

/** A dead FFmpeg's successor starts this long after, so a crash loop can't spin. */
const FFMPEG_RESTART_DELAY_MS = 500;

export function startRecorder({
  config,
  logger,
  infrastructure,
  live,
  stages,
}: RecorderDeps): Promise<Started<object>> {
  const { database, http, pubsub, watchGuard: guard } = infrastructure;
  if (!live || !stages || !database || !guard)
    throw new Error("The 'recorder' role needs the 'signaling' and 'sfu' roles in the same process.");
  return startRole(logger, async (closers) => {
    const vods = createVodRepository(database.prisma);
    const store = await createRecordingStore(config.recorder, logger);
    const webinarRecordings = createWebinarRecordings(database.prisma);
    // The question a host pinned is drawn into the webinar's recording as it changes.
    const overlays = new StageOverlays(logger.child({ component: 'stage-overlays' }));
    closers.add(
      await onPinnedQuestion(pubsub, (change) => void overlays.set(webinarRoomId(change.webinarId), change.question)),
    );
    const recorder = new RecorderService(
      live.rooms,
      live.streams,
      vods,
      store,
      { ...config.recorder, restartDelayMs: FFMPEG_RESTART_DELAY_MS },
      logger,
      { stageOf: (room) => stages.of(room), ensureStream: webinarRecordings.ensureStream, overlays },
    );
    // On shutdown every recording is finished into a VOD before the rooms close.
    closers.add(() => recorder.close());
    // A webinar going live is recorded from its stage; ending it makes the VOD.
    closers.add(
      await onWebinarBroadcast(pubsub, (broadcast) => {
        const roomId = webinarRoomId(broadcast.webinarId);
        if (broadcast.live) {
          // What was pinned before it went live (backstage); an announcement meanwhile wins.
          pinnedQuestionOf(database.prisma, broadcast.webinarId).then(
            async (question) => {
              if (!overlays.knows(roomId)) await overlays.set(roomId, question);
            },
            (error: unknown) => logger.warn({ err: error }, 'could not read the pinned question for the recording'),
          );
          recorder.recordWebinar(broadcast.webinarId, broadcast.channel, broadcast.streamId);
        } else {
          recorder.endWebinar(broadcast.webinarId);
          overlays.forget(roomId);
        }
      }),
    );

    // HLS viewers count with the room's in the channel's viewer number.
    const audience = new HlsAudience((channel, viewers) => live.streams.hlsViewersChanged(channel, viewers));
    live.streams.on('ended', (channel) => audience.forget(channel));
    closers.add(() => audience.close());
    const { attendance: tracker } = infrastructure;
    const attendance = tracker ? new HlsAttendance(tracker) : undefined;
    registerHlsRoutes(http, { recorder, vods, store, guard, audience, attendance });

    const clips = createClipRepository(database.prisma);
    const cutter = new ClipMaker(recorder, store, config.recorder, logger);
    registerClipRoutes(http, { clips, cutter, guard, clipsPerMinute: config.recorder.clipsPerMinute });
    registerClipFileRoutes(http, { clips, store, guard });

    const { retentionDays, maxStorageBytes, retentionCheckSeconds } = config.recorder;
    if (retentionDays > 0 || maxStorageBytes > 0) {
      const policy = { maxAgeDays: retentionDays, maxBytes: maxStorageBytes };
      closers.add(
        scheduleRetention(() => applyRetention(vods, store, policy, logger), retentionCheckSeconds * 1000, logger),
      );
    }
    return {};
  });
}
