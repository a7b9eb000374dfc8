import { describe, expect, it } from 'vitest';
import type { Webinar } from '../../stores/webinars.ts';
import { changesOf, draftOf, fieldProblems, fieldsOf } from './webinar-draft.ts';

const ZONE = 'America/New_York';
const NOW = Date.parse('2026-04-10T15:20:00Z');

const webinar: Webinar = {
  id: 'w1',
  channel: { slug: 'ada', title: 'Ada', avatarUrl: null },
  title: 'Launch',
  description: 'What is new',
  scheduledStart: '2026-05-01T18:30:00.000Z',
  durationMinutes: 50,
  audience: 'signed_in',
  state: 'scheduled',
  coverUrl: null,
  startedAt: null,
  endedAt: null,
  recording: null,
  createdAt: '2026-04-01T10:00:00.000Z',
  canManage: true,
  registration: { approval: false, capacity: null, questions: [], full: false },
  handRaising: true,
};

describe('the webinar form', () => {
  it("starts a new one tomorrow at the next whole hour, in the host's zone", () => {
    expect(fieldsOf(null, ZONE, NOW)).toEqual({
      title: '',
      description: '',
      start: '2026-04-11T12:00',
      durationMinutes: 60,
      audience: 'anyone',
      registrationApproval: false,
      registrationCapacity: '',
      registrationQuestions: [],
      handRaising: true,
    });
  });

  it('sends registration settings only for registered attendees, checked first', () => {
    const fields = {
      ...fieldsOf(null, ZONE, NOW),
      title: 'Training',
      audience: 'registered' as const,
      registrationApproval: true,
      registrationCapacity: ' 500 ',
      registrationQuestions: [{ text: ' Team? ', required: true }],
    };
    expect(draftOf(fields, ZONE)).toMatchObject({
      registrationApproval: true,
      registrationCapacity: 500,
      registrationQuestions: [{ text: 'Team?', required: true }],
    });
    expect(draftOf({ ...fields, registrationCapacity: '' }, ZONE).registrationCapacity).toBeNull();
    expect(fieldProblems({ ...fields, registrationCapacity: '0' }, ZONE, NOW)).toHaveProperty('registrationCapacity');
    expect(fieldProblems({ ...fields, registrationCapacity: '1.5' }, ZONE, NOW)).toHaveProperty('registrationCapacity');
    expect(
      fieldProblems({ ...fields, registrationQuestions: [{ text: ' ', required: false }] }, ZONE, NOW),
    ).toHaveProperty('registrationQuestions');
    const edited = { ...webinar, audience: 'registered' as const };
    expect(changesOf(edited, { ...fieldsOf(edited, ZONE, NOW), registrationCapacity: '20' }, ZONE)).toEqual({
      registrationCapacity: 20,
    });
  });

  it('sends hand raising turned off, and only when it changed', () => {
    expect(changesOf(webinar, { ...fieldsOf(webinar, ZONE, NOW), handRaising: false }, ZONE)).toEqual({
      handRaising: false,
    });
    expect(changesOf(webinar, fieldsOf(webinar, ZONE, NOW), ZONE)).toEqual({});
  });

  it("shows an edited one's start on the host's clock", () => {
    expect(fieldsOf(webinar, ZONE, NOW).start).toBe('2026-05-01T14:30');
    expect(fieldsOf(webinar, 'Europe/Paris', NOW).start).toBe('2026-05-01T20:30');
  });

  it('sends the start as the UTC instant', () => {
    const fields = { ...fieldsOf(null, ZONE, NOW), title: '  Q&A  ', start: '2026-05-01T14:30' };
    expect(draftOf(fields, ZONE)).toEqual({
      title: 'Q&A',
      description: '',
      scheduledStart: '2026-05-01T18:30:00.000Z',
      durationMinutes: 60,
      audience: 'anyone',
      handRaising: true,
    });
  });

  it('finds what the server would refuse, on its field', () => {
    const fields = fieldsOf(null, ZONE, NOW);
    expect(fieldProblems(fields, ZONE, NOW)).toEqual({ title: 'Give it a title.' });
    expect(
      fieldProblems({ ...fields, title: 'x'.repeat(141), start: '2026-04-10T11:00', durationMinutes: 10 }, ZONE, NOW),
    ).toEqual({
      title: 'A title can be at most 140 characters.',
      scheduledStart: 'That time has passed: pick one in the future.',
      durationMinutes: 'A webinar lasts from 15 minutes to 8 hours.',
    });
    expect(fieldProblems({ ...fields, title: 'Ok', start: '' }, ZONE, NOW)).toEqual({
      scheduledStart: 'Pick a date and a time.',
    });
  });

  it("leaves a start it doesn't change alone", () => {
    const fields = { ...fieldsOf(webinar, ZONE, NOW) };
    expect(fieldProblems(fields, ZONE, Date.parse('2026-06-01T00:00:00Z'), false)).toEqual({});
  });

  it('sends only what an edit changed', () => {
    const fields = { ...fieldsOf(webinar, ZONE, NOW), title: 'Launch day', durationMinutes: 90 };
    expect(changesOf(webinar, fields, ZONE)).toEqual({ title: 'Launch day', durationMinutes: 90 });
    expect(changesOf(webinar, { ...fields, start: '2026-05-01T15:00' }, ZONE)).toMatchObject({
      scheduledStart: '2026-05-01T19:00:00.000Z',
    });
  });
});
