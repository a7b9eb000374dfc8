// Polls, one engine for webinars and channel streams: the REST shapes (TypeBox, as the API answers
// them) and the socket.io protocol of the /polls namespace. The web app imports types only.
//
// A poll belongs to a scope: a webinar (run by its host and co-hosts) or a channel (run by its
// owner and moderators). It goes draft -> open -> closed. Votes are counted on the server and
// pushed as aggregate counts, never one event per vote. Results of a poll whose visibility is
// 'closed' reach only those who run it until it closes: for everyone else `results` is null.
//
// Every client event takes an ack callback answered `{ ok: true, ...result }` or
// `{ ok: false, error: Problem }` with a stable `code`, as in the chat protocol.
import { Type, type Static } from 'typebox';
import type { Problem } from './problem.ts';
import { DateTime, Nullable, TextLine, Uuid } from './rest/schema.ts';

export const POLLS_NAMESPACE = '/polls';

export const POLL_QUESTION_MAX = 300;
export const POLL_OPTION_MAX = 120;
export const POLL_OPTIONS_MIN = 2;
export const POLL_OPTIONS_MAX = 10;
/** Time limits: ten seconds to a day. */
export const POLL_DURATION_MIN_SECONDS = 10;
export const POLL_DURATION_MAX_SECONDS = 86_400;
/** Polls one scope may hold: more is a script, not a host. */
export const POLLS_PER_SCOPE_MAX = 200;

export type PollScope = { kind: 'webinar'; webinarId: string } | { kind: 'channel'; channel: string };

export const PollState = Type.Union([Type.Literal('draft'), Type.Literal('open'), Type.Literal('closed')], {
  description: 'draft: prepared, seen only by who runs it; open: taking votes; closed: results final.',
});
export type PollState = Static<typeof PollState>;

export const PollResultsVisibility = Type.Union([Type.Literal('live'), Type.Literal('closed')], {
  description: 'live: voters see the counts while it is open; closed: only once it closes.',
});
export type PollResultsVisibility = Static<typeof PollResultsVisibility>;

export const PollResults = Type.Object({
  /** Votes per option, in the options' order. */
  counts: Type.Array(Type.Integer()),
  /** People who voted (a multiple-choice vote counts once here, once per option above). */
  voters: Type.Integer(),
  /** When they were counted (epoch ms): of two results that cross, the later count is the newer. */
  countedAt: Type.Number(),
});
export type PollResults = Static<typeof PollResults>;

export const Poll = Type.Object({
  id: Uuid,
  question: Type.String(),
  options: Type.Array(Type.String()),
  multipleChoice: Type.Boolean(),
  resultsVisibility: PollResultsVisibility,
  durationSeconds: Nullable(Type.Integer()),
  state: PollState,
  openedAt: Nullable(DateTime),
  /** The deadline of a timed poll, once open. */
  closesAt: Nullable(DateTime),
  closedAt: Nullable(DateTime),
  createdAt: DateTime,
  /** null while hidden from this reader (results shown only when closed) and for drafts. */
  results: Nullable(PollResults),
  /** The reader's own vote (option indexes), null if none or signed out. */
  myChoices: Nullable(Type.Array(Type.Integer())),
});
export type Poll = Static<typeof Poll>;

export const PollList = Type.Object({
  items: Type.Array(Poll, { description: 'Newest first; drafts only for who runs the polls.' }),
  canRun: Type.Boolean({ description: 'Whether the caller runs this scope’s polls (creates, launches, closes).' }),
});
export type PollList = Static<typeof PollList>;

/**
 * A draft as the host writes it. Only the shape is checked here (and text normalized): the rules
 * (api/polls/poll-rules.ts) refuse empty text, too few or too many options with their own codes.
 */
export const PollDraft = Type.Object(
  {
    question: TextLine({ maxLength: 2000 }),
    options: Type.Array(TextLine({ maxLength: 1000 }), { maxItems: 100 }),
    multipleChoice: Type.Optional(Type.Boolean({ default: false })),
    resultsVisibility: Type.Optional(PollResultsVisibility),
    // Null first: with type coercion on, a null tried against the integer first would become 0.
    durationSeconds: Type.Optional(Type.Union([Type.Null(), Type.Integer()])),
  },
  { additionalProperties: false },
);
export type PollDraft = Static<typeof PollDraft>;

export const PollDraftChange = Type.Partial(PollDraft, { additionalProperties: false });
export type PollDraftChange = Static<typeof PollDraftChange>;

export const PollVoteBody = Type.Object(
  { choices: Type.Array(Type.Integer(), { maxItems: 100, description: 'Indexes of the chosen options.' }) },
  { additionalProperties: false },
);

/** Why a vote or a host's action is refused: the `code` of the error. */
export type PollRefusalCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'bad_request'
  | 'poll_question_empty'
  | 'poll_question_too_long'
  | 'poll_option_empty'
  | 'poll_option_too_long'
  | 'poll_option_duplicate'
  | 'poll_options_count'
  | 'poll_duration_invalid'
  | 'poll_choice_invalid'
  | 'poll_choice_empty'
  | 'poll_single_choice'
  | 'poll_closed'
  | 'poll_state'
  | 'poll_scope_ended'
  | 'too_many_polls';

// The socket protocol.

export type PollAck<T extends object = Record<never, never>> = ({ ok: true } & T) | { ok: false; error: Problem };

export interface PollJoinResult {
  /** Names the scope in every server event about it. */
  scopeKey: string;
  polls: Poll[];
  canRun: boolean;
}

export interface PollClientEvents {
  join(payload: { scope: PollScope }, ack: (reply: PollAck<PollJoinResult>) => void): void;
  leave(payload: { scope: PollScope }, ack: (reply: PollAck) => void): void;
  /** Answered with the poll and the caller's vote; its counts only for who runs it (voters get them by `results`). */
  vote(payload: { pollId: string; choices: number[] }, ack: (reply: PollAck<{ poll: Poll }>) => void): void;
}

/** A poll as broadcast: no myChoices (each client knows its own vote from its ack). */
export type PollUpdate = Omit<Poll, 'myChoices'>;

export interface PollServerEvents {
  /** A poll was created, edited, launched or closed (results null where hidden from the room). */
  poll(event: { scopeKey: string; poll: PollUpdate }): void;
  /** A draft was deleted. */
  'poll-removed'(event: { scopeKey: string; pollId: string }): void;
  /** New counts of an open poll, coalesced (a few per second at most however many vote). */
  results(event: { scopeKey: string; pollId: string; results: PollResults }): void;
}
