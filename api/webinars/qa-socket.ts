// The /qa socket.io namespace: join a webinar's Q&A (its questions as the caller may see them),
// ask, upvote, and, for its hosts, moderate. Every payload is checked before use and every event is
// answered through its ack; nothing thrown in a handler escapes it.
//
// Who the caller is to the webinar is the stage's answer (WebinarStageDirectory.seatAt): the
// webinar's audience rules, its channel's privacy, a registrant's join link, and the session cookie
// counted only when the handshake's Origin is ours (cross-site WebSocket hijacking). Hosts are its
// host and co-hosts; everyone else it seats is an attendee, who may ask and vote when we know who
// they are (signed in, or by their personal join link).
import type { Logger } from '../../common/logger.ts';
import { socketEvents } from '../realtime/socket-events.ts';
import { AppError, BadRequestError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import type { StageChange, StageSeat, WebinarStageDirectory } from '../../common/live/webinar-stage.ts';
import type { QaAction, QaJoinResult, QaQuestion } from '../../common/protocol/webinar-qa.ts';
import type { ChatRateLimiter } from '../chat/chat-rate-limiter.ts';
import { hostsRoom, webinarRoom, type QaBroadcaster, type QaNamespace } from './qa-broadcast.ts';
import { pinnedQuestionText, type PinnedQuestionChanged } from './qa-pins.ts';
import { questionView, type QaRepository } from './qa-repository.ts';
import { normalizeAnswer, normalizeQuestion, QaRefusal } from './qa-rules.ts';

export interface QaSocketDeps {
  questions: QaRepository;
  seats: WebinarStageDirectory;
  broadcaster: QaBroadcaster;
  /** Questions per attendee and webinar (QA_RATE_LIMIT): against flooding, not against asking. */
  limiter: ChatRateLimiter;
  /** The pinned question changed (for the recording). */
  pinned: PinnedQuestionChanged;
  logger: Logger;
}

/** A burst of 3 questions, then one every 10 seconds, per attendee and webinar. */
export const QA_RATE_LIMIT = { capacity: 3, windowSeconds: 30 };
/** Events a socket may send per second, all kinds together; more is a broken or hostile client. */
const MAX_EVENTS_PER_SECOND = 20;
/** How long a socket trusts its last seat check before a write. */
const SEAT_RECHECK_MS = 5_000;
const ACTIONS: readonly QaAction[] = ['approve', 'answer', 'dismiss', 'reopen', 'pin', 'unpin', 'delete'];

export interface QaSockets {
  /**
   * A webinar's stage changed (a co-host removed, a registrant declined, the audience narrowed, the
   * webinar ended): this process's sockets in it are seated again at once, so a former co-host
   * stops hearing who asked anonymously, and each is told to join again.
   */
  stageChanged(change: StageChange): Promise<void>;
}

export function attachQaSocket(namespace: QaNamespace, deps: QaSocketDeps): QaSockets {
  const { questions, broadcaster, logger } = deps;
  const rechecks = new Set<(change: StageChange) => Promise<void>>();

  namespace.use((socket, next) => {
    const { cookie, origin, host } = socket.handshake.headers;
    socket.data.cookieHeader = cookie;
    socket.data.origin = origin;
    socket.data.host = host;
    socket.data.webinarId = undefined;
    next();
  });

  namespace.on('connection', (socket) => {
    // One event at a time per socket, in arrival order: its asks and votes are answered in the
    // order it made them, and a join finishes before what follows it.
    const { handle, enqueue } = socketEvents(socket, { maxPerSecond: MAX_EVENTS_PER_SECOND, what: 'Q&A', logger });
    let known: { seat: StageSeat; at: number } | undefined;

    const seatAt = async (webinarId: string): Promise<StageSeat> => {
      const { cookieHeader: cookie, origin, host } = socket.data;
      const seat = await deps.seats.seatAt(webinarId, { handshake: { cookie, origin, host } });
      if (typeof seat !== 'string') return seat;
      switch (seat) {
        case 'not_found':
          throw new NotFoundError('Webinar', webinarId);
        case 'private':
          throw new ForbiddenError('This webinar is on a private channel.');
        case 'sign_in':
          throw new AppError(401, 'unauthorized', 'Sign in to take part in this webinar.');
        case 'registration_required':
          throw new AppError(403, 'registration_required', 'This webinar is for its approved registrants.');
      }
    };

    const leave = async () => {
      const webinarId = socket.data.webinarId;
      if (webinarId === undefined) return;
      await socket.leave(webinarRoom(webinarId));
      await socket.leave(hostsRoom(webinarId));
      socket.data.webinarId = undefined;
      known = undefined;
    };

    // The caller's seat as of a few seconds ago: a session that ended, or an audience narrowed,
    // stops their writes within SEAT_RECHECK_MS without a query for every vote. A caller who lost
    // their seat is taken out of the webinar's rooms.
    const currentSeat = async (): Promise<StageSeat> => {
      const webinarId = socket.data.webinarId;
      if (webinarId === undefined) throw new QaRefusal(409, 'not_joined', "Join a webinar's Q&A first.");
      if (known && Date.now() - known.at < SEAT_RECHECK_MS) return known.seat;
      try {
        known = { seat: await seatAt(webinarId), at: Date.now() };
      } catch (error) {
        await leave();
        throw error;
      }
      return known.seat;
    };

    // Seated again right away, in the socket's own queue; its page joins again (the list it may
    // see now, or the refusal) when told to.
    const recheck = (change: StageChange): Promise<void> => {
      const run = async () => {
        const webinarId = socket.data.webinarId;
        if (webinarId !== change.webinarId) return;
        if (change.userId !== undefined && known?.seat.userId !== change.userId) return;
        known = undefined;
        try {
          const seat = await seatAt(webinarId);
          if (!isHost(seat)) await socket.leave(hostsRoom(webinarId));
          known = { seat, at: Date.now() };
        } catch {
          await leave();
        }
        socket.emit('rejoin', { webinarId });
      };
      return enqueue(run, 'could not seat a Q&A socket again');
    };
    rechecks.add(recheck);
    socket.on('disconnect', () => rechecks.delete(recheck));

    const asker = (seat: StageSeat): string => {
      if (seat.userId === undefined) throw new QaRefusal(401, 'unauthorized', 'Sign in to ask and vote.');
      return seat.userId;
    };
    const host = (seat: StageSeat): void => {
      if (!isHost(seat)) throw new QaRefusal(403, 'forbidden', "Only this webinar's host and co-hosts can do that.");
    };

    handle('join', async (payload): Promise<QaJoinResult> => {
      const webinarId = stringField(payload, 'webinarId', 64);
      const seat = await seatAt(webinarId);
      if (socket.data.webinarId !== webinarId) await leave();
      // In the rooms before reading: a change made meanwhile arrives twice (the client keeps one
      // per id) rather than not at all.
      await socket.join(webinarRoom(webinarId));
      if (isHost(seat)) await socket.join(hostsRoom(webinarId));
      else await socket.leave(hostsRoom(webinarId));
      socket.data.webinarId = webinarId;
      known = { seat, at: Date.now() };
      const audience = isHost(seat) ? 'host' : 'attendee';
      const [rows, moderated, myVotes] = await Promise.all([
        questions.list(webinarId, { audience, userId: seat.userId }),
        questions.moderated(webinarId),
        seat.userId ? questions.votesOf(webinarId, seat.userId) : Promise.resolve([]),
      ]);
      return {
        questions: rows.map((row) => questionView(row, audience)),
        moderated,
        closed: seat.state === 'ended',
        myVotes,
        mine: rows.filter((row) => row.user.id === seat.userId).map((row) => row.id),
        me: { canAsk: seat.userId !== undefined, isHost: isHost(seat), userId: seat.userId ?? null },
      };
    });

    handle('leave', async () => {
      await leave();
      return {};
    });

    handle('ask', async (payload): Promise<{ question: QaQuestion }> => {
      if (!isRecord(payload) || typeof payload.body !== 'string')
        throw new BadRequestError('Expected { body: string, anonymous?: boolean }.');
      if (payload.anonymous !== undefined && typeof payload.anonymous !== 'boolean')
        throw new BadRequestError('anonymous must be true or false.');
      const seat = await currentSeat();
      const userId = asker(seat);
      const body = normalizeQuestion(payload.body);
      const taken = deps.limiter.take(seat.webinarId, userId);
      if (!taken.ok) {
        throw new QaRefusal(
          429,
          'rate_limited',
          `At most ${QA_RATE_LIMIT.capacity} questions in ${QA_RATE_LIMIT.windowSeconds} seconds; wait ${taken.retryAfterSeconds} s.`,
          { retryAfterSeconds: taken.retryAfterSeconds },
        );
      }
      const row = await questions.ask(seat.webinarId, userId, { body, anonymous: payload.anonymous === true });
      broadcaster.asked(row);
      // The asker sees their own question with their name, anonymous or not.
      return { question: questionView(row, 'host') };
    });

    for (const event of ['vote', 'unvote'] as const) {
      handle(event, async (payload): Promise<{ votes: number }> => {
        const questionId = stringField(payload, 'questionId', 64);
        const seat = await currentSeat();
        const userId = asker(seat);
        const votes =
          event === 'vote'
            ? await questions.vote(seat.webinarId, questionId, userId)
            : await questions.unvote(seat.webinarId, questionId, userId);
        broadcaster.votes(seat.webinarId, questionId, votes);
        return { votes };
      });
    }

    handle('moderate', async (payload): Promise<{ question: QaQuestion | null }> => {
      const questionId = stringField(payload, 'questionId', 64);
      const { action, answer } = payload as Record<string, unknown>;
      if (typeof action !== 'string' || !ACTIONS.includes(action as QaAction))
        throw new BadRequestError(`action must be one of ${ACTIONS.join(', ')}.`);
      if (answer !== undefined && (typeof answer !== 'string' || action !== 'answer'))
        throw new BadRequestError('answer is a string, and only goes with the action "answer".');
      const seat = await currentSeat();
      host(seat);
      const typed = action === 'answer' ? normalizeAnswer(answer as string | undefined) : null;
      const { question, unpinned, wasPinned } = await questions.moderate(
        seat.webinarId,
        questionId,
        action as QaAction,
        typed,
      );
      if (unpinned) broadcaster.changed(unpinned);
      if (question) broadcaster.changed(question);
      else broadcaster.removed(seat.webinarId, questionId);
      if (question?.pinned || wasPinned)
        deps.pinned({
          webinarId: seat.webinarId,
          question: question?.pinned ? pinnedQuestionText(question) : null,
        });
      return { question: question ? questionView(question, 'host') : null };
    });

    handle('set-moderation', async (payload): Promise<{ moderated: boolean }> => {
      if (!isRecord(payload) || typeof payload.moderated !== 'boolean')
        throw new BadRequestError('Expected { moderated: boolean }.');
      const seat = await currentSeat();
      host(seat);
      await questions.setModerated(seat.webinarId, payload.moderated);
      broadcaster.settings(seat.webinarId, payload.moderated);
      return { moderated: payload.moderated };
    });
  });

  return {
    async stageChanged(change) {
      await Promise.all([...rechecks].map((recheck) => recheck(change)));
    },
  };
}

function isHost(seat: StageSeat): boolean {
  return seat.role === 'host' || seat.role === 'cohost';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(payload: unknown, field: string, maxLength: number): string {
  const value = isRecord(payload) ? payload[field] : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength)
    throw new BadRequestError(`Expected { ${field}: string } of 1 to ${maxLength} characters.`);
  return value;
}
