import { describe, expect, it } from 'vitest';
import type { QaQuestion } from '../../common/protocol/webinar-qa.ts';
import { questionsCsv } from './qa-csv.ts';

const question = (change: Partial<QaQuestion>): QaQuestion => ({
  id: 'q1',
  webinarId: 'w1',
  body: 'Will the slides be shared?',
  anonymous: false,
  author: { userId: 'u1', username: 'ada', name: 'Ada "A" Lovelace' },
  state: 'approved',
  answer: null,
  answeredAt: null,
  pinned: false,
  votes: 2,
  createdAt: '2026-12-08T10:00:00.000Z',
  ...change,
});

describe('the Q&A CSV', () => {
  it('has one quoted row per question, anonymous askers named, answers live or typed', () => {
    const csv = questionsCsv([
      question({}),
      question({ anonymous: true, state: 'answered', answeredAt: '2026-12-08T10:05:00.000Z', body: '=1+1' }),
      question({ state: 'answered', answer: 'By email, today.', answeredAt: '2026-12-08T10:06:00.000Z' }),
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      '"Asked at (UTC)","Name","Username","Anonymous","Question","State","Votes","Answer","Answered at (UTC)"',
    );
    expect(lines[1]).toBe(
      '"2026-12-08T10:00:00.000Z","Ada ""A"" Lovelace","ada","no","Will the slides be shared?","approved","2","",""',
    );
    expect(lines[2]).toContain('"yes","\'=1+1","answered","2","(answered live)","2026-12-08T10:05:00.000Z"');
    expect(lines[3]).toContain('"By email, today."');
    expect(lines.at(-1)).toBe('');
  });
});
