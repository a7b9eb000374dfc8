// The studio's webinar form as plain data: what it starts with, what is wrong with it before it
// is sent, and what it sends. The start is typed as a wall-clock time in the host's zone.
import { fromZoneInput, toZoneInput } from '../../lib/time-zone.ts';
import {
  WEBINAR_DESCRIPTION_MAX,
  WEBINAR_MAX_MINUTES,
  WEBINAR_MIN_MINUTES,
  WEBINAR_TITLE_MAX,
  type Webinar,
  type WebinarAudience,
  type WebinarDraft,
  type WebinarField,
} from '../../stores/webinars.ts';

export interface WebinarFields {
  title: string;
  description: string;
  /** An <input type="datetime-local"> value, in the host's zone: "2026-05-01T14:30". */
  start: string;
  durationMinutes: number;
  audience: WebinarAudience;
  /** Registration, sent when the audience is 'registered'. The capacity as typed: "" for no limit. */
  registrationApproval: boolean;
  registrationCapacity: string;
  registrationQuestions: { text: string; required: boolean }[];
  /** Attendees may raise a hand to ask for the stage. */
  handRaising: boolean;
}

export const REGISTRATION_CAPACITY_MAX = 100_000;
export const REGISTRATION_QUESTIONS_MAX = 3;
export const REGISTRATION_QUESTION_MAX = 200;

export type FieldProblems = Partial<Record<WebinarField, string>>;

/** The lengths the form offers; an edited webinar's own length is added when it is not one of them. */
export const DURATIONS = [15, 30, 45, 60, 90, 120, 180, 240, 360, 480];

const HOUR = 3_600_000;

/** An edited webinar's fields, or a new one's: an hour long, tomorrow at the next whole hour. */
export function fieldsOf(webinar: Webinar | null, zone: string, now: number): WebinarFields {
  if (webinar)
    return {
      title: webinar.title,
      description: webinar.description,
      start: toZoneInput(webinar.scheduledStart, zone),
      durationMinutes: webinar.durationMinutes,
      audience: webinar.audience,
      registrationApproval: webinar.registration.approval,
      registrationCapacity: webinar.registration.capacity === null ? '' : String(webinar.registration.capacity),
      registrationQuestions: webinar.registration.questions.map((q) => ({ ...q })),
      handRaising: webinar.handRaising,
    };
  const tomorrow = Math.ceil((now + 24 * HOUR) / HOUR) * HOUR;
  return {
    title: '',
    description: '',
    start: toZoneInput(new Date(tomorrow).toISOString(), zone),
    durationMinutes: 60,
    audience: 'anyone',
    registrationApproval: false,
    registrationCapacity: '',
    registrationQuestions: [],
    handRaising: true,
  };
}

/** The capacity typed, as sent: null for none, NaN for something that is not a whole number. */
function capacityOf(typed: string): number | null {
  const text = typed.trim();
  if (text === '') return null;
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * What the server would refuse, said before sending. The start is checked only when it is being
 * set (`startChanges`): an edit that leaves it alone must not be refused for its having passed.
 */
export function fieldProblems(fields: WebinarFields, zone: string, now: number, startChanges = true): FieldProblems {
  const problems: FieldProblems = {};
  const title = fields.title.trim();
  if (!title) problems.title = 'Give it a title.';
  else if (title.length > WEBINAR_TITLE_MAX) problems.title = `A title can be at most ${WEBINAR_TITLE_MAX} characters.`;
  if (fields.description.length > WEBINAR_DESCRIPTION_MAX)
    problems.description = `The description can be at most ${WEBINAR_DESCRIPTION_MAX} characters.`;
  if (startChanges) {
    const start = fromZoneInput(fields.start, zone);
    if (!start) problems.scheduledStart = 'Pick a date and a time.';
    else if (Date.parse(start) < now) problems.scheduledStart = 'That time has passed: pick one in the future.';
  }
  const minutes = fields.durationMinutes;
  if (!Number.isInteger(minutes) || minutes < WEBINAR_MIN_MINUTES || minutes > WEBINAR_MAX_MINUTES)
    problems.durationMinutes = `A webinar lasts from ${WEBINAR_MIN_MINUTES} minutes to ${WEBINAR_MAX_MINUTES / 60} hours.`;
  if (fields.audience === 'registered') {
    const capacity = capacityOf(fields.registrationCapacity);
    if (capacity !== null && !(capacity >= 1 && capacity <= REGISTRATION_CAPACITY_MAX))
      problems.registrationCapacity = `A whole number from 1 to ${REGISTRATION_CAPACITY_MAX}, or empty for no limit.`;
    const questions = fields.registrationQuestions;
    if (questions.length > REGISTRATION_QUESTIONS_MAX)
      problems.registrationQuestions = `At most ${REGISTRATION_QUESTIONS_MAX} questions.`;
    else if (questions.some((q) => !q.text.trim()))
      problems.registrationQuestions = 'Write each question, or remove it.';
    else if (questions.some((q) => q.text.trim().length > REGISTRATION_QUESTION_MAX))
      problems.registrationQuestions = `A question can be at most ${REGISTRATION_QUESTION_MAX} characters.`;
  }
  return problems;
}

/** What a new webinar sends: the start as the UTC instant. Call once fieldProblems found none. */
export function draftOf(fields: WebinarFields, zone: string): WebinarDraft {
  const draft: WebinarDraft = {
    title: fields.title.trim(),
    description: fields.description.trim(),
    scheduledStart: fromZoneInput(fields.start, zone) ?? '',
    durationMinutes: fields.durationMinutes,
    audience: fields.audience,
    handRaising: fields.handRaising,
  };
  if (fields.audience !== 'registered') return draft;
  return {
    ...draft,
    registrationApproval: fields.registrationApproval,
    registrationCapacity: capacityOf(fields.registrationCapacity),
    registrationQuestions: fields.registrationQuestions.map((q) => ({ text: q.text.trim(), required: q.required })),
  };
}

/** What an edit sends: only the fields that differ from `webinar`. */
export function changesOf(webinar: Webinar, fields: WebinarFields, zone: string): Partial<WebinarDraft> {
  const draft = draftOf(fields, zone);
  const change: Partial<WebinarDraft> = {};
  if (draft.title !== webinar.title) change.title = draft.title;
  if (draft.description !== webinar.description) change.description = draft.description;
  if (Date.parse(draft.scheduledStart) !== Date.parse(webinar.scheduledStart))
    change.scheduledStart = draft.scheduledStart;
  if (draft.durationMinutes !== webinar.durationMinutes) change.durationMinutes = draft.durationMinutes;
  if (draft.audience !== webinar.audience) change.audience = draft.audience;
  if (draft.handRaising !== undefined && draft.handRaising !== webinar.handRaising)
    change.handRaising = draft.handRaising;
  const { registration } = webinar;
  if (draft.registrationApproval !== undefined && draft.registrationApproval !== registration.approval)
    change.registrationApproval = draft.registrationApproval;
  if (draft.registrationCapacity !== undefined && draft.registrationCapacity !== registration.capacity)
    change.registrationCapacity = draft.registrationCapacity;
  if (
    draft.registrationQuestions !== undefined &&
    JSON.stringify(draft.registrationQuestions) !== JSON.stringify(registration.questions)
  )
    change.registrationQuestions = draft.registrationQuestions;
  return change;
}
