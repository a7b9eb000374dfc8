// Discovery: live now, categories and tags, full-text search, recommendations.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';

export function registerDiscoveryRoutes(_app: FastifyInstance, _deps: { prisma: PrismaClient }): void {}
