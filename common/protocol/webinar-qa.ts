// A webinar's live Q&A over socket.io (namespace /qa). Types only, with no server imports, so the
// web app imports this file as it imports common/protocol/chat.ts.
//
// A socket joins one webinar at a time. Every client event takes an ack callback; the reply is
// `{ ok: true, ...result }` or `{ ok: false, error: Problem }` with a stable `code`. Server events
// go to everyone in the webinar's Q&A, the sender included, and a client renders the list from them
// (and from acks, upserting by id): hosts get every question with its asker; attendees get only
// approved and answered ones, with anonymous askers hidden. When a question leaves what attendees
// may see (dismissed, deleted), they get `question-removed` and never see it again.
import type { Problem } from './problem.ts';

export type { Problem };

export const QA_NAMESPACE = '/qa';

/** Characters (Unicode code points) a question may have after trimming. */
export const QA_QUESTION_MAX = 500;
/** Characters a host's typed answer may have. */
export const QA_ANSWER_MAX = 2000;

export type QaQuestionState = 'pending' | 'approved' | 'answered' | 'dismissed';

/** What a host does to a question. `answer` takes an optional typed answer (none: answered live). */
export type QaAction = 'approve' | 'answer' | 'dismiss' | 'reopen' | 'pin' | 'unpin' | 'delete';

export interface QaAuthor {
  userId: string;
  username: string;
  name: string;
}

export interface QaQuestion {
  id: string;
  webinarId: string;
  /** Plain text: clients render it as text, never as HTML. */
  body: string;
  /** Asked anonymously: attendees get `author: null`; hosts still get the author. */
  anonymous: boolean;
  author: QaAuthor | null;
  state: QaQuestionState;
  /** A host's typed answer; null when answered live or not answered. */
  answer: string | null;
  answeredAt: string | null;
  /** Shown over the stage's video; at most one question of a webinar. */
  pinned: boolean;
  votes: number;
  createdAt: string;
}

/** Why an event was refused: the `code` of the ack's error (besides bad_request, not_found…). */
export type QaRefusalCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_joined'
  | 'empty'
  | 'too_long'
  | 'rate_limited'
  | 'webinar_ended'
  | 'webinar_not_open'
  | 'invalid_transition'
  | 'not_votable'
  | 'own_question'
  | 'already_voted'
  | 'not_voted';

/** What the joining caller may do. */
export interface QaMe {
  /** Signed in (or attending by their personal join link): may ask and vote. */
  canAsk: boolean;
  /** Host or co-host: sees every question and its asker, moderates. */
  isHost: boolean;
  userId: string | null;
}

export interface QaJoinResult {
  /** Oldest first: hosts get all questions; attendees what they may see, plus their own pending ones. */
  questions: QaQuestion[];
  /** New questions wait for a host's approval. */
  moderated: boolean;
  /** The webinar ended: the Q&A is kept, read-only. */
  closed: boolean;
  /** Questions the caller upvoted. */
  myVotes: string[];
  /** Questions the caller asked (anonymous ones too: the asker knows their own). */
  mine: string[];
  me: QaMe;
}

export type QaAck<T extends object = Record<never, never>> = ({ ok: true } & T) | { ok: false; error: Problem };

export interface QaJoinPayload {
  webinarId: string;
}

export interface QaAskPayload {
  /** 1 to QA_QUESTION_MAX characters after trimming; one line or several. */
  body: string;
  anonymous?: boolean;
}

export interface QaQuestionPayload {
  questionId: string;
}

export interface QaModeratePayload extends QaQuestionPayload {
  action: QaAction;
  /** With `answer`: the typed answer, up to QA_ANSWER_MAX characters; absent or empty: answered live. */
  answer?: string;
}

export interface QaClientEvents {
  join: (payload: QaJoinPayload, ack: (reply: QaAck<QaJoinResult>) => void) => void;
  leave: (ack?: (reply: QaAck) => void) => void;
  ask: (payload: QaAskPayload, ack: (reply: QaAck<{ question: QaQuestion }>) => void) => void;
  vote: (payload: QaQuestionPayload, ack: (reply: QaAck<{ votes: number }>) => void) => void;
  unvote: (payload: QaQuestionPayload, ack: (reply: QaAck<{ votes: number }>) => void) => void;
  /** Hosts only. `delete` answers `{ question: null }`. */
  moderate: (payload: QaModeratePayload, ack: (reply: QaAck<{ question: QaQuestion | null }>) => void) => void;
  /** Hosts only. */
  'set-moderation': (payload: { moderated: boolean }, ack: (reply: QaAck<{ moderated: boolean }>) => void) => void;
}

export interface QaServerEvents {
  /** A question is new or changed (its state, answer, pin, or votes). */
  question: (question: QaQuestion) => void;
  /** Gone for this audience: deleted, or (for attendees) dismissed. */
  'question-removed': (event: { webinarId: string; id: string }) => void;
  votes: (event: { webinarId: string; id: string; votes: number }) => void;
  settings: (event: { webinarId: string; moderated: boolean }) => void;
  /**
   * Who the caller is to the webinar may have changed (a co-host removed, access taken back, the
   * webinar ended): join again to get the list and rights as they are now, or the refusal.
   */
  rejoin: (event: { webinarId: string }) => void;
}
