// Serves uploaded images (avatars, banners, emotes) under /uploads/.
import type { FastifyInstance } from 'fastify';

export function registerUploadFileRoutes(_app: FastifyInstance, _uploadsDir: string): void {}
