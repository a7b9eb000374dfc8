// Who may do what to a webinar. Its host is the channel's owner (or an admin); co-hosts, named by
// the host, have the same powers except naming co-hosts; anyone who may watch the channel reads
// it. Every webinar route asks here, so the rules live in one place.
import type { FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../common/db/database.ts';
import { ForbiddenError, NotFoundError, PrivateChannelError } from '../../common/errors.ts';
import { requireUser, userOf } from '../accounts/auth.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { canManageChannel } from '../channels/permissions.ts';
import { requestCanWatch } from '../viewer-access/watch-access.ts';
import type { WebinarRepository, WebinarRow } from './webinar-repository.ts';

export type HostRole = 'host' | 'cohost';

/** 'host' for the channel's owner or an admin, 'cohost' for a co-host, undefined for anyone else. */
export async function hostRoleOf(
  prisma: PrismaClient,
  user: SessionUser | undefined,
  webinar: WebinarRow,
): Promise<HostRole | undefined> {
  if (!user) return undefined;
  if (canManageChannel(user, webinar.channel)) return 'host';
  const member = await prisma.webinarMember.findUnique({
    where: { webinarId_userId: { webinarId: webinar.id, userId: user.id } },
    select: { role: true },
  });
  return member?.role === 'cohost' ? 'cohost' : undefined;
}

export class WebinarAccess {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly webinars: WebinarRepository,
  ) {}

  /** The webinar, if this request may see it: 404 unknown, 403 a private channel's. */
  async toRead(request: FastifyRequest, id: string): Promise<WebinarRow> {
    const row = await this.webinars.byId(id);
    if (!row) throw new NotFoundError('Webinar', id);
    if (!(await requestCanWatch(this.prisma, request, row.channel))) throw new PrivateChannelError(row.channel.slug);
    return row;
  }

  /** The webinar and the caller's role, if they host it: 401 signed out, 404 unknown, 403 someone else's. */
  async toHost(request: FastifyRequest, id: string): Promise<{ webinar: WebinarRow; role: HostRole }> {
    const user = await requireUser(request);
    const webinar = await this.webinars.byId(id);
    if (!webinar) throw new NotFoundError('Webinar', id);
    const role = await hostRoleOf(this.prisma, user, webinar);
    if (!role) throw new ForbiddenError("Only this webinar's host and co-hosts can do that.");
    return { webinar, role };
  }

  /**
   * The webinar and the caller, if they are of its stage crew (host, co-hosts, panelists on
   * stage): its backstage is theirs. 401 signed out, 404 unknown, 403 anyone else.
   */
  async toBackstage(request: FastifyRequest, id: string): Promise<{ webinar: WebinarRow; user: SessionUser }> {
    const user = await requireUser(request);
    const webinar = await this.webinars.byId(id);
    if (!webinar) throw new NotFoundError('Webinar', id);
    if ((await hostRoleOf(this.prisma, user, webinar)) !== undefined) return { webinar, user };
    const panelist = await this.prisma.webinarMember.findUnique({
      where: { webinarId_userId: { webinarId: webinar.id, userId: user.id } },
      select: { onStage: true },
    });
    if (!panelist?.onStage)
      throw new ForbiddenError("Only this webinar's host, co-hosts and panelists on stage can do that.");
    return { webinar, user };
  }

  /** Which of `webinars` the caller of `request` hosts (for the answers' canManage), in two queries at most. */
  async hostedAmong(request: FastifyRequest, webinars: readonly WebinarRow[]): Promise<Set<string>> {
    const user = await userOf(request);
    if (!user || webinars.length === 0) return new Set();
    const hosted = new Set(webinars.filter((w) => canManageChannel(user, w.channel)).map((w) => w.id));
    const others = webinars.filter((w) => !hosted.has(w.id)).map((w) => w.id);
    if (others.length === 0) return hosted;
    const cohosted = await this.prisma.webinarMember.findMany({
      where: { userId: user.id, role: 'cohost', webinarId: { in: others } },
      select: { webinarId: true },
    });
    for (const { webinarId } of cohosted) hosted.add(webinarId);
    return hosted;
  }
}
