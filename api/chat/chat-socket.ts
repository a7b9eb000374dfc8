// The /chat socket.io namespace: join a channel's room (history, settings, emotes, what I may do),
// leave it, and send messages through the rules. Every payload is checked before use and every
// event is answered through its ack; nothing thrown in a handler escapes it.
//
// Who is calling comes from the handshake's session cookie. A browser sends cookies with a
// WebSocket opened by any site (cross-site WebSocket hijacking), so the cookie counts only when the
// handshake's Origin names this site; otherwise the socket is anonymous and can only read.
import type { Logger } from '../../common/logger.ts';
import { socketEvents } from '../realtime/socket-events.ts';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, BadRequestError, PrivateChannelError } from '../../common/errors.ts';
import { isTrustedOrigin, sessionFromCookieHeader } from '../accounts/auth.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { channelRoom, moderatorsRoom, type ChatBroadcaster, type ChatNamespace } from './chat-broadcast.ts';
import { postMessage, recentMessages } from './chat-messages.ts';
import type { ChatEmote, ChatMe, ChatMessage, ChatRefusalCode, JoinResult } from '../../common/protocol/chat.ts';
import { isChannelSlug } from '../../common/protocol/slug.ts';
import { CHAT_RATE_LIMIT, type ChatRateLimiter } from './chat-rate-limiter.ts';
import {
  activeBan,
  bannedWordRefusal,
  chatRefusal,
  ChatRefusal,
  normalizeBody,
  roomRefusal,
  slowModeRefusal,
  standingRefusal,
} from './chat-rules.ts';
import { emotesOf, settingsOf } from './chat-settings.ts';
import { loadChatContext, type ChatChannel, type ChatStanding } from './chat-standing.ts';
import { canWatch, cookieHeaderTokens } from '../viewer-access/watch-access.ts';
import type { RecheckFilter } from '../../common/live/channel-directory.ts';

export interface ChatSocketDeps {
  prisma: PrismaClient;
  /** PUBLIC_URL: its origin is trusted besides the handshake's own Host. */
  publicUrl: string;
  broadcaster: ChatBroadcaster;
  limiter: ChatRateLimiter;
  logger: Logger;
}

/** Events a socket may send per second, all kinds together; more is a broken or hostile client. */
const MAX_EVENTS_PER_SECOND = 20;
/** Channels one socket may be in at once: a page shows one chat, a pop-out maybe a few. */
const MAX_JOINED_CHANNELS = 10;
const MAX_SLUG_LENGTH = 64;
/** How long a socket trusts its last session check. */
const SESSION_RECHECK_MS = 5_000;

export interface ChatSockets {
  /** Access narrowed: this process's sockets that `filter` picks leave the chats they may no longer watch. */
  recheckAccess(filter: RecheckFilter): Promise<void>;
}

export function attachChatSocket(namespace: ChatNamespace, deps: ChatSocketDeps): ChatSockets {
  const { prisma, logger } = deps;
  const rechecks = new Set<(filter: RecheckFilter) => Promise<void>>();

  namespace.use((socket, next) => {
    const { cookie, origin, host } = socket.handshake.headers;
    socket.data.cookieHeader =
      cookie !== undefined && isTrustedOrigin(origin, host, deps.publicUrl) ? cookie : undefined;
    socket.data.joined = new Map();
    next();
  });

  namespace.on('connection', (socket) => {
    // One event at a time per socket, in arrival order: a client can't race its own sends past
    // slow mode, and its joins and sends are answered in the order it made them.
    const { handle } = socketEvents(socket, { maxPerSecond: MAX_EVENTS_PER_SECOND, what: 'chat', logger });

    // The user as of a few seconds ago, not as of the handshake: a session that ended since
    // (log-out, password change) stops chatting within SESSION_RECHECK_MS, without a session query
    // for every message.
    let known: { user: SessionUser | undefined; at: number } | undefined;
    const currentUser = async (fresh = false): Promise<SessionUser | undefined> => {
      if (socket.data.cookieHeader === undefined) return undefined;
      const now = Date.now();
      if (!fresh && known && now - known.at < SESSION_RECHECK_MS) return known.user;
      const user = (await sessionFromCookieHeader(prisma, socket.data.cookieHeader))?.user;
      known = { user, at: now };
      return user;
    };

    // A private channel's chat is for those who may watch it: its team (their standing says so)
    // or holders of its access cookie, which counts only from our own pages like the session.
    const assertMayWatch = async (channel: ChatChannel, standing: ChatStanding) => {
      if (!channel.private || standing.moderator) return;
      const tokens = cookieHeaderTokens(socket.data.cookieHeader, channel.id);
      if (!(await canWatch(prisma, channel, { user: undefined, tokens }))) throw new PrivateChannelError(channel.slug);
    };

    const leaveChannel = async (slug: string) => {
      const channelId = socket.data.joined.get(slug);
      if (channelId === undefined) return;
      await socket.leave(channelRoom(channelId));
      await socket.leave(moderatorsRoom(channelId));
      socket.data.joined.delete(slug);
    };

    // Taken out of a private channel's chat room once it may no longer watch: it hears no more
    // messages, and sending is refused by the check above.
    const recheck = async (filter: RecheckFilter) => {
      const cookie = socket.data.cookieHeader;
      for (const [slug, channelId] of [...socket.data.joined]) {
        if (!filter({ channelId, cookie })) continue;
        // Asked afresh: the change may be this socket's session ending.
        const { channel, standing } = await loadChatContext(prisma, slug, await currentUser(true));
        if (
          !(await assertMayWatch(channel, standing).then(
            () => true,
            () => false,
          ))
        )
          await leaveChannel(slug);
      }
    };
    rechecks.add(recheck);
    socket.on('disconnect', () => rechecks.delete(recheck));

    handle('join', async (payload): Promise<JoinResult> => {
      const slug = channelOf(payload);
      const { channel, standing } = await loadChatContext(prisma, slug, await currentUser());
      await assertMayWatch(channel, standing);
      if (!socket.data.joined.has(channel.slug) && socket.data.joined.size >= MAX_JOINED_CHANNELS) {
        throw new AppError(
          429,
          'too_many_channels',
          `A connection can be in at most ${MAX_JOINED_CHANNELS} chats; leave one first.`,
        );
      }
      // In the room before reading the history: a message posted meanwhile arrives twice (the
      // client keeps one per id) rather than not at all.
      await socket.join(channelRoom(channel.id));
      if (standing.moderator) await socket.join(moderatorsRoom(channel.id));
      else await socket.leave(moderatorsRoom(channel.id));
      const joinedBefore = socket.data.joined.has(channel.slug);
      socket.data.joined.set(channel.slug, channel.id);
      let history: ChatMessage[];
      let emotes: ChatEmote[];
      try {
        [history, emotes] = await Promise.all([recentMessages(prisma, channel), emotesOf(prisma, channel.id)]);
      } catch (error) {
        // A failed join leaves the socket where it was.
        if (!joinedBefore) await leaveChannel(channel.slug);
        throw error;
      }
      const now = new Date();
      const refusal = chatRefusal(standing, channel, now);
      const ban = activeBan(standing.ban, now);
      const me: ChatMe = {
        canChat: refusal === undefined,
        ...(refusal ? { reason: refusal.code as ChatRefusalCode } : {}),
        canModerate: standing.moderator,
        timedOutUntil: ban?.kind === 'timeout' ? ban.until.toISOString() : null,
        banned: ban?.kind === 'ban',
      };
      return { history, settings: settingsOf(channel, { forModerator: standing.moderator }), emotes, me };
    });

    handle('leave', async (payload) => {
      await leaveChannel(channelOf(payload).trim().toLowerCase());
      return {};
    });

    handle('send', async (payload): Promise<{ message: ChatMessage }> => {
      const { channel: slug, body: rawBody } = sendPayloadOf(payload);
      const user = await currentUser();
      if (!user) throw new ChatRefusal(401, 'unauthorized', 'Sign in to chat.');
      const { channel, standing, lastMessageAt, liveStreamId } = await loadChatContext(prisma, slug, user);
      await assertMayWatch(channel, standing);
      const now = new Date();
      throwIfRefused(standingRefusal(standing, now));
      const body = normalizeBody(rawBody);
      throwIfRefused(bannedWordRefusal(body, channel));
      throwIfRefused(roomRefusal(standing, channel));
      throwIfRefused(slowModeRefusal(standing, channel, lastMessageAt, now));
      const taken = deps.limiter.take(channel.id, user.id, now.getTime());
      if (!taken.ok) {
        throw new ChatRefusal(
          429,
          'rate_limited',
          `At most ${CHAT_RATE_LIMIT.capacity} messages in ${CHAT_RATE_LIMIT.windowSeconds} seconds; wait ${taken.retryAfterSeconds} s.`,
          { retryAfterSeconds: taken.retryAfterSeconds },
        );
      }
      const message = await postMessage(prisma, {
        channel,
        author: user,
        body,
        badges: standing.badges,
        streamId: liveStreamId,
        createdAt: now,
      });
      deps.broadcaster.message(channel, message);
      return { message };
    });
  });

  return {
    async recheckAccess(filter) {
      await Promise.all(
        [...rechecks].map((recheck) =>
          recheck(filter).catch((error: unknown) => logger.error({ err: error }, 'could not recheck a chat socket')),
        ),
      );
    },
  };
}

function throwIfRefused(refusal: ChatRefusal | undefined): void {
  if (refusal) throw refusal;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function channelOf(payload: unknown): string {
  if (!isRecord(payload) || !isChannelSlug(payload.channel)) {
    throw new BadRequestError(
      `Expected { channel: string } with a channel slug: 1 to ${MAX_SLUG_LENGTH} letters, digits and hyphens.`,
    );
  }
  return payload.channel;
}

function sendPayloadOf(payload: unknown): { channel: string; body: string } {
  const channel = channelOf(payload);
  const body = (payload as Record<string, unknown>).body;
  if (typeof body !== 'string') throw new BadRequestError('Expected { channel: string, body: string }.');
  return { channel, body };
}
