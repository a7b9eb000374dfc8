// A webinar's live Q&A: the /qa socket.io namespace (one room per webinar, one for its hosts) and
// its CSV export. See common/protocol/webinar-qa.ts for the socket protocol.
import type { FastifyInstance } from 'fastify';
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { WebinarStageDirectory } from '../../common/live/webinar-stage.ts';
import type { Logger } from '../../common/logger.ts';
import { ChatRateLimiter } from '../chat/chat-rate-limiter.ts';
import { QaBroadcaster, qaNamespace } from './qa-broadcast.ts';
import { QaRepository } from './qa-repository.ts';
import type { PinnedQuestionChanged } from './qa-pins.ts';
import { registerQaRoutes } from './qa-routes.ts';
import { attachQaSocket, QA_RATE_LIMIT, type QaSockets } from './qa-socket.ts';

export interface QaDeps {
  /** The shared socket.io server: the /qa namespace is added to it. */
  io: SocketServer;
  prisma: PrismaClient;
  /** Who the caller is to a webinar: the stage's own answer, so the Q&A follows its audience rules. */
  seats: WebinarStageDirectory;
  /** The pinned question changed: announced for the recording. */
  pinned: PinnedQuestionChanged;
  logger: Logger;
}

/** The returned close() is safe to call twice; the sockets close with the shared socket.io server. */
export function registerQa(
  app: FastifyInstance,
  { io, prisma, seats, pinned, logger }: QaDeps,
): QaSockets & { close(): void } {
  const questions = new QaRepository(prisma);
  // The chat's token bucket, with the Q&A's own limit: per process, against bursts (see its notes).
  const limiter = new ChatRateLimiter(QA_RATE_LIMIT);
  const sockets = attachQaSocket(qaNamespace(io), {
    questions,
    seats,
    broadcaster: new QaBroadcaster(qaNamespace(io)),
    limiter,
    pinned,
    logger,
  });
  registerQaRoutes(app, { prisma, questions });
  return { stageChanged: (change) => sockets.stageChanged(change), close: () => limiter.close() };
}
