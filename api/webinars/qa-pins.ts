// The question a host pinned, announced to every process: the one recording the webinar draws it
// into the composed picture (recorder/stage-overlays.ts, wired in platform/recorder-role.ts). The
// API publishes after the change is stored; a recording that starts later reads it from the
// database (pinnedQuestionOf).
import type { PrismaClient } from '../../common/db/database.ts';
import type { Logger } from '../../common/logger.ts';
import type { PubSub, Unsubscribe } from '../../common/pubsub/pubsub.ts';

const TOPIC = 'webinar-pinned-question';

/** The pinned question as attendees see it: an anonymous asker stays anonymous in the recording. */
export interface PinnedQuestionText {
  asker: string;
  body: string;
  answer: string | null;
}

export interface PinnedQuestionChange {
  webinarId: string;
  /** null: nothing pinned any more. */
  question: PinnedQuestionText | null;
}

/** Never throws: a lost announcement loses a caption in the recording, not the Q&A (logged). */
export type PinnedQuestionChanged = (change: PinnedQuestionChange) => void;

export function pinnedQuestionText(row: {
  anonymous: boolean;
  body: string;
  answer: string | null;
  user: { name: string };
}): PinnedQuestionText {
  return { asker: row.anonymous ? 'Anonymous' : row.user.name, body: row.body, answer: row.answer };
}

export function pinnedQuestionPublisher(pubsub: PubSub, logger: Logger): PinnedQuestionChanged {
  return (change) => {
    pubsub
      .publish(TOPIC, change)
      .catch((error: unknown) =>
        logger.warn({ err: error, webinar: change.webinarId }, 'could not announce the pinned question'),
      );
  };
}

export function onPinnedQuestion(
  pubsub: PubSub,
  handler: (change: PinnedQuestionChange) => void,
): Promise<Unsubscribe> {
  return pubsub.subscribe(TOPIC, (message) => {
    const { webinarId, question } = (message ?? {}) as { webinarId?: unknown; question?: Partial<PinnedQuestionText> };
    if (typeof webinarId !== 'string') return;
    if (question === null) return handler({ webinarId, question: null });
    if (typeof question?.asker !== 'string' || typeof question.body !== 'string') return;
    const answer = typeof question.answer === 'string' ? question.answer : null;
    handler({ webinarId, question: { asker: question.asker, body: question.body, answer } });
  });
}

/** The webinar's pinned question now, for a recording that starts. */
export async function pinnedQuestionOf(prisma: PrismaClient, webinarId: string): Promise<PinnedQuestionText | null> {
  const row = await prisma.webinarQuestion.findFirst({
    where: { webinarId, pinned: true },
    select: { anonymous: true, body: true, answer: true, user: { select: { name: true } } },
  });
  return row ? pinnedQuestionText(row) : null;
}
