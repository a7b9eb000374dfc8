// Who runs and who reads a scope's polls. A webinar's polls are run by its host and co-hosts; a
// channel stream's by the channel's owner and moderators (and admins). Whoever may watch the
// channel reads them and votes. Routes and the socket both ask here.
import type { PrismaClient } from '../../common/db/database.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import type { PollScope } from '../../common/protocol/polls.ts';
import { isChannelSlug } from '../../common/protocol/slug.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { canModerateChannel } from '../channels/permissions.ts';
import { hostRoleOf } from '../webinars/webinar-access.ts';
import { WebinarRepository, type WebinarRow } from '../webinars/webinar-repository.ts';
import { canWatch } from '../viewer-access/watch-access.ts';
import type { ScopeIds } from './poll-repository.ts';

export interface ScopeChannel {
  id: string;
  slug: string;
  ownerId: string;
  private: boolean;
}

/** A scope found in the database. */
export type ResolvedScope =
  { kind: 'webinar'; channel: ScopeChannel; webinar: WebinarRow } | { kind: 'channel'; channel: ScopeChannel };

const CHANNEL_FIELDS = { id: true, slug: true, ownerId: true, private: true } as const;

export class PollScopes {
  readonly #webinars: WebinarRepository;

  constructor(private readonly prisma: PrismaClient) {
    this.#webinars = new WebinarRepository(prisma);
  }

  /** The scope, or 404. */
  async resolve(scope: PollScope): Promise<ResolvedScope> {
    if (scope.kind === 'webinar') return this.#webinar(scope.webinarId);
    const slug = scope.channel.trim().toLowerCase();
    const channel = isChannelSlug(slug)
      ? await this.prisma.channel.findUnique({ where: { slug }, select: CHANNEL_FIELDS })
      : null;
    if (!channel) throw new NotFoundError('Channel', scope.channel);
    return { kind: 'channel', channel };
  }

  /** The scope a poll belongs to. */
  async ofPoll(poll: { channelId: string; webinarId: string | null }): Promise<ResolvedScope> {
    if (poll.webinarId !== null) return this.#webinar(poll.webinarId);
    const channel = await this.prisma.channel.findUnique({ where: { id: poll.channelId }, select: CHANNEL_FIELDS });
    if (!channel) throw new NotFoundError('Channel', poll.channelId);
    return { kind: 'channel', channel };
  }

  /** Whether the user runs the scope's polls. */
  async runs(user: SessionUser | undefined, scope: ResolvedScope): Promise<boolean> {
    if (!user) return false;
    if (scope.kind === 'webinar') return (await hostRoleOf(this.prisma, user, scope.webinar)) !== undefined;
    return canModerateChannel(this.prisma, user, scope.channel);
  }

  /** 403 unless the user runs the scope's polls. */
  async assertRuns(user: SessionUser, scope: ResolvedScope): Promise<void> {
    if (await this.runs(user, scope)) return;
    throw new ForbiddenError(
      scope.kind === 'webinar'
        ? "Only this webinar's host and co-hosts run its polls."
        : `Only the owner and moderators of '${scope.channel.slug}' run its polls.`,
    );
  }

  /** Whether someone with these credentials may read the scope's polls and vote (as they may watch). */
  mayRead(scope: ResolvedScope, user: SessionUser | undefined, tokens: string[]): Promise<boolean> {
    return canWatch(this.prisma, scope.channel, { user, tokens });
  }

  /** 409 poll_scope_ended: a webinar that ended takes no new polls and launches none. */
  assertRunning(scope: ResolvedScope): void {
    if (scope.kind === 'webinar' && scope.webinar.state === 'ended')
      throw new ConflictError('poll_scope_ended', 'The webinar has ended: its polls can be read and exported only.');
  }

  async #webinar(id: string): Promise<ResolvedScope> {
    const webinar = await this.#webinars.byId(id);
    if (!webinar) throw new NotFoundError('Webinar', id);
    return { kind: 'webinar', channel: webinar.channel, webinar };
  }
}

export function scopeIds(scope: ResolvedScope): ScopeIds {
  return { channelId: scope.channel.id, webinarId: scope.kind === 'webinar' ? scope.webinar.id : null };
}

/** Names the scope in rooms and events: by ids, which never change (a slug may). */
export function scopeKey(scope: ResolvedScope | ScopeIds): string {
  if ('kind' in scope) return scope.kind === 'webinar' ? `webinar:${scope.webinar.id}` : `channel:${scope.channel.id}`;
  return scope.webinarId !== null ? `webinar:${scope.webinarId}` : `channel:${scope.channelId}`;
}
