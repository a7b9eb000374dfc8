// The /polls socket.io namespace: join a scope's rooms (its polls as this reader may see them),
// leave them, and vote. Host actions go through the REST routes (poll-routes.ts); their changes
// come back here as broadcasts. Every payload is checked before use and every event is answered
// through its ack; nothing thrown in a handler escapes it.
//
// Who is calling comes from the handshake's session cookie, counted only when the handshake's
// Origin names this site (cross-site WebSocket hijacking), as in api/chat/chat-socket.ts.
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, BadRequestError, PrivateChannelError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { socketEvents } from '../realtime/socket-events.ts';
import type { PollJoinResult, PollScope } from '../../common/protocol/polls.ts';
import { isChannelSlug } from '../../common/protocol/slug.ts';
import { isTrustedOrigin, sessionFromCookieHeader } from '../accounts/auth.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { cookieHeaderTokens } from '../viewer-access/watch-access.ts';
import { audienceRoom, runnersRoom, type PollNamespace } from './poll-broadcast.ts';
import { scopeKey } from './poll-scopes.ts';
import type { Caller, Polls } from './polls.ts';

export interface PollSocketDeps {
  prisma: PrismaClient;
  polls: Polls;
  /** PUBLIC_URL: its origin is trusted besides the handshake's own Host. */
  publicUrl: string;
  logger: Logger;
}

/** Events a socket may send per second, all kinds together; more is a broken or hostile client. */
const MAX_EVENTS_PER_SECOND = 20;
/** Scopes one socket may be in at once: a page shows one panel. */
const MAX_JOINED_SCOPES = 5;
/** How long a socket trusts its last session check. */
const SESSION_RECHECK_MS = 5_000;

export function attachPollSocket(namespace: PollNamespace, deps: PollSocketDeps): void {
  const { prisma, polls, logger } = deps;

  namespace.use((socket, next) => {
    const { cookie, origin, host } = socket.handshake.headers;
    socket.data.cookieHeader =
      cookie !== undefined && isTrustedOrigin(origin, host, deps.publicUrl) ? cookie : undefined;
    socket.data.joined = new Set();
    next();
  });

  namespace.on('connection', (socket) => {
    // One event at a time per socket, in arrival order: its votes are stored in the order it cast them.
    const { handle } = socketEvents(socket, { maxPerSecond: MAX_EVENTS_PER_SECOND, what: 'poll', logger });

    // The user as of a few seconds ago: a session that ended stops voting within SESSION_RECHECK_MS.
    let known: { user: SessionUser | undefined; at: number } | undefined;
    const currentUser = async (): Promise<SessionUser | undefined> => {
      if (socket.data.cookieHeader === undefined) return undefined;
      const now = Date.now();
      if (known && now - known.at < SESSION_RECHECK_MS) return known.user;
      const user = (await sessionFromCookieHeader(prisma, socket.data.cookieHeader))?.user;
      known = { user, at: now };
      return user;
    };
    const caller = async (): Promise<Caller> => ({
      user: await currentUser(),
      tokens: (channelId) => cookieHeaderTokens(socket.data.cookieHeader, channelId),
    });

    handle('join', async (payload): Promise<PollJoinResult> => {
      const scope = await polls.scopes.resolve(scopeOf(payload));
      const who = await caller();
      const key = scopeKey(scope);
      if (!socket.data.joined.has(key) && socket.data.joined.size >= MAX_JOINED_SCOPES)
        throw new AppError(429, 'too_many_scopes', `A connection follows at most ${MAX_JOINED_SCOPES} polls panels.`);
      if (!(await polls.scopes.mayRead(scope, who.user, who.tokens(scope.channel.id))))
        throw new PrivateChannelError(scope.channel.slug);
      // In the rooms before reading the polls: a change meanwhile arrives twice rather than not at all.
      await socket.join(audienceRoom(key));
      const canRun = await polls.scopes.runs(who.user, scope);
      if (canRun) await socket.join(runnersRoom(key));
      else await socket.leave(runnersRoom(key));
      socket.data.joined.add(key);
      const list = await polls.list(scope, who);
      return { scopeKey: key, polls: list.items, canRun: list.canRun };
    });

    handle('leave', async (payload) => {
      const scope = await polls.scopes.resolve(scopeOf(payload));
      const key = scopeKey(scope);
      await socket.leave(audienceRoom(key));
      await socket.leave(runnersRoom(key));
      socket.data.joined.delete(key);
      return {};
    });

    handle('vote', async (payload) => {
      const { pollId, choices } = votePayloadOf(payload);
      return { poll: await polls.vote(pollId, await caller(), choices) };
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ID = /^[0-9a-f-]{1,64}$/i;

function scopeOf(payload: unknown): PollScope {
  const scope = isRecord(payload) ? payload.scope : undefined;
  if (isRecord(scope)) {
    if (scope.kind === 'webinar' && typeof scope.webinarId === 'string' && ID.test(scope.webinarId))
      return { kind: 'webinar', webinarId: scope.webinarId };
    if (scope.kind === 'channel' && isChannelSlug(scope.channel)) return { kind: 'channel', channel: scope.channel };
  }
  throw new BadRequestError(
    "Expected { scope: { kind: 'webinar', webinarId } } or { scope: { kind: 'channel', channel: <slug> } }.",
  );
}

function votePayloadOf(payload: unknown): { pollId: string; choices: unknown[] } {
  if (
    !isRecord(payload) ||
    typeof payload.pollId !== 'string' ||
    !ID.test(payload.pollId) ||
    !Array.isArray(payload.choices) ||
    payload.choices.length > 100
  )
    throw new BadRequestError('Expected { pollId: string, choices: number[] }.');
  return { pollId: payload.pollId, choices: payload.choices as unknown[] };
}
