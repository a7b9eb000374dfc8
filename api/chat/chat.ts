// Real-time chat: the /chat socket.io namespace (one room per channel) and its REST routes
// (messages, moderation). See common/protocol/chat.ts for the socket protocol.
import type { FastifyInstance } from 'fastify';
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import { ChatBroadcaster, chatNamespace } from './chat-broadcast.ts';
import { ChatRateLimiter } from './chat-rate-limiter.ts';
import { registerChatRoutes } from './chat-routes.ts';
import { ChatMessageSchema, ChatSettingsSchema } from './chat-schemas.ts';
import { attachChatSocket, type ChatSockets } from './chat-socket.ts';
import { registerModerationRoutes } from './moderation-routes.ts';

export interface ChatDeps {
  /** The shared socket.io server: the /chat namespace is added to it. */
  io: SocketServer;
  prisma: PrismaClient;
  logger: Logger;
}

/** Needs registerAuth first (app.authOptions). The returned close() is safe to call twice. */
export function registerChat(
  app: FastifyInstance,
  { io, prisma, logger }: ChatDeps,
): ChatSockets & { close(): Promise<void> } {
  const namespace = chatNamespace(io);
  const broadcaster = new ChatBroadcaster(namespace);
  const limiter = new ChatRateLimiter();
  app.addSchema(ChatMessageSchema);
  app.addSchema(ChatSettingsSchema);
  const sockets = attachChatSocket(namespace, {
    prisma,
    publicUrl: app.authOptions.publicUrl,
    broadcaster,
    limiter,
    logger,
  });
  registerChatRoutes(app, { prisma, broadcaster });
  registerModerationRoutes(app, { prisma, broadcaster });
  return {
    recheckAccess: (filter) => sockets.recheckAccess(filter),
    close: async () => {
      // The sockets themselves are closed with the shared socket.io server.
      limiter.close();
    },
  };
}
