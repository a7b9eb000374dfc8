// The host's side of attendance: the report (JSON and CSV) and the certificate policy (the share of
// the live time that earns a certificate, or none). Host and co-hosts only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError } from '../../common/errors.ts';
import { AttendanceReport, CertificatePolicy } from '../../common/protocol/rest/attendance.ts';
import { CertificateRepository } from '../certificates/certificate-repository.ts';
import { problems, Type } from '../http/schemas.ts';
import { attendanceCsv } from './attendance-csv.ts';
import { AttendanceReports } from './attendance-report.ts';
import type { ParticipationSource } from './participation-source.ts';
import { WebinarAccess } from './webinar-access.ts';
import { WebinarRepository } from './webinar-repository.ts';

export interface AttendanceRouteDeps {
  prisma: PrismaClient;
  participation: ParticipationSource;
}

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });

export function registerAttendanceRoutes(app: FastifyInstance, { prisma, participation }: AttendanceRouteDeps): void {
  const webinars = new WebinarRepository(prisma);
  const access = new WebinarAccess(prisma, webinars);
  const reports = new AttendanceReports(prisma, participation);
  const certificates = new CertificateRepository(prisma);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/webinars/:id/attendance',
    {
      schema: {
        tags: ['webinars'],
        summary: 'The attendance report: registrants, attendees, no-shows, the concurrent timeline (host and co-hosts)',
        params: Params,
        response: { 200: AttendanceReport, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { webinar } = await access.toHost(request, request.params.id);
      return reply.header('cache-control', 'private, no-store').send(await reports.report(webinar));
    },
  );

  api.get(
    '/api/v1/webinars/:id/attendance.csv',
    {
      schema: {
        tags: ['webinars'],
        summary: 'The attendance report as CSV (RFC 4180), one row per named attendee (host and co-hosts)',
        params: Params,
        response: {
          200: { description: 'One row per attendee.', content: { 'text/csv': { schema: Type.String() } } },
          ...problems(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { webinar } = await access.toHost(request, request.params.id);
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', 'attachment; filename="attendance.csv"')
        .header('cache-control', 'private, no-store')
        .send(attendanceCsv(await reports.report(webinar)));
    },
  );

  api.get(
    '/api/v1/webinars/:id/certificate-policy',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Who gets a certificate of attendance: the share of the live time, or none (host and co-hosts)',
        params: Params,
        response: { 200: CertificatePolicy, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const { webinar } = await access.toHost(request, request.params.id);
      return { thresholdPercent: await certificates.thresholdOf(webinar.id) };
    },
  );

  api.put(
    '/api/v1/webinars/:id/certificate-policy',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Give certificates to attendees at or above a share of the live time, or none; until it ends (host)',
        params: Params,
        body: CertificatePolicy,
        response: { 200: CertificatePolicy, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { webinar } = await access.toHost(request, request.params.id);
      // Certificates are issued at the end, by the policy then: changing it later would change nothing.
      if (webinar.state === 'ended')
        throw new ConflictError('webinar_ended', 'The webinar has ended: its certificates are issued.');
      await certificates.setThreshold(webinar.id, request.body.thresholdPercent);
      return { thresholdPercent: request.body.thresholdPercent };
    },
  );
}
