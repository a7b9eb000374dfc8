// Creating and editing channels, their images, emotes, stream keys and moderators, from the studio.
// One encapsulated plugin: the multipart parser the uploads need is registered here and applies
// to these routes only.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { registerStreamKeyRoutes } from '../stream-keys/stream-key-routes.ts';
import type { AccessNarrowed } from '../viewer-access/access-changes.ts';
import { ImageStore } from '../uploads/image-store.ts';
import { registerChannelEditRoutes } from './channel-edit-routes.ts';
import { registerChannelImageRoutes } from './channel-image-routes.ts';
import { addChannelSchema } from './channel-view.ts';
import { registerEmoteRoutes } from './emote-routes.ts';
import { registerModeratorRoutes } from './moderator-routes.ts';

export interface ChannelManagementRouteDeps {
  prisma: PrismaClient;
  /** Where avatars, banners and emotes are stored (served at /uploads/). */
  uploadsDir: string;
  /** Announces that a channel was made private, so its viewers are asked again. */
  accessNarrowed: AccessNarrowed;
  /** How many channels one account may own (MAX_CHANNELS_PER_USER); admins may own more. */
  maxChannelsPerUser: number;
}

export function registerChannelManagementRoutes(
  app: FastifyInstance,
  { prisma, uploadsDir, accessNarrowed, maxChannelsPerUser }: ChannelManagementRouteDeps,
): void {
  addChannelSchema(app);
  const images = new ImageStore(uploadsDir, app.log.child({ component: 'uploads' }));
  app.register(async (scope) => {
    // Tight defaults; each upload route narrows them further (ImageStore.receive).
    await scope.register(multipart, {
      throwFileSizeLimit: true,
      limits: { files: 1, fields: 2, parts: 3, fieldSize: 256, fileSize: 1024 * 1024, headerPairs: 100 },
    });
    registerChannelEditRoutes(scope, { prisma, accessNarrowed, maxChannelsPerUser });
    registerChannelImageRoutes(scope, { prisma, images });
    registerEmoteRoutes(scope, { prisma, images });
    registerStreamKeyRoutes(scope, { prisma });
    registerModeratorRoutes(scope, { prisma, accessNarrowed });
  });
}
