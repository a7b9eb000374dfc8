// Registration for a webinar whose audience is 'registered' (Zoom Webinars' registration): a
// signed-in user registers, answering the host's questions, and gets a personal join link and an
// .ics file; the host and co-hosts list the registrants, approve or decline them, and export them
// as CSV. Registering, capacity and decisions are in registration-repository.ts.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, ConflictError } from '../../common/errors.ts';
import {
  MyRegistration,
  Registrant,
  RegistrantList,
  REGISTRATION_ANSWER_MAX,
  REGISTRATION_QUESTIONS_MAX,
} from '../../common/protocol/rest/webinars.ts';
import { cookieAttributes, requireUser, userOf } from '../accounts/auth.ts';
import { problems, TextBlock, Type } from '../http/schemas.ts';
import type { StageChanged } from './stage-changes.ts';
import { registrantsCsv } from './registrants-csv.ts';
import {
  joinCookieName,
  questionsOf,
  RegistrationRepository,
  type RegistrationRow,
} from './registration-repository.ts';
import { WebinarAccess } from './webinar-access.ts';
import { webinarCalendar } from './webinar-calendar.ts';
import { WebinarRepository, type WebinarRow } from './webinar-repository.ts';

export interface RegistrationRouteDeps {
  prisma: PrismaClient;
  stageChanged: StageChanged;
}

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const RegistrantParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  registrationId: Type.String({ maxLength: 64 }),
});
const TokenQuery = Type.Object(
  { token: Type.Optional(Type.String({ maxLength: 64, description: "The personal join link's token." })) },
  { additionalProperties: false },
);
const RegisterBody = Type.Object(
  {
    answers: Type.Array(TextBlock({ maxLength: REGISTRATION_ANSWER_MAX }), {
      maxItems: REGISTRATION_QUESTIONS_MAX,
      default: [],
    }),
  },
  { additionalProperties: false },
);
const DecisionBody = Type.Object(
  { status: Type.Union([Type.Literal('approved'), Type.Literal('declined')]) },
  { additionalProperties: false },
);

/** A join link's cookie outlives any webinar's day (it admits nothing once the registration goes). */
const JOIN_COOKIE_DAYS = 30;

const notRegistered = () => new AppError(404, 'not_registered', 'No registration of yours for this webinar.');

export function registerRegistrationRoutes(
  app: FastifyInstance,
  { prisma, stageChanged }: RegistrationRouteDeps,
): void {
  const webinars = new WebinarRepository(prisma);
  const registrations = new RegistrationRepository(prisma);
  const access = new WebinarAccess(prisma, webinars);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // The address the registrant reached us at (behind a proxy, with trustProxy, the one they typed):
  // the link then works from where they are, whatever PUBLIC_URL's default guessed.
  const joinUrl = (request: FastifyRequest, webinarId: string, token: string) =>
    `${request.protocol}://${request.host}/webinars/${webinarId}?join=${encodeURIComponent(token)}`;

  const mine = (request: FastifyRequest, row: RegistrationRow): MyRegistration => ({
    id: row.id,
    status: row.status,
    name: row.user.name,
    email: row.user.email,
    answers: row.answers,
    joinUrl: joinUrl(request, row.webinarId, row.joinToken),
    calendarUrl: `/api/v1/webinars/${row.webinarId}/registration/calendar.ics?token=${encodeURIComponent(row.joinToken)}`,
    createdAt: row.createdAt.toISOString(),
  });

  const registrant = (row: RegistrationRow): Registrant => ({
    id: row.id,
    status: row.status,
    username: row.user.username,
    name: row.user.name,
    email: row.user.email,
    answers: row.answers,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });

  /**
   * The caller's registration: the join link's token's if given, else the signed-in user's, else
   * the one of the join link this browser opened (its cookie).
   */
  async function callersRegistration(request: FastifyRequest, webinar: WebinarRow, token: string | undefined) {
    if (token !== undefined) return (await registrations.byToken(webinar.id, token)) ?? undefined;
    const user = await userOf(request);
    if (user) return (await registrations.ofUser(webinar.id, user.id)) ?? undefined;
    const fromCookie = request.cookies?.[joinCookieName(webinar.id)];
    if (fromCookie) return (await registrations.byToken(webinar.id, fromCookie)) ?? undefined;
    throw new AppError(401, 'unauthorized', 'Sign in, or open your personal join link.');
  }

  api.get(
    '/api/v1/webinars/:id/registration',
    {
      schema: {
        tags: ['webinars'],
        summary: "The caller's registration (signed in, or by the join link's token)",
        params: Params,
        querystring: TokenQuery,
        response: { 200: MyRegistration, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const webinar = await access.toRead(request, request.params.id);
      const row = await callersRegistration(request, webinar, request.query.token);
      if (!row) throw notRegistered();
      return mine(request, row);
    },
  );

  api.post(
    '/api/v1/webinars/:id/registration',
    {
      schema: {
        tags: ['webinars'],
        summary: "Register for the webinar (signed in), answering the host's questions",
        params: Params,
        body: RegisterBody,
        response: { 201: MyRegistration, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request);
      const webinar = await access.toRead(request, request.params.id);
      const row = await registrations.register(webinar.id, user.id, request.body.answers ?? []);
      return reply.status(201).send(mine(request, row));
    },
  );

  api.post(
    '/api/v1/webinars/:id/registration/join',
    {
      schema: {
        tags: ['webinars'],
        summary:
          "Trade a personal join link's token for this browser's seat (an HttpOnly cookie): the stage and the HLS then admit it signed out",
        params: Params,
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: MyRegistration, ...problems(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const webinar = await access.toRead(request, request.params.id);
      const row = await registrations.byToken(webinar.id, request.body.token);
      if (!row || row.status === 'cancelled' || row.status === 'declined') throw notRegistered();
      reply.setCookie(joinCookieName(webinar.id), row.joinToken, {
        ...cookieAttributes(reply),
        maxAge: JOIN_COOKIE_DAYS * 24 * 3600,
      });
      return mine(request, row);
    },
  );

  api.delete(
    '/api/v1/webinars/:id/registration',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Cancel your registration (you may register again)',
        params: Params,
        response: { 200: MyRegistration, ...problems(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const user = await requireUser(request);
      const webinar = await access.toRead(request, request.params.id);
      const row = await registrations.cancel(webinar.id, user.id);
      stageChanged({ webinarId: webinar.id, userId: user.id });
      return mine(request, row);
    },
  );

  api.get(
    '/api/v1/webinars/:id/registration/calendar.ics',
    {
      schema: {
        tags: ['webinars'],
        summary: 'The webinar as an iCalendar file (RFC 5545) with your personal join link (approved registrants)',
        params: Params,
        querystring: TokenQuery,
        response: {
          200: { description: 'The .ics file.', content: { 'text/calendar': { schema: Type.String() } } },
          ...problems(401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const webinar = await access.toRead(request, request.params.id);
      const row = await callersRegistration(request, webinar, request.query.token);
      if (!row) throw notRegistered();
      if (row.status !== 'approved')
        throw new ConflictError('registration_not_approved', `Your registration is ${row.status}.`);
      const url = joinUrl(request, webinar.id, row.joinToken);
      const ics = webinarCalendar({
        uid: `${row.id}@webinars.aethex-live`,
        start: webinar.scheduledStart,
        end: new Date(webinar.scheduledStart.getTime() + webinar.durationMinutes * 60_000),
        stamp: new Date(),
        summary: webinar.title,
        description: [
          webinar.description,
          `Hosted by ${webinar.channel.title || webinar.channel.slug}.`,
          `Join: ${url}`,
        ]
          .filter(Boolean)
          .join('\n\n'),
        url,
      });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'attachment; filename="webinar.ics"')
        .header('cache-control', 'private, no-store')
        .send(ics);
    },
  );

  api.get(
    '/api/v1/webinars/:id/registrants',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Everyone who registered, earliest first, with their answers (host and co-hosts)',
        params: Params,
        response: { 200: RegistrantList, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const { webinar } = await access.toHost(request, request.params.id);
      const rows = await registrations.list(webinar.id);
      const counts = { pending: 0, approved: 0, declined: 0, cancelled: 0 };
      for (const row of rows) counts[row.status]++;
      return { items: rows.map(registrant), counts };
    },
  );

  api.get(
    '/api/v1/webinars/:id/registrants.csv',
    {
      schema: {
        tags: ['webinars'],
        summary: 'The registrants as CSV (RFC 4180), one column per question (host and co-hosts)',
        params: Params,
        response: {
          200: { description: 'One row per registrant.', content: { 'text/csv': { schema: Type.String() } } },
          ...problems(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { webinar } = await access.toHost(request, request.params.id);
      const rows = await registrations.list(webinar.id);
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', 'attachment; filename="registrants.csv"')
        .header('cache-control', 'private, no-store')
        .send(registrantsCsv(questionsOf(webinar.registrationQuestions), rows.map(registrant)));
    },
  );

  api.patch(
    '/api/v1/webinars/:id/registrants/:registrationId',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Approve or decline a registrant (host and co-hosts)',
        params: RegistrantParams,
        body: DecisionBody,
        response: { 200: Registrant, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { webinar } = await access.toHost(request, request.params.id);
      if (!UUID.test(request.params.registrationId))
        throw new AppError(404, 'not_found', `Registrant '${request.params.registrationId}' does not exist.`);
      const row = await registrations.decide(webinar.id, request.params.registrationId, request.body.status);
      // A declined registrant who is watching is asked for their seat again (and refused).
      if (row.status === 'declined') stageChanged({ webinarId: webinar.id, userId: row.userId });
      return registrant(row);
    },
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
