// Polls for the whole platform (webinars and channel streams): the /polls socket.io namespace,
// the REST routes, and the deadline sweep. See common/protocol/polls.ts for the protocol.
import type { FastifyInstance } from 'fastify';
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import { PollBroadcaster, pollNamespace } from './poll-broadcast.ts';
import { PollDeadlines } from './poll-deadlines.ts';
import { PollRepository } from './poll-repository.ts';
import { registerPollRoutes } from './poll-routes.ts';
import { attachPollSocket } from './poll-socket.ts';
import { Polls } from './polls.ts';

export interface PollEngineDeps {
  /** The shared socket.io server: the /polls namespace is added to it. */
  io: SocketServer;
  prisma: PrismaClient;
  logger: Logger;
  /** How often open polls are checked against their deadline (tests shorten it). */
  deadlineSweepMs?: number;
}

/** Needs registerAuth first (app.authOptions). The returned close() is safe to call twice. */
export function registerPolls(app: FastifyInstance, deps: PollEngineDeps): { close(): Promise<void> } {
  const { io, prisma, logger } = deps;
  const namespace = pollNamespace(io);
  const repository = new PollRepository(prisma);
  const broadcaster = new PollBroadcaster(namespace, repository, logger);
  const deadlines = new PollDeadlines({
    polls: repository,
    close: (pollId) => polls.closeNow(pollId),
    logger,
    sweepMs: deps.deadlineSweepMs,
  });
  const polls = new Polls(prisma, repository, broadcaster, (poll) => deadlines.schedule(poll));
  deadlines.start();
  attachPollSocket(namespace, { prisma, polls, publicUrl: app.authOptions.publicUrl, logger });
  registerPollRoutes(app, polls);
  return {
    close: async () => {
      // The sockets themselves are closed with the shared socket.io server.
      await deadlines.close();
      broadcaster.close();
    },
  };
}
