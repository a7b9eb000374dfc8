// Webinars over REST: the host (the channel's owner, or an admin) announces, edits, deletes and
// runs them (backstage, start, end); anyone who may watch the channel reads them; discovery lists
// the live and upcoming ones of public channels.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, NotFoundError, PrivateChannelError } from '../../common/errors.ts';
import {
  REGISTRATION_CAPACITY_MAX,
  RegistrationQuestions,
  Webinar,
  WebinarAudience,
  WEBINAR_DESCRIPTION_MAX,
  WEBINAR_MAX_MINUTES,
  WEBINAR_MIN_MINUTES,
  WEBINAR_TITLE_MAX,
  WebinarPage,
} from '../../common/protocol/rest/webinars.ts';
import { requireUser } from '../accounts/auth.ts';
import { channelBySlugOr404, channelToManage } from '../channels/permissions.ts';
import { DateTime, NoContent, PageQuery, problems, SlugParams, TextBlock, TextLine, Type } from '../http/schemas.ts';
import { uploadUrl, type ImageStore } from '../uploads/image-store.ts';
import { requestCanWatch } from '../viewer-access/watch-access.ts';
import type { StageChanged } from './stage-changes.ts';
import type { WebinarBroadcastPublisher } from './webinar-broadcasts.ts';
import { questionsOf, RegistrationRepository } from './registration-repository.ts';
import { createWebinarRecordings, type WebinarVod } from './webinar-recordings.ts';
import { WebinarAccess } from './webinar-access.ts';
import { WebinarRepository, type WebinarRow } from './webinar-repository.ts';
import { checkReschedulable, checkScheduledStart, type WebinarAction } from './webinar-rules.ts';

export interface WebinarRouteDeps {
  prisma: PrismaClient;
  stageChanged: StageChanged;
  /** Tells the recorder a webinar went live or ended. */
  broadcast: WebinarBroadcastPublisher;
  /** Where covers are kept: a deleted webinar's goes with it. */
  images: ImageStore;
}

const Title = TextLine({ minLength: 1, maxLength: WEBINAR_TITLE_MAX });
const Description = TextBlock({ maxLength: WEBINAR_DESCRIPTION_MAX });
const Duration = Type.Integer({
  minimum: WEBINAR_MIN_MINUTES,
  maximum: WEBINAR_MAX_MINUTES,
  description: 'Expected length in minutes.',
});

/** How the webinar takes registrations (when its audience is 'registered'). */
const RegistrationFields = {
  registrationApproval: Type.Optional(Type.Boolean({ description: 'The host approves each registrant.' })),
  registrationCapacity: Type.Optional(
    // One type list, not a union: Ajv's type coercion would read a 0 as the null branch.
    Type.Unsafe<number | null>({
      type: ['integer', 'null'],
      minimum: 1,
      maximum: REGISTRATION_CAPACITY_MAX,
      description: 'At most this many pending and approved registrants; null: no limit.',
    }),
  ),
  registrationQuestions: Type.Optional(RegistrationQuestions),
};

const HandRaising = Type.Boolean({ description: 'Attendees may raise a hand to ask for the stage (default on).' });

const NewWebinarBody = Type.Object(
  {
    title: Title,
    description: Type.Optional(Description),
    scheduledStart: DateTime,
    durationMinutes: Duration,
    audience: Type.Optional(WebinarAudience),
    ...RegistrationFields,
    handRaising: Type.Optional(HandRaising),
  },
  { additionalProperties: false },
);

const WebinarChangeBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    scheduledStart: Type.Optional(DateTime),
    durationMinutes: Type.Optional(Duration),
    audience: Type.Optional(WebinarAudience),
    ...RegistrationFields,
    handRaising: Type.Optional(HandRaising),
  },
  { additionalProperties: false, minProperties: 1 },
);

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const ChannelWebinarsQuery = Type.Object(
  {
    ...PageQuery.properties,
    when: Type.Optional(
      Type.Union([Type.Literal('upcoming'), Type.Literal('past')], {
        default: 'upcoming',
        description: 'upcoming: not ended, soonest first; past: ended, latest first.',
      }),
    ),
  },
  { additionalProperties: false },
);

const DISCOVERY_LIMIT = 24;

export function registerWebinarRoutes(
  app: FastifyInstance,
  { prisma, stageChanged, broadcast, images }: WebinarRouteDeps,
): void {
  const webinars = new WebinarRepository(prisma);
  const registrations = new RegistrationRepository(prisma);
  const access = new WebinarAccess(prisma, webinars);
  const recordings = createWebinarRecordings(prisma);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  if (!app.getSchema('Webinar')) app.addSchema(Webinar);

  /** The answers for `rows`, with a constant number of queries however many there are. */
  async function views(rows: readonly WebinarRow[], request: FastifyRequest): Promise<Webinar[]> {
    const ended = rows.flatMap((row) => (row.state === 'ended' && row.streamId ? [row.streamId] : []));
    const limited = rows.flatMap((row) => (row.registrationCapacity !== null ? [row.id] : []));
    const [vods, hosted, held] = await Promise.all([
      recordings.vodsOf(ended),
      access.hostedAmong(request, rows),
      registrations.holding(limited),
    ]);
    return rows.map((row) =>
      toView(row, row.streamId ? vods.get(row.streamId) : undefined, hosted.has(row.id), held.get(row.id) ?? 0),
    );
  }

  async function view(row: WebinarRow, request: FastifyRequest): Promise<Webinar> {
    return (await views([row], request))[0]!;
  }

  function toView(row: WebinarRow, vod: WebinarVod | undefined, canManage: boolean, held: number): Webinar {
    return {
      id: row.id,
      channel: {
        slug: row.channel.slug,
        title: row.channel.title,
        avatarUrl: row.channel.avatarPath ? uploadUrl(row.channel.avatarPath) : null,
      },
      title: row.title,
      description: row.description,
      scheduledStart: row.scheduledStart.toISOString(),
      durationMinutes: row.durationMinutes,
      audience: row.audience,
      state: row.state,
      coverUrl: row.coverPath ? uploadUrl(row.coverPath) : null,
      startedAt: row.startedAt?.toISOString() ?? null,
      endedAt: row.endedAt?.toISOString() ?? null,
      recording: vod
        ? {
            vodId: vod.id,
            durationSeconds: vod.durationSeconds,
            posterUrl: vod.posterPath ? `/vod/${vod.id}/poster.jpg` : null,
          }
        : null,
      createdAt: row.createdAt.toISOString(),
      canManage,
      registration: {
        approval: row.registrationApproval,
        capacity: row.registrationCapacity,
        questions: questionsOf(row.registrationQuestions),
        full: row.registrationCapacity !== null && held >= row.registrationCapacity,
      },
      handRaising: row.handRaising,
    };
  }

  api.post(
    '/api/v1/channels/:slug/webinars',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Announce a webinar of the channel (owner or admin)',
        params: SlugParams,
        body: NewWebinarBody,
        response: { 201: Type.Ref('Webinar'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const channel = await channelToManage(prisma, await requireUser(request), request.params.slug);
      const { title, description, scheduledStart, durationMinutes, audience, ...registration } = request.body;
      const start = new Date(scheduledStart);
      checkScheduledStart(start);
      const row = await webinars.create(channel.id, {
        title,
        description: description ?? '',
        scheduledStart: start,
        durationMinutes,
        audience: audience ?? 'anyone',
        registrationApproval: registration.registrationApproval ?? false,
        registrationCapacity: registration.registrationCapacity ?? null,
        registrationQuestions: registration.registrationQuestions ?? [],
        handRaising: registration.handRaising ?? true,
      });
      return reply.status(201).send(await view(row, request));
    },
  );

  api.get(
    '/api/v1/channels/:slug/webinars',
    {
      schema: {
        tags: ['webinars'],
        summary: "The channel's upcoming (and live) webinars, soonest first, or its past ones, latest first",
        params: SlugParams,
        querystring: ChannelWebinarsQuery,
        response: { 200: WebinarPage, ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      const channel = await channelBySlugOr404(prisma, request.params.slug);
      if (!(await requestCanWatch(prisma, request, channel))) throw new PrivateChannelError(channel.slug);
      const { cursor, limit, when } = request.query;
      const page = await webinars.ofChannel(channel.id, when ?? 'upcoming', { cursor, limit: limit ?? 20 });
      return { items: await views(page.items, request), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/api/v1/webinars/:id',
    {
      schema: {
        tags: ['webinars'],
        summary: 'A webinar: what it is, when, and where it stands',
        params: IdParams,
        response: { 200: Type.Ref('Webinar'), ...problems(403, 404) },
      },
    },
    async (request) => view(await access.toRead(request, request.params.id), request),
  );

  api.patch(
    '/api/v1/webinars/:id',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Edit a webinar (host); its start can move only while it is scheduled, and an ended one is history',
        params: IdParams,
        body: WebinarChangeBody,
        response: { 200: Type.Ref('Webinar'), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { webinar: row } = await access.toHost(request, request.params.id);
      if (row.state === 'ended')
        throw new ConflictError('webinar_ended', 'The webinar has ended: it can no longer change.');
      const { scheduledStart, ...rest } = request.body;
      const change: Parameters<WebinarRepository['update']>[1] = { ...rest };
      if (scheduledStart !== undefined && new Date(scheduledStart).getTime() !== row.scheduledStart.getTime()) {
        checkReschedulable(row.state);
        change.scheduledStart = new Date(scheduledStart);
        checkScheduledStart(change.scheduledStart);
        // A new start deserves its own reminder.
        change.reminderSentAt = null;
      }
      await checkRegistrationChange(row, rest);
      const updated = await webinars.update(row.id, change);
      // Hand raising turned off: the hands up go down (raising is refused from now on).
      if (rest.handRaising === false)
        await prisma.webinarHand.updateMany({ where: { webinarId: row.id }, data: { raisedAt: null } });
      // A narrower audience lets go of the attendees it no longer admits (their seats are asked again).
      if (rest.audience !== undefined && rest.audience !== row.audience) stageChanged({ webinarId: row.id });
      return view(updated, request);
    },
  );

  api.delete(
    '/api/v1/webinars/:id',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Delete a webinar (host); not while it is live',
        params: IdParams,
        response: { 204: NoContent, ...problems(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { webinar: row } = await access.toHost(request, request.params.id);
      if (row.state === 'live') throw new ConflictError('webinar_live', 'The webinar is live: end it first.');
      await images.remove(await webinars.delete(row.id));
      return reply.status(204).send(null);
    },
  );

  /**
   * 409 when the change would break registrations made: questions once someone answered them
   * (answers would no longer match), a capacity below the places already held.
   */
  async function checkRegistrationChange(
    row: WebinarRow,
    change: { registrationCapacity?: number | null; registrationQuestions?: unknown },
  ): Promise<void> {
    if (
      change.registrationQuestions !== undefined &&
      JSON.stringify(change.registrationQuestions) !== JSON.stringify(questionsOf(row.registrationQuestions)) &&
      (await registrations.count(row.id)) > 0
    )
      throw new ConflictError('registrations_exist', 'People have registered: the questions can no longer change.');
    if (change.registrationCapacity !== undefined && change.registrationCapacity !== null) {
      const held = await registrations.count(row.id, ['pending', 'approved']);
      if (change.registrationCapacity < held)
        throw new ConflictError(
          'capacity_below_registrants',
          `${held} people hold a place: the capacity can't be lower than that.`,
        );
    }
  }

  const actions: { action: WebinarAction; summary: string }[] = [
    { action: 'backstage', summary: 'Open the backstage: the stage gets ready while attendees wait (host)' },
    { action: 'start', summary: 'Start the webinar: the stage goes live to the audience (host)' },
    { action: 'end', summary: 'End the webinar (host)' },
  ];
  for (const { action, summary } of actions) {
    api.post(
      `/api/v1/webinars/:id/${action}`,
      {
        schema: {
          tags: ['webinars'],
          summary,
          params: IdParams,
          response: { 200: Type.Ref('Webinar'), ...problems(401, 403, 404, 409) },
        },
      },
      async (request) => {
        const { webinar: row } = await access.toHost(request, request.params.id);
        const moved = await webinars.transition(row.id, action);
        if (!moved) throw new NotFoundError('Webinar', row.id); // deleted meanwhile
        // Live: the recorder records the stage. Ended: whoever is on stage stops publishing,
        // attendees are let go, and the recording becomes a VOD.
        if (moved.state === 'live' && moved.streamId)
          broadcast({
            webinarId: moved.id,
            live: true,
            channel: { id: moved.channel.id, slug: moved.channel.slug },
            streamId: moved.streamId,
          });
        if (moved.state === 'ended') {
          stageChanged({ webinarId: moved.id });
          broadcast({ webinarId: moved.id, live: false });
        }
        return view(moved, request);
      },
    );
  }

  api.get(
    '/api/v1/discover/webinars',
    {
      schema: {
        tags: ['webinars', 'discovery'],
        summary: `Live webinars of public channels, latest started first, and up to ${DISCOVERY_LIMIT} upcoming ones, soonest first`,
        response: {
          200: Type.Object({ live: Type.Array(Type.Ref('Webinar')), upcoming: Type.Array(Type.Ref('Webinar')) }),
        },
      },
    },
    async (request) => {
      const { live, upcoming } = await webinars.liveAndUpcoming(DISCOVERY_LIMIT);
      const [liveViews, upcomingViews] = await Promise.all([views(live, request), views(upcoming, request)]);
      return { live: liveViews, upcoming: upcomingViews };
    },
  );
}
