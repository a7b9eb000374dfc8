// A webinar's backstage chat: its host, co-hosts and panelists on stage write to each other before
// and during it ("you're muted", "next slide", "wrap up in five"), where attendees never see it.
// Messages are kept with the webinar, so whoever joins the stage later reads what was said, and
// reach the stage live through its media sessions (backstage-chat.ts). Read after the webinar
// ended too; written only until then.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, ConflictError } from '../../common/errors.ts';
import { normalizeText } from '../../common/text.ts';
import { BACKSTAGE_MESSAGE_MAX, BackstageMessage } from '../../common/protocol/rest/webinars.ts';
import { problems, Type } from '../http/schemas.ts';
import type { BackstageMessagePosted } from './backstage-chat.ts';
import { WebinarAccess } from './webinar-access.ts';
import { WebinarRepository } from './webinar-repository.ts';

export interface BackstageChatRouteDeps {
  prisma: PrismaClient;
  posted: BackstageMessagePosted;
}

/** What the stage reads on joining: a webinar's backstage talk is short, this is all of it in practice. */
const HISTORY = 200;
/** A person typing; more is a stuck key or a script. */
const rateLimit = { max: 30, timeWindow: '1 minute' };
const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const author = { select: { id: true, username: true, name: true } } as const;

type Row = {
  id: string;
  body: string;
  createdAt: Date;
  user: { id: string; username: string; name: string };
};

function toMessage(row: Row): BackstageMessage {
  return {
    id: row.id,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    author: { userId: row.user.id, username: row.user.username, name: row.user.name },
  };
}

export function registerBackstageChatRoutes(app: FastifyInstance, { prisma, posted }: BackstageChatRouteDeps): void {
  const access = new WebinarAccess(prisma, new WebinarRepository(prisma));
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/webinars/:id/backstage/messages',
    {
      schema: {
        tags: ['webinars'],
        summary: `The backstage chat, oldest first (its last ${HISTORY} messages; host, co-hosts and panelists on stage)`,
        params: Params,
        response: { 200: Type.Array(BackstageMessage), ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const { webinar } = await access.toBackstage(request, request.params.id);
      const rows = await prisma.webinarBackstageMessage.findMany({
        where: { webinarId: webinar.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: HISTORY,
        include: { user: author },
      });
      return rows.reverse().map(toMessage);
    },
  );

  api.post(
    '/api/v1/webinars/:id/backstage/messages',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Write to the backstage chat (host, co-hosts and panelists on stage; until the webinar ends)',
        params: Params,
        body: Type.Object(
          { body: Type.String({ minLength: 1, maxLength: BACKSTAGE_MESSAGE_MAX * 2 }) },
          { additionalProperties: false },
        ),
        response: { 201: BackstageMessage, ...problems(400, 401, 403, 404, 409, 429) },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      const { webinar, user } = await access.toBackstage(request, request.params.id);
      if (webinar.state === 'ended')
        throw new ConflictError('webinar_ended', 'The webinar has ended: its backstage chat is closed.');
      const body = messageBody(request.body.body);
      const row = await prisma.webinarBackstageMessage.create({
        data: { webinarId: webinar.id, userId: user.id, body },
        include: { user: author },
      });
      const message = toMessage(row);
      posted(webinar.id, message);
      return reply.status(201).send(message);
    },
  );
}

/** One line of text, as a chat message: trimmed, no control characters, not empty, not too long. */
function messageBody(raw: string): string {
  const normalized = normalizeText(raw, 'line');
  if (!normalized.ok) throw new AppError(400, 'bad_request', `The message ${normalized.problem}.`);
  const body = normalized.text;
  if (body.length === 0) throw new AppError(400, 'empty', 'The message is empty.');
  if ([...body].length > BACKSTAGE_MESSAGE_MAX)
    throw new AppError(400, 'too_long', `A message can be at most ${BACKSTAGE_MESSAGE_MAX} characters long.`);
  return body;
}
