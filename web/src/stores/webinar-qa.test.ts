import { describe, expect, it } from 'vitest';
import { sortQuestions, type QaQuestion } from './webinar-qa.ts';

const question = (id: string, votes: number, minute: number): QaQuestion => ({
  id,
  webinarId: 'w',
  body: id,
  anonymous: false,
  author: null,
  state: 'approved',
  answer: null,
  answeredAt: null,
  pinned: false,
  votes,
  createdAt: new Date(Date.UTC(2026, 11, 8, 10, minute)).toISOString(),
});

describe('the Q&A order', () => {
  const asked = [question('a', 2, 0), question('b', 5, 1), question('c', 2, 2), question('d', 0, 3)];

  it('puts the most upvoted first, the newest of equals first', () => {
    expect(sortQuestions(asked, 'top').map((q) => q.id)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('or the newest first, whatever the votes', () => {
    expect(sortQuestions(asked, 'newest').map((q) => q.id)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('leaves the list it was given as it was', () => {
    sortQuestions(asked, 'top');
    expect(asked.map((q) => q.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
