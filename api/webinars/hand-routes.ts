// Raised hands onto a webinar's stage, over REST; each change is pushed to the hosts and to the
// attendee it concerns (hand-broadcast.ts). An attendee raises and lowers a hand while it is live;
// a host or co-host invites (a raised hand, or anyone by name), withdraws, and moves a guest back
// to the audience, which closes what they publish on every process (stage-changes.ts). "Join
// stage" is the attendee's acceptance: only then do they get a stage membership, and only with an
// invitation that still stands.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { HandQueue, MyHand } from '../../common/protocol/rest/webinar-hands.ts';
import { requireUser } from '../accounts/auth.ts';
import { canWatch } from '../viewer-access/watch-access.ts';
import { problems, Type } from '../http/schemas.ts';
import type { HandBroadcaster } from './hand-broadcast.ts';
import { assertAttendee, isStageMember } from './hand-access.ts';
import { HandRepository } from './hand-repository.ts';
import { toMine, toQueue } from './hand-rules.ts';
import type { StageChanged } from './stage-changes.ts';
import { WebinarAccess } from './webinar-access.ts';
import { WebinarRepository, type WebinarRow } from './webinar-repository.ts';

export interface HandRouteDeps {
  prisma: PrismaClient;
  broadcaster: HandBroadcaster;
  stageChanged: StageChanged;
}

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const UserParams = Type.Object({ id: Type.String({ maxLength: 64 }), username: Type.String({ maxLength: 64 }) });
/** A person clicking; more is a stuck button or a script. */
const rateLimit = { max: 30, timeWindow: '1 minute' };

export function registerHandRoutes(app: FastifyInstance, { prisma, broadcaster, stageChanged }: HandRouteDeps): void {
  const webinars = new WebinarRepository(prisma);
  const access = new WebinarAccess(prisma, webinars);
  const hands = new HandRepository(prisma);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  const queueOf = async (webinar: { id: string; handRaising: boolean }) =>
    toQueue(webinar, await hands.queueRows(webinar.id), new Date());
  const mineOf = async (webinar: WebinarRow, userId: string) =>
    toMine(webinar, await hands.row(webinar.id, userId), new Date());

  /** The caller as an attendee of a webinar that has not ended. */
  const toAttendee = async (request: FastifyRequest, id: string) => {
    const user = await requireUser(request);
    const webinar = await access.toRead(request, id);
    await assertAttendee(prisma, webinar, user);
    return { webinar, user };
  };
  const notEnded = (webinar: WebinarRow) => {
    if (webinar.state === 'ended')
      throw new ConflictError('webinar_ended', 'The webinar has ended: its stage is closed.');
  };
  const userOr404 = async (username: string) => {
    const user = await prisma.user.findUnique({
      where: { username: username.trim().toLowerCase() },
      select: { id: true, email: true, username: true, name: true, role: true },
    });
    if (!user) throw new NotFoundError('User', username);
    return user;
  };

  api.get(
    '/api/v1/webinars/:id/hands',
    {
      schema: {
        tags: ['webinars'],
        summary:
          'The hand queue (oldest raised hand first), the invitations waiting and the guests on stage (host and co-hosts)',
        params: Params,
        response: { 200: HandQueue, ...problems(401, 403, 404) },
      },
    },
    async (request) => queueOf((await access.toHost(request, request.params.id)).webinar),
  );

  api.put(
    '/api/v1/webinars/:id/hands/settings',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Turn hand raising on or off; turned off, raised hands are lowered (host and co-hosts)',
        params: Params,
        body: Type.Object({ handRaising: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: HandQueue, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { webinar } = await access.toHost(request, request.params.id);
      const { handRaising } = request.body;
      await prisma.webinar.update({ where: { id: webinar.id }, data: { handRaising } });
      if (!handRaising)
        await prisma.webinarHand.updateMany({ where: { webinarId: webinar.id }, data: { raisedAt: null } });
      broadcaster.handRaising(webinar.id, handRaising);
      return queueOf({ id: webinar.id, handRaising });
    },
  );

  api.get(
    '/api/v1/webinars/:id/hands/me',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Your raised hand, your invitation to the stage, and whether you are on it as a guest (attendee)',
        params: Params,
        response: { 200: MyHand, ...problems(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { webinar, user } = await toAttendee(request, request.params.id);
      return mineOf(webinar, user.id);
    },
  );

  api.put(
    '/api/v1/webinars/:id/hands/me',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Raise your hand while the webinar is live (attendee; raising it again keeps its place)',
        params: Params,
        response: { 200: MyHand, ...problems(401, 403, 404, 409, 429) },
      },
      config: { rateLimit },
    },
    async (request) => {
      const { webinar, user } = await toAttendee(request, request.params.id);
      if (webinar.state !== 'live')
        throw new ConflictError('webinar_not_live', 'Hands go up while the webinar is live.');
      if (!webinar.handRaising)
        throw new ConflictError('hand_raising_off', 'The host turned hand raising off for this webinar.');
      if (await isStageMember(prisma, webinar.id, user.id))
        throw new ConflictError('already_member', 'You are on this webinar’s stage list already.');
      await hands.raise(webinar.id, user.id, new Date());
      broadcaster.changed(webinar.id, user.id);
      return mineOf(webinar, user.id);
    },
  );

  api.delete(
    '/api/v1/webinars/:id/hands/me',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Lower your hand (attendee)',
        params: Params,
        response: { 200: MyHand, ...problems(401, 403, 404, 409, 429) },
      },
      config: { rateLimit },
    },
    async (request) => {
      const { webinar, user } = await toAttendee(request, request.params.id);
      await hands.lower(webinar.id, user.id);
      broadcaster.changed(webinar.id, user.id);
      return mineOf(webinar, user.id);
    },
  );

  api.post(
    '/api/v1/webinars/:id/hands/me/accept',
    {
      schema: {
        tags: ['webinars'],
        summary: '"Join stage": accept your invitation and become a guest on the stage of this webinar (attendee)',
        params: Params,
        response: { 200: MyHand, ...problems(401, 403, 404, 409, 429) },
      },
      config: { rateLimit },
    },
    async (request) => {
      const { webinar, user } = await toAttendee(request, request.params.id);
      notEnded(webinar);
      await hands.accept(webinar.id, user.id, new Date());
      broadcaster.changed(webinar.id, user.id);
      return mineOf(webinar, user.id);
    },
  );

  api.post(
    '/api/v1/webinars/:id/hands/me/decline',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Decline your invitation to the stage; your hand goes down (attendee)',
        params: Params,
        response: { 200: MyHand, ...problems(401, 403, 404, 409, 429) },
      },
      config: { rateLimit },
    },
    async (request) => {
      const { webinar, user } = await toAttendee(request, request.params.id);
      if (!(await hands.clearInvitation(webinar.id, user.id, { lowerHand: true })))
        throw new ConflictError('not_invited', 'You have no invitation to the stage.');
      broadcaster.changed(webinar.id, user.id);
      return mineOf(webinar, user.id);
    },
  );

  api.post(
    '/api/v1/webinars/:id/hands/invitations',
    {
      schema: {
        tags: ['webinars'],
        summary:
          'Invite an attendee to the stage, with or without a raised hand; they have two minutes to accept (host and co-hosts)',
        params: Params,
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 201: HandQueue, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { webinar } = await access.toHost(request, request.params.id);
      notEnded(webinar);
      const invitee = await userOr404(request.body.username);
      await assertAttendee(prisma, webinar, invitee);
      if (await isStageMember(prisma, webinar.id, invitee.id))
        throw new ConflictError('already_member', `${invitee.username} is on this webinar’s stage list already.`);
      if (!(await canWatch(prisma, webinar.channel, { user: invitee, tokens: [] })))
        throw new ConflictError('cannot_attend', `${invitee.username} may not watch this webinar's channel.`);
      const expiresAt = await hands.invite(webinar.id, invitee.id, new Date());
      broadcaster.changed(webinar.id, invitee.id);
      broadcaster.lapseAt(webinar.id, invitee.id, expiresAt);
      return reply.status(201).send(await queueOf(webinar));
    },
  );

  api.delete(
    '/api/v1/webinars/:id/hands/invitations/:username',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Withdraw an invitation to the stage; a raised hand stays up (host and co-hosts)',
        params: UserParams,
        response: { 200: HandQueue, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const { webinar } = await access.toHost(request, request.params.id);
      const invitee = await userOr404(request.params.username);
      if (!(await hands.clearInvitation(webinar.id, invitee.id, { lowerHand: false })))
        throw new NotFoundError('Invitation', request.params.username);
      broadcaster.changed(webinar.id, invitee.id);
      return queueOf(webinar);
    },
  );

  api.delete(
    '/api/v1/webinars/:id/hands/guests/:username',
    {
      schema: {
        tags: ['webinars'],
        summary:
          'Move a guest back to the audience: their right to the stage goes and what they publish closes (host and co-hosts)',
        params: UserParams,
        response: { 200: HandQueue, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const { webinar } = await access.toHost(request, request.params.id);
      const guest = await userOr404(request.params.username);
      await hands.moveToAudience(webinar.id, guest.id);
      stageChanged({ webinarId: webinar.id, userId: guest.id });
      broadcaster.changed(webinar.id, guest.id);
      return queueOf(webinar);
    },
  );
}
