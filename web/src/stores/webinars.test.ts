import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as server from '../../../common/protocol/rest/webinars.ts';
import { ApiError } from '../lib/api.ts';
import {
  actionsFor,
  useWebinarStore,
  WEBINAR_DESCRIPTION_MAX,
  WEBINAR_MAX_MINUTES,
  WEBINAR_MIN_MINUTES,
  WEBINAR_TITLE_MAX,
  webinarProblem,
  type Webinar,
} from './webinars.ts';

function webinar(id: string, overrides: Partial<Webinar> = {}): Webinar {
  return {
    id,
    channel: { slug: 'ada', title: 'Ada', avatarUrl: null },
    title: `Webinar ${id}`,
    description: '',
    scheduledStart: '2026-05-01T18:00:00.000Z',
    durationMinutes: 60,
    audience: 'anyone',
    state: 'scheduled',
    coverUrl: null,
    startedAt: null,
    endedAt: null,
    recording: null,
    createdAt: '2026-04-01T10:00:00.000Z',
    canManage: true,
    registration: { approval: false, capacity: null, questions: [], full: false },
    handRaising: true,
    ...overrides,
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function problem(status: number, code: string, detail: string): Response {
  return json(status, { status, code, detail });
}

describe('useWebinarStore', () => {
  let replies: Response[];
  let asked: { url: string; method: string; body: unknown }[];

  beforeEach(() => {
    setActivePinia(createPinia());
    replies = [];
    asked = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      asked.push({
        url,
        method: init.method ?? 'GET',
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      });
      const reply = replies.shift();
      if (!reply) throw new Error(`unexpected request ${url}`);
      return reply;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("pages through a channel's upcoming webinars", async () => {
    const store = useWebinarStore();
    replies.push(
      json(200, { items: [webinar('a')], nextCursor: 'c1' }),
      json(200, { items: [webinar('b')], nextCursor: null }),
    );
    await store.upcoming.load('ada');
    expect(asked[0]!.url).toBe('/api/v1/channels/ada/webinars?when=upcoming');
    expect(store.upcoming.state).toBe('loaded');
    await store.upcoming.loadMore();
    expect(asked[1]!.url).toBe('/api/v1/channels/ada/webinars?when=upcoming&cursor=c1');
    expect(store.upcoming.items.map((w) => w.id)).toEqual(['a', 'b']);
    expect(store.upcoming.nextCursor).toBeNull();
  });

  it('creates one in its place among the upcoming ones, soonest first', async () => {
    const store = useWebinarStore();
    replies.push(
      json(200, {
        items: [
          webinar('a', { scheduledStart: '2026-05-01T10:00:00Z' }),
          webinar('c', { scheduledStart: '2026-05-03T10:00:00Z' }),
        ],
        nextCursor: null,
      }),
      json(201, webinar('b', { scheduledStart: '2026-05-02T10:00:00Z' })),
    );
    await store.upcoming.load('ada');
    const draft = {
      title: 'Launch',
      description: '',
      scheduledStart: '2026-05-02T10:00:00.000Z',
      durationMinutes: 45,
      audience: 'signed_in' as const,
    };
    await store.create('ada', draft);
    expect(asked[1]).toEqual({ url: '/api/v1/channels/ada/webinars', method: 'POST', body: draft });
    expect(store.upcoming.items.map((w) => w.id)).toEqual(['a', 'b', 'c']);
  });

  it('moves one that ended from the upcoming list to the past one, and follows it on its page', async () => {
    const store = useWebinarStore();
    replies.push(
      json(200, { items: [webinar('a', { state: 'live' })], nextCursor: null }),
      json(200, {
        items: [webinar('old', { state: 'ended', scheduledStart: '2026-01-01T10:00:00Z' })],
        nextCursor: null,
      }),
      json(200, webinar('a', { state: 'live' })),
      json(200, webinar('a', { state: 'ended' })),
    );
    await store.upcoming.load('ada');
    await store.past.load('ada');
    await store.load('a');
    await store.act('a', 'end');
    expect(asked[3]).toEqual({ url: '/api/v1/webinars/a/end', method: 'POST', body: undefined });
    expect(store.upcoming.items).toEqual([]);
    expect(store.past.items.map((w) => w.id)).toEqual(['a', 'old']);
    expect(store.webinar?.state).toBe('ended');
  });

  it('deletes one from the list', async () => {
    const store = useWebinarStore();
    replies.push(
      json(200, { items: [webinar('a'), webinar('b')], nextCursor: null }),
      new Response(null, { status: 204 }),
    );
    await store.upcoming.load('ada');
    await store.remove('a');
    expect(asked[1]).toMatchObject({ url: '/api/v1/webinars/a', method: 'DELETE' });
    expect(store.upcoming.items.map((w) => w.id)).toEqual(['b']);
  });

  it('tells a missing webinar and a private one from a failed lookup, and refreshes quietly', async () => {
    const store = useWebinarStore();
    replies.push(problem(404, 'not_found', "Webinar 'x' does not exist."));
    await store.load('x');
    expect(store.lookup).toBe('not-found');
    replies.push(problem(403, 'forbidden', "'ada' is a private channel"));
    await store.load('p');
    expect(store.lookup).toBe('forbidden');
    replies.push(problem(500, 'internal', 'boom'));
    await store.load('y');
    expect(store.lookup).toBe('failed');

    replies.push(
      json(200, webinar('z')),
      problem(503, 'unavailable', 'busy'),
      json(200, webinar('z', { state: 'live' })),
    );
    await store.load('z');
    await store.load('z', true);
    expect(store.lookup).toBe('found');
    expect(store.webinar?.state).toBe('scheduled');
    await store.load('z', true);
    expect(store.webinar?.state).toBe('live');
  });

  it('loads the live and upcoming webinars to discover', async () => {
    const store = useWebinarStore();
    replies.push(json(200, { live: [webinar('l', { state: 'live' })], upcoming: [webinar('u')] }));
    await store.loadDiscovered();
    expect(asked[0]!.url).toBe('/api/v1/discover/webinars');
    expect(store.discoverState).toBe('loaded');
    expect(store.discovered.live.map((w) => w.id)).toEqual(['l']);
  });
});

describe('webinarProblem', () => {
  it('puts a refused start on the start field, in words', () => {
    expect(webinarProblem(new ApiError(400, 'scheduled_in_past', 'x'))).toEqual({
      field: 'scheduledStart',
      text: 'That time has passed: pick one in the future.',
    });
    expect(webinarProblem(new ApiError(400, 'scheduled_too_far', 'x')).field).toBe('scheduledStart');
    expect(webinarProblem(new ApiError(409, 'webinar_started', 'x')).field).toBe('scheduledStart');
  });

  it("finds the field a schema refusal names, and leaves the rest to the form's message", () => {
    expect(webinarProblem(new ApiError(400, 'bad_request', 'body/durationMinutes must be <= 480'))).toEqual({
      field: 'durationMinutes',
      text: 'A webinar lasts from 15 minutes to 8 hours.',
    });
    expect(
      webinarProblem(new ApiError(400, 'bad_request', 'body/title must NOT have more than 140 characters')).field,
    ).toBe('title');
    expect(webinarProblem(new ApiError(409, 'webinar_live', 'The webinar is live: end it first.'))).toEqual({
      field: null,
      text: 'The webinar is live: end it first.',
    });
    expect(webinarProblem(new TypeError('Failed to fetch')).text).toMatch(/Couldn't reach the server/);
  });
});

describe('actionsFor', () => {
  it('offers what the state allows', () => {
    expect(actionsFor('scheduled')).toEqual(['backstage', 'start']);
    expect(actionsFor('backstage')).toEqual(['start', 'end']);
    expect(actionsFor('live')).toEqual(['end']);
    expect(actionsFor('ended')).toEqual([]);
  });
});

describe('webinar limits', () => {
  it("are the server's (a copy, so the page doesn't bundle the schema library)", () => {
    expect([WEBINAR_TITLE_MAX, WEBINAR_DESCRIPTION_MAX, WEBINAR_MIN_MINUTES, WEBINAR_MAX_MINUTES]).toEqual([
      server.WEBINAR_TITLE_MAX,
      server.WEBINAR_DESCRIPTION_MAX,
      server.WEBINAR_MIN_MINUTES,
      server.WEBINAR_MAX_MINUTES,
    ]);
  });
});
