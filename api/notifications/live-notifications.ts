// When a channel goes live, its followers are notified. Runs where streams start (signaling).
import type { Server as SocketServer } from 'socket.io';
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import type { LiveStreams } from '../../signaling/live-streams.ts';

export function notifyFollowersWhenLive(_live: LiveStreams, _deps: { prisma: PrismaClient; io: SocketServer; logger: Logger }): void {}
