// Follow and unfollow channels; the channels a user follows.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';

export function registerFollowRoutes(_app: FastifyInstance, _deps: { prisma: PrismaClient }): void {}
