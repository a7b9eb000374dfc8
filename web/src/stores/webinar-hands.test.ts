import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api.ts';
import { handsProblem, useWebinarHandsStore, type HandQueue, type MyHand } from './webinar-hands.ts';

const mine: MyHand = {
  webinarId: 'w1',
  handRaising: true,
  raisedAt: '2026-12-08T10:00:00.000Z',
  invitation: null,
  guest: false,
};
const queue: HandQueue = { webinarId: 'w1', handRaising: true, hands: [], invited: [], guests: [] };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('useWebinarHandsStore', () => {
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

  afterEach(() => vi.unstubAllGlobals());

  it("sends an attendee's hand and answer to the webinar's routes, and keeps what they answer", async () => {
    const store = useWebinarHandsStore();
    store.webinarId = 'w1';
    replies.push(json(200, mine), json(200, { ...mine, raisedAt: null, guest: true }));
    await store.raise();
    expect(asked[0]).toMatchObject({ url: '/api/v1/webinars/w1/hands/me', method: 'PUT' });
    expect(store.mine).toEqual(mine);
    await store.accept();
    expect(asked[1]).toMatchObject({ url: '/api/v1/webinars/w1/hands/me/accept', method: 'POST' });
    expect(store.mine?.guest).toBe(true);
  });

  it("sends a host's invitations and moves by username, and keeps the queue they answer", async () => {
    const store = useWebinarHandsStore();
    store.webinarId = 'w1';
    replies.push(json(201, queue), json(200, queue), json(200, { ...queue, handRaising: false }));
    await store.invite('ann');
    expect(asked[0]).toMatchObject({ url: '/api/v1/webinars/w1/hands/invitations', body: { username: 'ann' } });
    await store.moveToAudience('a b');
    expect(asked[1]).toMatchObject({ url: '/api/v1/webinars/w1/hands/guests/a%20b', method: 'DELETE' });
    await store.setHandRaising(false);
    expect(asked[2]).toMatchObject({ method: 'PUT', body: { handRaising: false } });
    expect(store.queue?.handRaising).toBe(false);
  });

  it('says what a refusal means', () => {
    expect(handsProblem(new ApiError(409, 'invitation_expired', 'x'))).toMatch(/expired/);
    expect(handsProblem(new ApiError(409, 'hand_raising_off', 'x'))).toMatch(/turned hand raising off/);
    expect(handsProblem(new ApiError(409, 'other', 'The server says so.'))).toBe('The server says so.');
    expect(handsProblem(new TypeError('offline'))).toMatch(/could not be reached/);
  });
});
