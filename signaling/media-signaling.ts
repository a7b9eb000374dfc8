// The socket.io namespace browsers and bots use to publish and watch. Each socket gets a
// MediaSession; every request is validated, dispatched and answered through its ack with either
// `{ ok: true, data }` or `{ ok: false, error: { code, message } }`.
import type { Namespace, Server } from 'socket.io';
import type { Logger } from 'pino';
import { isFailure, toProblem } from '../common/errors.ts';
import {
  MEDIA_NAMESPACE,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../common/protocol/media-signaling.ts';
import type { RecheckFilter } from '../common/live/channel-directory.ts';
import type { StageChange } from '../common/live/webinar-stage.ts';
import type { BackstageMessage } from '../common/protocol/rest/webinars.ts';
import { MediaSession, statusRoom, type MediaSessionDeps } from './media-session.ts';
import { validateRequest } from './validate-request.ts';
import { StageRooms } from './stage-room.ts';

/** What every session gets; the per-webinar stage state is made here, once per process. */
export type MediaSignalingDeps = Omit<MediaSessionDeps, 'stageRooms' | 'takeStagePlace'>;

/** A client sending more than this many requests in a second is misbehaving; it gets errors. */
const MAX_REQUESTS_PER_SECOND = 50;

export interface MediaSignaling {
  namespace: Namespace<ClientToServerEvents, ServerToClientEvents>;
  /** A channel's access narrowed: its viewers that may no longer watch it are removed. */
  recheckAccess(filter: RecheckFilter): Promise<void>;
  /** A webinar's stage changed: who left it stops publishing; once it ended, everyone is let go. */
  recheckStage(change: StageChange): Promise<void>;
  /** A backstage chat message: to this process's sessions on that webinar's stage. */
  backstageMessage(webinarId: string, message: BackstageMessage): void;
  /** Who speaks and whose share is the main one, per webinar room (the recorder composes by it). */
  stageRooms: StageRooms;
}

export function attachMediaSignaling(io: Server, deps: MediaSignalingDeps): MediaSignaling {
  const logger = deps.logger.child({ component: 'media-signaling' });
  const namespace = io.of(MEDIA_NAMESPACE) as Namespace<ClientToServerEvents, ServerToClientEvents>;
  const sessions = new Set<MediaSession>();
  const stageRooms = new StageRooms();

  deps.live.on('status', (status) => {
    namespace.to(statusRoom(status.channel)).emit('notification', { method: 'streamStatus', data: status });
  });

  // A room lives in one process, and so do the sessions of its peers: asking them all is enough.
  const takeStagePlace = async (roomId: string, userId: string) => {
    await Promise.all([...sessions].map((session) => session.supersededOnStage(roomId, userId)));
  };

  namespace.on('connection', (socket) => {
    const session = new MediaSession(socket, { ...deps, logger, stageRooms, takeStagePlace });
    sessions.add(session);
    let windowStart = Date.now();
    let requestsInWindow = 0;

    socket.on('request', (raw, ack) => {
      if (typeof ack !== 'function') return; // a request nobody waits for can't be answered
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        requestsInWindow = 0;
      }
      if (++requestsInWindow > MAX_REQUESTS_PER_SECOND) {
        ack({ ok: false, error: { code: 'rate_limited', message: 'Too many requests; slow down.' } });
        return;
      }
      void answer(session, raw, logger).then(ack);
    });
    socket.on('disconnect', () => {
      sessions.delete(session);
      session.disconnected().catch((error: unknown) => logger.error({ err: error }, 'cleanup after disconnect failed'));
    });
  });
  return {
    namespace,
    stageRooms,
    async recheckAccess(filter) {
      await Promise.all(
        [...sessions].map((session) =>
          session
            .recheckAccess(filter)
            .catch((error: unknown) => logger.error({ err: error }, "could not recheck a viewer's access")),
        ),
      );
    },
    backstageMessage(webinarId, message) {
      for (const session of sessions) session.backstageMessage(webinarId, message);
    },
    async recheckStage(change) {
      await Promise.all(
        [...sessions].map((session) =>
          session
            .recheckStage(change)
            .catch((error: unknown) => logger.error({ err: error }, 'could not recheck a stage seat')),
        ),
      );
    },
  };
}

async function answer(session: MediaSession, raw: unknown, logger: Logger): Promise<Ack<unknown>> {
  try {
    const request = validateRequest(raw);
    return { ok: true, data: await session.handle(request) };
  } catch (error) {
    const problem = toProblem(error);
    if (problem.status >= 500 && isFailure(error)) logger.error({ err: error }, 'media request failed');
    return { ok: false, error: { code: problem.code, message: problem.detail } };
  }
}
