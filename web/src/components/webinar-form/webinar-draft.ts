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
}

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
    };
  const tomorrow = Math.ceil((now + 24 * HOUR) / HOUR) * HOUR;
  return {
    title: '',
    description: '',
    start: toZoneInput(new Date(tomorrow).toISOString(), zone),
    durationMinutes: 60,
    audience: 'anyone',
  };
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
  return problems;
}

/** What a new webinar sends: the start as the UTC instant. Call once fieldProblems found none. */
export function draftOf(fields: WebinarFields, zone: string): WebinarDraft {
  return {
    title: fields.title.trim(),
    description: fields.description.trim(),
    scheduledStart: fromZoneInput(fields.start, zone) ?? '',
    durationMinutes: fields.durationMinutes,
    audience: fields.audience,
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
  return change;
}
