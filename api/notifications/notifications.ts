// In-app notifications: the list, read/unread, and the /notifications socket.io namespace that
// pushes new ones to a signed-in user's open pages.
import type { FastifyInstance } from 'fastify';
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import { NotificationPush } from './notification-push.ts';
import { registerNotificationRoutes } from './notification-routes.ts';
import { attachNotificationSocket } from './notification-socket.ts';

export interface NotificationDeps {
  /** The shared socket.io server: the /notifications namespace is added to it. */
  io: SocketServer;
  prisma: PrismaClient;
  logger: Logger;
}

export function registerNotifications(app: FastifyInstance, { io, prisma, logger }: NotificationDeps): void {
  attachNotificationSocket(io, { prisma, publicUrl: app.authOptions.publicUrl, logger });
  registerNotificationRoutes(app, { prisma, push: new NotificationPush(io) });
}
