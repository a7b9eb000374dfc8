// The signed-in user's notifications over REST: the list (newest first, optionally unread only)
// and marking them read. Marking read tells the user's other open pages the new unread count.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError } from '../../common/errors.ts';
import { requireUser } from '../accounts/auth.ts';
import { Notification, NotificationPage, UnreadCount } from '../../common/protocol/rest/notifications.ts';
import { PageQuery, problems, Type, Uuid } from '../http/schemas.ts';
import type { NotificationPush } from './notification-push.ts';
import { listNotifications, markRead } from './notification-store.ts';

/** NotificationPage, with each item as the document's shared 'Notification' schema. */
const NotificationPageResponse = Type.Object({
  ...NotificationPage.properties,
  items: Type.Array(Type.Ref('Notification')),
});

export interface NotificationRouteDeps {
  prisma: PrismaClient;
  /** Tells the user's other open pages their new unread count. */
  push: NotificationPush;
}

export function registerNotificationRoutes(app: FastifyInstance, { prisma, push }: NotificationRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(Notification);

  api.get(
    '/api/v1/me/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: "The caller's notifications, newest first, with the unread count",
        querystring: Type.Object(
          { ...PageQuery.properties, unread: Type.Optional(Type.Boolean({ description: 'true: only unread ones.' })) },
          { additionalProperties: false },
        ),
        response: { 200: NotificationPageResponse, ...problems(400, 401) },
      },
    },
    async (request): Promise<NotificationPage> => {
      const user = await requireUser(request);
      const { cursor, limit = 20, unread = false } = request.query;
      return listNotifications(prisma, user.id, { cursor, limit, unreadOnly: unread });
    },
  );

  api.post(
    '/api/v1/me/notifications/read',
    {
      schema: {
        tags: ['notifications'],
        summary: "Mark some (ids) or all of the caller's notifications read",
        body: Type.Object(
          {
            ids: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 100, uniqueItems: true })),
            all: Type.Optional(Type.Literal(true)),
          },
          { additionalProperties: false },
        ),
        response: { 200: UnreadCount, ...problems(400, 401, 403) },
      },
    },
    async (request): Promise<UnreadCount> => {
      const user = await requireUser(request);
      const { ids, all } = request.body;
      if (!all && !ids)
        throw new BadRequestError('Say which notifications to mark read: ids, or all: true.', {
          code: 'nothing_to_mark',
        });
      const unreadCount = await markRead(prisma, user.id, all ? 'all' : { ids: ids! });
      push.unreadCount(user.id, unreadCount);
      return { unreadCount };
    },
  );
}
