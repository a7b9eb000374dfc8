import { fastifyCookie } from '@fastify/cookie';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../accounts/auth.ts';
import { generateSessionToken, sessionIdOf } from '../accounts/sessions.ts';
import { recheckFilter } from './access-changes.ts';

// @fastify/cookie loads its cookie parser when it is first registered, as the server does at start.
beforeAll(async () => {
  const app = Fastify();
  await app.register(fastifyCookie).ready();
  await app.close();
});

describe('recheckFilter', () => {
  it("picks a channel's viewers when its rules narrowed", () => {
    const filter = recheckFilter({ channelId: 'c1' });
    expect(filter({ channelId: 'c1', cookie: undefined })).toBe(true);
    expect(filter({ channelId: 'c2', cookie: undefined })).toBe(false);
  });

  it('picks the viewers who joined with an ended session, whatever they watch', () => {
    const ended = generateSessionToken();
    const other = generateSessionToken();
    const filter = recheckFilter({ sessionIds: [sessionIdOf(ended)] });
    expect(filter({ channelId: 'c1', cookie: `theme=dark; ${SESSION_COOKIE}=${ended}` })).toBe(true);
    expect(filter({ channelId: 'c2', cookie: `${SESSION_COOKIE}=${ended}` })).toBe(true);
    expect(filter({ channelId: 'c1', cookie: `${SESSION_COOKIE}=${other}` })).toBe(false);
    expect(filter({ channelId: 'c1', cookie: 'aethex_view_c1=view_x' })).toBe(false);
    expect(filter({ channelId: 'c1', cookie: undefined })).toBe(false);
  });
});
