// A webinar's stage members: co-hosts (named by the host) and panelists (invited by the host or a
// co-host). A member is on stage until moved off it; moving someone off, or removing them, closes
// what they publish at once, on every process (stage-changes.ts), whatever their client does.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { isUniqueViolation } from '../../common/db/unique-violation.ts';
import { WebinarMember } from '../../common/protocol/rest/webinars.ts';
import { problems, Type } from '../http/schemas.ts';
import type { StageChanged } from './stage-changes.ts';
import { WebinarAccess, type HostRole } from './webinar-access.ts';
import { WebinarRepository, type WebinarRow } from './webinar-repository.ts';

export interface WebinarMemberRouteDeps {
  prisma: PrismaClient;
  stageChanged: StageChanged;
}

const MemberRole = WebinarMember.properties.role;
const Member = WebinarMember;
const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const MemberParams = Type.Object({ id: Type.String({ maxLength: 64 }), username: Type.String({ maxLength: 64 }) });

/** Enough for a panel and its stand-ins; the stage itself holds fewer at once (WEBINAR_MAX_STAGE). */
export const MAX_WEBINAR_MEMBERS = 20;

export function registerWebinarMemberRoutes(
  app: FastifyInstance,
  { prisma, stageChanged }: WebinarMemberRouteDeps,
): void {
  const webinars = new WebinarRepository(prisma);
  const access = new WebinarAccess(prisma, webinars);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  const list = async (webinarId: string) =>
    (
      await prisma.webinarMember.findMany({
        where: { webinarId },
        orderBy: { createdAt: 'asc' },
        include: { user: { select: { id: true, username: true, name: true } } },
      })
    ).map((m) => ({
      userId: m.user.id,
      username: m.user.username,
      name: m.user.name,
      role: m.role,
      onStage: m.onStage,
    }));

  /** Naming or un-naming a co-host is the host's alone. */
  const assertMayAssign = (caller: HostRole, role: 'cohost' | 'panelist' | undefined) => {
    if (role === 'cohost' && caller !== 'host') throw new ForbiddenError('Only the host names co-hosts.');
  };
  const notEnded = (webinar: WebinarRow) => {
    if (webinar.state === 'ended')
      throw new ConflictError('webinar_ended', 'The webinar has ended: its stage is closed.');
  };
  const memberOr404 = async (webinarId: string, username: string) => {
    const member = await prisma.webinarMember.findFirst({
      where: { webinarId, user: { username: username.trim().toLowerCase() } },
      select: { userId: true, role: true },
    });
    if (!member) throw new NotFoundError('Webinar member', username);
    return member;
  };

  api.get(
    '/api/v1/webinars/:id/members',
    {
      schema: {
        tags: ['webinars'],
        summary: "The webinar's co-hosts and panelists, in the order they were added (host and co-hosts)",
        params: Params,
        response: { 200: Type.Array(Member), ...problems(401, 403, 404) },
      },
    },
    async (request) => list((await access.toHost(request, request.params.id)).webinar.id),
  );

  api.post(
    '/api/v1/webinars/:id/members',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Invite a panelist (host or co-host), or name a co-host (host); they start on stage',
        params: Params,
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), role: MemberRole },
          { additionalProperties: false },
        ),
        response: { 201: Type.Array(Member), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { webinar, role: caller } = await access.toHost(request, request.params.id);
      assertMayAssign(caller, request.body.role);
      notEnded(webinar);
      const user = await prisma.user.findUnique({
        where: { username: request.body.username.trim().toLowerCase() },
        select: { id: true },
      });
      if (!user) throw new NotFoundError('User', request.body.username);
      if (user.id === webinar.channel.ownerId)
        throw new ConflictError('already_member', 'The host is on the stage already.');
      if ((await prisma.webinarMember.count({ where: { webinarId: webinar.id } })) >= MAX_WEBINAR_MEMBERS)
        throw new ConflictError(
          'too_many_members',
          `A webinar has at most ${MAX_WEBINAR_MEMBERS} co-hosts and panelists.`,
        );
      try {
        await prisma.webinarMember.create({
          data: { webinarId: webinar.id, userId: user.id, role: request.body.role },
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(
            'already_member',
            `${request.body.username} is already on this webinar's stage list.`,
          );
        throw error;
      }
      return reply.status(201).send(await list(webinar.id));
    },
  );

  api.patch(
    '/api/v1/webinars/:id/members/:username',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Move a member off the stage or back on, or change their role (host or co-host; co-hosts by the host)',
        params: MemberParams,
        body: Type.Object(
          { onStage: Type.Optional(Type.Boolean()), role: Type.Optional(MemberRole) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Array(Member), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { webinar, role: caller } = await access.toHost(request, request.params.id);
      notEnded(webinar);
      const member = await memberOr404(webinar.id, request.params.username);
      assertMayAssign(caller, member.role === 'cohost' ? 'cohost' : request.body.role);
      await prisma.webinarMember.update({
        where: { webinarId_userId: { webinarId: webinar.id, userId: member.userId } },
        data: request.body,
      });
      stageChanged({ webinarId: webinar.id, userId: member.userId });
      return list(webinar.id);
    },
  );

  api.delete(
    '/api/v1/webinars/:id/members/:username',
    {
      schema: {
        tags: ['webinars'],
        summary: 'Remove a member from the stage list (host or co-host; co-hosts by the host)',
        params: MemberParams,
        response: { 200: Type.Array(Member), ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const { webinar, role: caller } = await access.toHost(request, request.params.id);
      const member = await memberOr404(webinar.id, request.params.username);
      assertMayAssign(caller, member.role);
      await prisma.webinarMember.deleteMany({ where: { webinarId: webinar.id, userId: member.userId } });
      stageChanged({ webinarId: webinar.id, userId: member.userId });
      return list(webinar.id);
    },
  );
}
