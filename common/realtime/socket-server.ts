// The one socket.io server of a process, shared by its namespaces (/media for signaling, /chat,
// /notifications). With REDIS_URL it uses the socket.io Redis adapter, so an emit to a room
// reaches that room's clients in every process.
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server as SocketServer } from 'socket.io';
import type { Logger } from '../logger.ts';

export interface RealtimeServer {
  io: SocketServer;
  close(): Promise<void>;
}

export async function createSocketServer(
  httpServer: HttpServer,
  redisUrl: string | undefined,
  logger: Logger,
): Promise<RealtimeServer> {
  const io = new SocketServer(httpServer, { serveClient: false, pingInterval: 10_000, pingTimeout: 10_000 });
  const redisClients: Redis[] = [];
  if (redisUrl) {
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000 };
    const pub = new Redis(redisUrl, options);
    const sub = new Redis(redisUrl, options);
    redisClients.push(pub, sub);
    for (const connection of redisClients) {
      connection.on('error', (error) =>
        logger.warn({ err: error, component: 'socket.io-redis' }, 'redis connection error'),
      );
    }
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (error) {
      redisClients.forEach((client) => client.disconnect());
      throw new Error(`Could not connect to Redis at REDIS_URL for socket.io: ${(error as Error).message}`, {
        cause: error,
      });
    }
    io.adapter(createAdapter(pub, sub));
  }
  return {
    io,
    close: async () => {
      // Not io.close(): that would also close the HTTP server, which Fastify closes itself.
      io.disconnectSockets(true);
      io.engine.close();
      await Promise.all(redisClients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}
