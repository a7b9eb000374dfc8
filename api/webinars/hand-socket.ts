// The /hands socket.io namespace: a page watches a webinar's raised hands and hears their changes
// (hand-broadcast.ts). Hosts and co-hosts get the queue, any other signed-in attendee their own
// hand and invitation. Changes go through the REST routes (hand-routes.ts). Every payload is
// checked before use, every event is answered through its ack, and nothing thrown escapes.
//
// As for chat, the session cookie counts only when the handshake's Origin names this site
// (cross-site WebSocket hijacking); otherwise the socket is anonymous and may watch nothing.
import type { PrismaClient } from '../../common/db/database.ts';
import {
  AppError,
  BadRequestError,
  NotFoundError,
  PrivateChannelError,
  toProblem,
  UnauthorizedError,
} from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { HandsWatch } from '../../common/protocol/webinar-hands.ts';
import { isTrustedOrigin, sessionFromCookieHeader } from '../accounts/auth.ts';
import { canWatch, cookieHeaderTokens } from '../viewer-access/watch-access.ts';
import { attendeeRoom, hostsRoom, watchersRoom, type HandsNamespace } from './hand-broadcast.ts';
import { assertAttendee } from './hand-access.ts';
import { HandRepository } from './hand-repository.ts';
import { toMine, toQueue } from './hand-rules.ts';
import { hostRoleOf } from './webinar-access.ts';
import { WebinarRepository } from './webinar-repository.ts';

export interface HandSocketDeps {
  prisma: PrismaClient;
  /** PUBLIC_URL: its origin is trusted besides the handshake's own Host. */
  publicUrl: string;
  logger: Logger;
}

/** Events a socket may send per second; more is a broken or hostile client. */
const MAX_EVENTS_PER_SECOND = 10;
/** Webinars one socket may watch at once: a page shows one. */
const MAX_WATCHED = 4;

type Reply = (reply: unknown) => void;

export function attachHandSocket(namespace: HandsNamespace, { prisma, publicUrl, logger }: HandSocketDeps): void {
  const webinars = new WebinarRepository(prisma);
  const hands = new HandRepository(prisma);

  namespace.use((socket, next) => {
    const { cookie, origin, host } = socket.handshake.headers;
    socket.data.cookieHeader = cookie !== undefined && isTrustedOrigin(origin, host, publicUrl) ? cookie : undefined;
    next();
  });

  namespace.on('connection', (socket) => {
    let windowStart = 0;
    let events = 0;
    const watched = new Set<string>();

    const leave = async (webinarId: string) => {
      for (const room of socket.rooms) if (room.startsWith(watchersRoom(webinarId))) await socket.leave(room);
      watched.delete(webinarId);
    };

    const handle = (event: 'watch' | 'unwatch', run: (webinarId: string) => Promise<object>) => {
      socket.on(event, (...args: unknown[]) => {
        const last = args.at(-1);
        const reply: Reply = typeof last === 'function' ? (last as Reply) : () => undefined;
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          events = 0;
        }
        if (++events > MAX_EVENTS_PER_SECOND) {
          reply({ ok: false, error: toProblem(new AppError(429, 'rate_limited', 'Too many events; slow down.')) });
          return;
        }
        Promise.resolve()
          .then(() => run(webinarOf(args[0])))
          .then(
            (result) => reply({ ok: true, ...result }),
            (error: unknown) => {
              const problem = toProblem(error);
              if (problem.status >= 500) logger.error({ err: error, event, socket: socket.id }, 'hands event failed');
              reply({ ok: false, error: problem });
            },
          );
      });
    };

    handle('watch', async (webinarId): Promise<HandsWatch> => {
      const webinar = await webinars.byId(webinarId);
      if (!webinar) throw new NotFoundError('Webinar', webinarId);
      const cookie = socket.data.cookieHeader;
      const user = cookie === undefined ? undefined : (await sessionFromCookieHeader(prisma, cookie))?.user;
      if (!user) throw new UnauthorizedError('Sign in to raise your hand.');
      if (!watched.has(webinar.id) && watched.size >= MAX_WATCHED)
        throw new AppError(429, 'too_many_webinars', `A connection can watch at most ${MAX_WATCHED} webinars' hands.`);
      await leave(webinar.id);
      const now = new Date();
      if (await hostRoleOf(prisma, user, webinar)) {
        await socket.join([watchersRoom(webinar.id), hostsRoom(webinar.id)]);
        watched.add(webinar.id);
        return { role: 'host', queue: toQueue(webinar, await hands.queueRows(webinar.id), now) };
      }
      if (!(await canWatch(prisma, webinar.channel, { user, tokens: cookieHeaderTokens(cookie, webinar.channel.id) })))
        throw new PrivateChannelError(webinar.channel.slug);
      await assertAttendee(prisma, webinar, user);
      // In the rooms before reading: a change meanwhile arrives twice rather than not at all.
      await socket.join([watchersRoom(webinar.id), attendeeRoom(webinar.id, user.id)]);
      watched.add(webinar.id);
      return { role: 'attendee', mine: toMine(webinar, await hands.row(webinar.id, user.id), now) };
    });

    handle('unwatch', async (webinarId) => {
      await leave(webinarId);
      return {};
    });
  });
}

function webinarOf(payload: unknown): string {
  const webinar =
    typeof payload === 'object' && payload !== null ? (payload as { webinar?: unknown }).webinar : undefined;
  if (typeof webinar !== 'string' || webinar.length === 0 || webinar.length > 64)
    throw new BadRequestError('Expected { webinar: string } with a webinar id.');
  return webinar;
}
