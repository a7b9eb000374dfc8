// Creating and editing channels, their images, stream keys and moderators, from the studio.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';

export function registerChannelManagementRoutes(_app: FastifyInstance, _deps: { prisma: PrismaClient; uploadsDir: string }): void {}
