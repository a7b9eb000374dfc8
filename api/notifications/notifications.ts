// In-app notifications: the list, read/unread, and the /notifications socket.io namespace that
// pushes new ones to a signed-in user's open pages.
import type { FastifyInstance } from 'fastify';
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';

export function registerNotifications(_app: FastifyInstance, _io: SocketServer, _deps: { prisma: PrismaClient; logger: Logger }): void {}
