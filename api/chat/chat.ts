// Real-time chat: the /chat socket.io namespace (one room per channel) and its REST routes.
import type { FastifyInstance } from 'fastify';
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';

export interface ChatDeps {
  prisma: PrismaClient;
  logger: Logger;
}

export function registerChat(_app: FastifyInstance, _io: SocketServer, _deps: ChatDeps): { close(): Promise<void> } {
  return { close: async () => undefined };
}
