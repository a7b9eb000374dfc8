// The rules of a poll that need no database: what a draft may hold, which votes count, which
// state each host action starts from, and who sees the counts. Routes, the socket and the
// repository ask here, so every refusal has one code wherever it comes from.
import { AppError, ConflictError } from '../../common/errors.ts';
import {
  POLL_DURATION_MAX_SECONDS,
  POLL_DURATION_MIN_SECONDS,
  POLL_OPTION_MAX,
  POLL_OPTIONS_MAX,
  POLL_OPTIONS_MIN,
  POLL_QUESTION_MAX,
  type PollResultsVisibility,
  type PollState,
} from '../../common/protocol/polls.ts';
import { isBlank } from '../../common/text.ts';

export interface CheckedDraft {
  question: string;
  options: string[];
  multipleChoice: boolean;
  resultsVisibility: PollResultsVisibility;
  durationSeconds: number | null;
}

const refuse = (code: string, message: string) => new AppError(400, code, message);

/** The draft with its text trimmed, or a 400 with the code of the first thing wrong. */
export function checkDraft(draft: {
  question: string;
  options: readonly string[];
  multipleChoice?: boolean | undefined;
  resultsVisibility?: PollResultsVisibility | undefined;
  durationSeconds?: number | null | undefined;
}): CheckedDraft {
  const question = draft.question.trim();
  if (isBlank(question)) throw refuse('poll_question_empty', 'A poll needs a question.');
  if (question.length > POLL_QUESTION_MAX)
    throw refuse('poll_question_too_long', `A question is at most ${POLL_QUESTION_MAX} characters.`);
  if (draft.options.length < POLL_OPTIONS_MIN || draft.options.length > POLL_OPTIONS_MAX)
    throw refuse('poll_options_count', `A poll has ${POLL_OPTIONS_MIN} to ${POLL_OPTIONS_MAX} options.`);
  const options = draft.options.map((option) => option.trim());
  options.forEach((option, i) => {
    if (isBlank(option)) throw refuse('poll_option_empty', `Option ${i + 1} is empty.`);
    if (option.length > POLL_OPTION_MAX)
      throw refuse('poll_option_too_long', `Option ${i + 1} is longer than ${POLL_OPTION_MAX} characters.`);
  });
  // Two options with one label can't be told apart in the results.
  const seen = new Set<string>();
  for (const option of options) {
    const key = option.toLocaleLowerCase();
    if (seen.has(key)) throw refuse('poll_option_duplicate', `"${option}" is listed twice.`);
    seen.add(key);
  }
  const duration = draft.durationSeconds ?? null;
  if (
    duration !== null &&
    (!Number.isInteger(duration) || duration < POLL_DURATION_MIN_SECONDS || duration > POLL_DURATION_MAX_SECONDS)
  ) {
    throw refuse(
      'poll_duration_invalid',
      `A time limit is ${POLL_DURATION_MIN_SECONDS} seconds to ${POLL_DURATION_MAX_SECONDS / 3600} hours, or none.`,
    );
  }
  return {
    question,
    options,
    multipleChoice: draft.multipleChoice ?? false,
    resultsVisibility: draft.resultsVisibility ?? 'live',
    durationSeconds: duration,
  };
}

/** The vote as sorted option indexes, or a 400: outside the options, none, or several on a single-choice poll. */
export function checkChoices(
  poll: { options: readonly string[]; multipleChoice: boolean },
  choices: readonly unknown[],
): number[] {
  if (choices.length === 0) throw refuse('poll_choice_empty', 'Choose an option.');
  for (const choice of choices) {
    if (typeof choice !== 'number' || !Number.isInteger(choice) || choice < 0 || choice >= poll.options.length)
      throw refuse('poll_choice_invalid', `Choices are option numbers from 0 to ${poll.options.length - 1}.`);
  }
  const unique = [...new Set(choices as number[])].sort((a, b) => a - b);
  if (unique.length !== choices.length) throw refuse('poll_choice_invalid', 'An option is chosen twice.');
  if (!poll.multipleChoice && unique.length > 1)
    throw refuse('poll_single_choice', 'This poll takes one choice; a new vote replaces the last one.');
  return unique;
}

export type PollAction = 'edit' | 'delete' | 'launch' | 'close' | 'vote';

/** The state each action needs. A poll only moves forward: draft -> open -> closed. */
const NEEDS: Record<PollAction, PollState> = {
  edit: 'draft',
  delete: 'draft',
  launch: 'draft',
  close: 'open',
  vote: 'open',
};

const ACTION_WORDS: Record<PollAction, string> = {
  edit: 'edited',
  delete: 'deleted',
  launch: 'launched',
  close: 'closed',
  vote: 'voted on',
};

/** Throws unless `action` may be taken on a poll in `state` (a vote after closing: 409 poll_closed). */
export function checkState(action: PollAction, state: PollState): void {
  if (state === NEEDS[action]) return;
  if (action === 'vote' && state === 'closed') throw new ConflictError('poll_closed', 'This poll is closed.');
  throw new ConflictError('poll_state', `The poll is ${state}: it can't be ${ACTION_WORDS[action]}.`);
}

/**
 * Whether the counts may be shown: always to those who run the poll; to everyone else once it is
 * closed, or while open when its results are live. Never for a draft (nobody voted).
 */
export function resultsVisible(
  poll: { state: PollState; resultsVisibility: PollResultsVisibility },
  runsIt: boolean,
): boolean {
  if (poll.state === 'draft') return false;
  return runsIt || poll.state === 'closed' || poll.resultsVisibility === 'live';
}

/** Counts per option from (option index, votes) rows; indexes outside the options are ignored. */
export function countsOf(optionCount: number, rows: readonly { option: number; votes: number }[]): number[] {
  const counts = new Array<number>(optionCount).fill(0);
  for (const { option, votes } of rows) if (option >= 0 && option < optionCount) counts[option] = votes;
  return counts;
}
