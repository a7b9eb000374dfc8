// The Q&A's HTTP side: its export. Everything live goes through the /qa socket (qa-socket.ts).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { problems, Type } from '../http/schemas.ts';
import { questionsCsv } from './qa-csv.ts';
import { questionView, type QaRepository } from './qa-repository.ts';
import { WebinarAccess } from './webinar-access.ts';
import { WebinarRepository } from './webinar-repository.ts';

export interface QaRouteDeps {
  prisma: PrismaClient;
  questions: QaRepository;
}

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });

export function registerQaRoutes(app: FastifyInstance, { prisma, questions }: QaRouteDeps): void {
  const access = new WebinarAccess(prisma, new WebinarRepository(prisma));
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/webinars/:id/questions.csv',
    {
      schema: {
        tags: ['webinars'],
        summary:
          'The Q&A as CSV (RFC 4180): every question with its asker, state, votes and answer (host and co-hosts)',
        params: Params,
        response: {
          200: {
            description: 'One row per question, oldest first.',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...problems(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { webinar } = await access.toHost(request, request.params.id);
      const rows = await questions.list(webinar.id, { audience: 'host' });
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', 'attachment; filename="questions.csv"')
        .header('cache-control', 'private, no-store')
        .send(questionsCsv(rows.map((row) => questionView(row, 'host'))));
    },
  );
}
