// Certificates of attendance: anyone can check a number (the public verification page asks here:
// genuine, revoked, or no such certificate; a mistyped or tampered number is refused by its check
// character before any lookup); the holder and the webinar's hosts download its PDF; the hosts
// revoke it; a signed-in user lists theirs (the account page) or asks for theirs of a webinar.
import fs from 'node:fs';
import path from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { Certificate, CertificateList, CertificateVerification } from '../../common/protocol/rest/attendance.ts';
import { requireUser } from '../accounts/auth.ts';
import { problems, Type } from '../http/schemas.ts';
import { STORED_NAME } from '../uploads/image-store.ts';
import { hostRoleOf } from '../webinars/webinar-access.ts';
import { WebinarRepository } from '../webinars/webinar-repository.ts';
import { formatCertificateNumber, parseCertificateNumber } from './certificate-number.ts';
import { certificatePdf } from './certificate-pdf.ts';
import { CertificateRepository, type CertificateRow } from './certificate-repository.ts';

export interface CertificateRouteDeps {
  prisma: PrismaClient;
  /** Where channel avatars are kept: the certificate shows the channel's. */
  uploadsDir: string;
}

const NumberParams = Type.Object({ number: Type.String({ maxLength: 64 }) });
const WebinarParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
/** Checking numbers by the thousand would find nothing, but is no use anyone has. */
const rateLimit = { max: 60, timeWindow: '1 minute' };

export class CertificateRevokedError extends AppError {
  constructor() {
    super(410, 'certificate_revoked', 'This certificate was revoked by the webinar’s host.');
  }
}

export function registerCertificateRoutes(app: FastifyInstance, deps: CertificateRouteDeps): void {
  const { prisma, uploadsDir } = deps;
  const certificates = new CertificateRepository(prisma);
  const webinars = new WebinarRepository(prisma);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  /** The certificate of `input`, or 404 alike for a malformed, tampered or unknown number. */
  async function certificateOr404(input: string): Promise<CertificateRow> {
    const number = parseCertificateNumber(input);
    const row = number ? await certificates.byNumber(number) : null;
    if (!row) throw new NotFoundError('Certificate', input);
    return row;
  }

  /** Whether `userId` hosts (or co-hosts) the certificate's webinar. */
  async function hostsIt(request: FastifyRequest, row: CertificateRow): Promise<boolean> {
    const user = await requireUser(request);
    const webinar = await webinars.byId(row.webinarId);
    return webinar !== undefined && (await hostRoleOf(prisma, user, webinar)) !== undefined;
  }

  // The site as the caller reached it, as the registration's join links are made.
  const verifyUrl = (request: FastifyRequest, number: string) =>
    `${request.protocol}://${request.host}/certificates/${formatCertificateNumber(number)}`;

  function verification(row: CertificateRow): CertificateVerification {
    return {
      number: formatCertificateNumber(row.number),
      status: row.revokedAt ? 'revoked' : 'genuine',
      attendeeName: row.attendeeName,
      webinarTitle: row.webinarTitle,
      hostName: row.hostName,
      webinarDate: row.webinarStartedAt.toISOString(),
      attendedSeconds: row.attendedSeconds,
      liveSeconds: row.liveSeconds,
      issuedAt: row.issuedAt.toISOString(),
      revokedAt: row.revokedAt?.toISOString() ?? null,
    };
  }

  function certificate(request: FastifyRequest, row: CertificateRow): Certificate {
    return {
      ...verification(row),
      webinarId: row.webinarId,
      pdfUrl: `/api/v1/certificates/${row.number}/certificate.pdf`,
      verifyUrl: verifyUrl(request, row.number),
    };
  }

  api.get(
    '/api/v1/certificates/:number',
    {
      config: { rateLimit },
      schema: {
        tags: ['webinars'],
        summary: 'Check a certificate of attendance: genuine or revoked, and for whom (anyone)',
        params: NumberParams,
        response: { 200: CertificateVerification, ...problems(404) },
      },
    },
    async (request) => verification(await certificateOr404(request.params.number)),
  );

  api.get(
    '/api/v1/certificates/:number/certificate.pdf',
    {
      schema: {
        tags: ['webinars'],
        summary: 'The certificate as a PDF (its holder, and the webinar’s hosts)',
        params: NumberParams,
        response: {
          200: {
            description: 'The certificate.',
            content: { 'application/pdf': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } },
          },
          ...problems(401, 403, 404, 410),
        },
      },
    },
    async (request, reply) => {
      const row = await certificateOr404(request.params.number);
      const user = await requireUser(request);
      if (row.userId !== user.id && !(await hostsIt(request, row)))
        throw new ForbiddenError('Only its holder and the webinar’s hosts can download this certificate.');
      if (row.revokedAt) throw new CertificateRevokedError();
      const pdf = await certificatePdf({
        attendeeName: row.attendeeName,
        webinarTitle: row.webinarTitle,
        hostName: row.hostName,
        webinarDate: row.webinarStartedAt,
        attendedSeconds: row.attendedSeconds,
        liveSeconds: row.liveSeconds,
        number: formatCertificateNumber(row.number),
        verifyUrl: verifyUrl(request, row.number),
        avatar: await avatarOf(uploadsDir, row.webinar.channel.avatarPath),
      });
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="certificate-${row.number}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(pdf));
    },
  );

  api.post(
    '/api/v1/certificates/:number/revoke',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Revoke a certificate: its page then says so (the webinar’s host and co-hosts)',
        params: NumberParams,
        response: { 200: Certificate, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const row = await certificateOr404(request.params.number);
      if (!(await hostsIt(request, row)))
        throw new ForbiddenError('Only the webinar’s host and co-hosts can revoke its certificates.');
      await certificates.revoke(row.number);
      return certificate(request, (await certificates.byNumber(row.number))!);
    },
  );

  api.get(
    '/api/v1/me/certificates',
    {
      schema: {
        tags: ['webinars'],
        summary: 'The caller’s certificates of attendance, latest webinar first',
        response: { 200: CertificateList, ...problems(401) },
      },
    },
    async (request) => {
      const user = await requireUser(request);
      return { items: (await certificates.ofUser(user.id)).map((row) => certificate(request, row)) };
    },
  );

  api.get(
    '/api/v1/webinars/:id/certificate',
    {
      schema: {
        tags: ['webinars'],
        summary: 'The caller’s certificate of this webinar, if they earned one',
        params: WebinarParams,
        response: { 200: Certificate, ...problems(401, 404) },
      },
    },
    async (request) => {
      const user = await requireUser(request);
      const row = UUID.test(request.params.id) ? await certificates.ofWebinarAndUser(request.params.id, user.id) : null;
      if (!row) throw new NotFoundError('Certificate');
      return certificate(request, row);
    },
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The channel's avatar for the PDF, when it is an image pdf-lib embeds (PNG, JPEG). */
async function avatarOf(
  uploadsDir: string,
  avatarPath: string | null,
): Promise<{ bytes: Uint8Array; type: 'png' | 'jpg' } | undefined> {
  if (!avatarPath || !STORED_NAME.test(avatarPath)) return undefined;
  const type = avatarPath.endsWith('.png') ? 'png' : avatarPath.endsWith('.jpg') ? 'jpg' : undefined;
  if (!type) return undefined;
  try {
    return { bytes: await fs.promises.readFile(path.join(uploadsDir, avatarPath)), type };
  } catch {
    return undefined; // removed meanwhile: the initial stands in
  }
}
