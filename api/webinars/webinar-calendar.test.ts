import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, utcDateTime, webinarCalendar } from './webinar-calendar.ts';
import { csvCell, registrantsCsv } from './registrants-csv.ts';

describe('the webinar calendar file (RFC 5545)', () => {
  it('writes times in UTC, escapes text and folds long lines at 75 octets', () => {
    expect(utcDateTime(new Date('2026-12-08T09:05:00.000+02:00'))).toBe('20261208T070500Z');
    expect(escapeText('a\\b; c, d\r\ne')).toBe('a\\\\b\\; c\\, d\\ne');
    const long = 'DESCRIPTION:' + 'é'.repeat(80);
    const folded = foldLine(long).split('\r\n');
    for (const line of folded) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(folded.slice(1).every((line) => line.startsWith(' '))).toBe(true);
    expect(folded.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(long);
  });

  it('is one VEVENT with the fields calendars read', () => {
    const ics = webinarCalendar({
      uid: 'r1@webinars.aethex-live',
      start: new Date('2026-12-08T18:00:00Z'),
      end: new Date('2026-12-08T19:30:00Z'),
      stamp: new Date('2026-12-07T22:00:00Z'),
      summary: 'Onboarding, part 1',
      description: 'Join: https://x.test/webinars/w?join=t',
      url: 'https://x.test/webinars/w?join=t',
    });
    expect(ics).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//AeThex Live//Webinars//EN',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'BEGIN:VEVENT',
        'UID:r1@webinars.aethex-live',
        'DTSTAMP:20261207T220000Z',
        'DTSTART:20261208T180000Z',
        'DTEND:20261208T193000Z',
        'SUMMARY:Onboarding\\, part 1',
        'DESCRIPTION:Join: https://x.test/webinars/w?join=t',
        'URL:https://x.test/webinars/w?join=t',
        'LOCATION:https://x.test/webinars/w?join=t',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
  });
});

describe('the registrants CSV (RFC 4180)', () => {
  it('quotes every cell, doubles quotes, and defuses formulas', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    for (const start of ['=', '+', '-', '@', '\t']) expect(csvCell(`${start}1+1`)).toBe(`"'${start}1+1"`);
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
  });

  it('has one column per question', () => {
    const csv = registrantsCsv(
      [{ text: 'Team', required: true }],
      [
        {
          id: 'r',
          status: 'approved',
          username: 'ada',
          name: 'Ada',
          email: 'ada@x.test',
          answers: ['R&D'],
          createdAt: '2026-12-07T10:00:00.000Z',
          updatedAt: '2026-12-07T10:00:00.000Z',
        },
      ],
    );
    expect(csv).toBe(
      '"Name","Username","Email","Status","Registered at (UTC)","Team"\r\n' +
        '"Ada","ada","ada@x.test","approved","2026-12-07T10:00:00.000Z","R&D"\r\n',
    );
  });
});
