// Raised hands onto a webinar's stage: the /hands socket.io namespace and its REST routes. See
// common/protocol/webinar-hands.ts for the protocol.
import type { FastifyInstance } from 'fastify';
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import { HandBroadcaster, handsNamespace } from './hand-broadcast.ts';
import { registerHandRoutes } from './hand-routes.ts';
import { attachHandSocket } from './hand-socket.ts';
import type { StageChanged } from './stage-changes.ts';

export interface HandsDeps {
  /** The shared socket.io server: the /hands namespace is added to it. */
  io: SocketServer;
  prisma: PrismaClient;
  stageChanged: StageChanged;
  logger: Logger;
}

/** Needs registerAuth first (app.authOptions). The returned close() is safe to call twice. */
export function registerHands(
  app: FastifyInstance,
  { io, prisma, stageChanged, logger }: HandsDeps,
): { close(): void } {
  const namespace = handsNamespace(io);
  const broadcaster = new HandBroadcaster(namespace, prisma, logger);
  attachHandSocket(namespace, { prisma, publicUrl: app.authOptions.publicUrl, logger });
  registerHandRoutes(app, { prisma, broadcaster, stageChanged });
  return { close: () => broadcaster.close() };
}
