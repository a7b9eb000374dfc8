// Accounts over real HTTP on both databases: sign-up, log-in, log-out, the session cookie (Lucia
// model: only the token's hash is stored; sliding expiry), password change ending other sessions,
// the Origin check on signed-in writes, no caching of answers about the caller, and the per-address
// rate limits on log-in and sign-up (which says "email taken" to one address only so often).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sessionIdOf, SESSION_LIFETIME_MS } from '../../api/accounts/sessions.ts';
import { ApiClient, signUp } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, startTestPlatform, type TestPlatform } from '../support/platform.ts';

describe.each(databaseTargets())('accounts on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, (started) => (platform = started));

  const prisma = () => platform.database!.prisma;
  const token = (client: ApiClient) => client.cookie!.split('=')[1]!;

  it('signs up, sets an HttpOnly SameSite=Lax session cookie and stores only its hash', async () => {
    const client = new ApiClient(platform.url);
    const reply = await client.post('/api/v1/auth/signup', {
      email: 'Ada@Example.test',
      username: 'Ada_L',
      password: 'analytical engine',
      name: 'Ada Lovelace',
    });

    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({
      email: 'ada@example.test',
      username: 'ada_l',
      name: 'Ada Lovelace',
      role: 'viewer',
    });
    expect(reply.body.channels).toEqual([]);
    const setCookie = reply.headers.getSetCookie().find((c) => c.startsWith('aethex_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    // The test platform listens on 127.0.0.1, which browsers treat as secure.
    expect(setCookie).toMatch(/Secure/);
    const sessions = await prisma().session.findMany({ where: { user: { username: 'ada_l' } } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.id).toBe(sessionIdOf(token(client)));
    expect(sessions[0]!.id).not.toContain(token(client));
    const user = await prisma().user.findUniqueOrThrow({ where: { username: 'ada_l' } });
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(user.passwordHash).not.toContain('analytical');
  });

  it('refuses a taken email or username with a stable code and changes nothing', async () => {
    const first = await signUp(platform.url, 'taken');
    const before = await prisma().user.count();

    const sameEmail = await new ApiClient(platform.url).post('/api/v1/auth/signup', {
      email: first.email.toUpperCase(),
      username: 'someone_else',
      password: 'long enough password',
    });
    const sameUsername = await new ApiClient(platform.url).post('/api/v1/auth/signup', {
      email: 'other@example.test',
      username: first.username.toUpperCase(),
      password: 'long enough password',
    });

    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.code).toBe('email_taken');
    expect(sameUsername.status).toBe(409);
    expect(sameUsername.body.code).toBe('username_taken');
    expect(await prisma().user.count()).toBe(before);
  });

  it.each([
    ['a short password', { email: 'x1@example.test', username: 'x_one', password: 'short' }],
    ['a bad email', { email: 'not-an-email', username: 'x_two', password: 'long enough password' }],
    ['a bad username', { email: 'x3@example.test', username: 'no spaces!', password: 'long enough password' }],
    ['a reserved username', { email: 'x4@example.test', username: 'admin', password: 'long enough password' }],
    [
      'an unknown field',
      { email: 'x5@example.test', username: 'x_five', password: 'long enough password', role: 'admin' },
    ],
  ])('refuses sign-up with %s (400) and creates nobody', async (_case, body) => {
    const before = await prisma().user.count();
    const reply = await new ApiClient(platform.url).post('/api/v1/auth/signup', body);
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(reply.body.code).toBe('bad_request');
    expect(await prisma().user.count()).toBe(before);
  });

  it('logs in by email or username, and a wrong password or unknown user gets the same answer', async () => {
    const user = await signUp(platform.url, 'login');

    const byUsername = new ApiClient(platform.url);
    const byEmail = new ApiClient(platform.url);
    expect(
      (await byUsername.post('/api/v1/auth/login', { login: user.username, password: user.password })).status,
    ).toBe(200);
    expect(
      (await byEmail.post('/api/v1/auth/login', { login: user.email.toUpperCase(), password: user.password })).status,
    ).toBe(200);
    expect((await byUsername.get('/api/v1/auth/me')).body.user.username).toBe(user.username);
    expect(byEmail.cookie).not.toBe(byUsername.cookie);

    const wrong = await new ApiClient(platform.url).post('/api/v1/auth/login', {
      login: user.username,
      password: 'not the password',
    });
    const unknown = await new ApiClient(platform.url).post('/api/v1/auth/login', {
      login: 'nobody_here',
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(unknown.body).toEqual(wrong.body);
  });

  it('logs out: the session row is gone and the old cookie no longer works', async () => {
    const user = await signUp(platform.url, 'logout');
    const oldCookie = user.client.cookie!;

    const reply = await user.client.post('/api/v1/auth/logout');

    expect(reply.status).toBe(204);
    expect(user.client.cookie).toBeUndefined();
    expect(await prisma().session.count({ where: { userId: user.id } })).toBe(0);
    const replay = new ApiClient(platform.url);
    replay.cookie = oldCookie;
    const me = await replay.get('/api/v1/auth/me');
    expect(me.status).toBe(401);
    // A dead cookie is cleared.
    expect(me.headers.getSetCookie().some((c) => c.startsWith('aethex_session=;'))).toBe(true);
  });

  it('slides: a session used in the second half of its life is extended and its cookie re-sent', async () => {
    const user = await signUp(platform.url, 'slide');
    const id = sessionIdOf(token(user.client));
    const soon = new Date(Date.now() + 24 * 3600 * 1000);
    await prisma().session.update({ where: { id }, data: { expiresAt: soon } });

    const reply = await user.client.get('/api/v1/auth/me');

    expect(reply.status).toBe(200);
    const row = await prisma().session.findUniqueOrThrow({ where: { id } });
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_LIFETIME_MS - 60_000);
    expect(reply.headers.getSetCookie().some((c) => c.startsWith('aethex_session=') && /Expires=/i.test(c))).toBe(true);
  });

  it('ends an expired session and deletes its row', async () => {
    const user = await signUp(platform.url, 'expired');
    const id = sessionIdOf(token(user.client));
    await prisma().session.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    expect((await user.client.get('/api/v1/auth/me')).status).toBe(401);
    expect(await prisma().session.findUnique({ where: { id } })).toBeNull();
  });

  it('changes the password: the other sessions end, this one stays, the old password stops working', async () => {
    const user = await signUp(platform.url, 'password');
    const laptop = new ApiClient(platform.url);
    await laptop.post('/api/v1/auth/login', { login: user.username, password: user.password });

    const wrong = await user.client.post('/api/v1/auth/password', {
      currentPassword: 'not it at all',
      newPassword: 'a brand new secret',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('wrong_password');

    const changed = await user.client.post('/api/v1/auth/password', {
      currentPassword: user.password,
      newPassword: 'a brand new secret',
    });
    expect(changed.status).toBe(204);
    expect((await user.client.get('/api/v1/auth/me')).status).toBe(200);
    expect((await laptop.get('/api/v1/auth/me')).status).toBe(401);
    expect(
      (await new ApiClient(platform.url).post('/api/v1/auth/login', { login: user.username, password: user.password }))
        .status,
    ).toBe(401);
    expect(
      (
        await new ApiClient(platform.url).post('/api/v1/auth/login', {
          login: user.username,
          password: 'a brand new secret',
        })
      ).status,
    ).toBe(200);
  });

  it('refuses a signed-in write from another origin, or with no Origin, and changes nothing', async () => {
    const user = await signUp(platform.url, 'csrf');
    const evil = new ApiClient(platform.url, 'https://evil.example');
    evil.cookie = user.client.cookie;

    const crossSite = await evil.post('/api/v1/auth/password', {
      currentPassword: user.password,
      newPassword: 'attacker chosen pw',
    });
    const noOrigin = await user.client.request('POST', '/api/v1/auth/logout', undefined, { origin: '' });

    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('forbidden');
    expect(noOrigin.status).toBe(403);
    expect((await user.client.get('/api/v1/auth/me')).status).toBe(200);
    expect(
      (await new ApiClient(platform.url).post('/api/v1/auth/login', { login: user.username, password: user.password }))
        .status,
    ).toBe(200);
  });

  it('answers who is asking with Cache-Control: no-store, and leaves routes that chose their own caching alone', async () => {
    const user = await signUp(platform.url, 'cached');
    for (const path of [
      '/api/v1/auth/me',
      '/api/v1/me/follows',
      '/api/v1/me/notifications',
      '/api/v1/discover/recommended',
    ]) {
      const reply = await user.client.get(path);
      expect(reply.status, path).toBe(200);
      expect(reply.headers.get('cache-control'), path).toBe('no-store');
    }
    // A refusal is about the caller too.
    expect((await new ApiClient(platform.url).get('/api/v1/auth/me')).headers.get('cache-control')).toBe('no-store');

    const slug = `cached-${user.id.slice(0, 8)}`;
    expect((await user.client.post('/api/v1/channels', { slug })).status).toBe(201);
    expect((await user.client.get(`/api/v1/channels/${slug}`)).headers.get('cache-control')).toBe('private, no-cache');
    // Answers that don't look at the session are the same for everyone.
    expect((await user.client.get('/api/v1/categories')).headers.get('cache-control')).toBeNull();
  });

  it('needs a session for /auth/me and /auth/password', async () => {
    const anonymous = new ApiClient(platform.url);
    expect((await anonymous.get('/api/v1/auth/me')).body.code).toBe('unauthorized');
    const reply = await anonymous.post('/api/v1/auth/password', {
      currentPassword: 'whatever it is',
      newPassword: 'whatever it is',
    });
    expect(reply.status).toBe(401);
  });
});

describe('log-in rate limit', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('answers 429 rate_limited with Retry-After after the allowed attempts in a minute', async () => {
    const client = new ApiClient(platform.url);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      statuses.push((await client.post('/api/v1/auth/login', { login: 'someone', password: 'guessing away' })).status);
    }
    const limited = await client.post('/api/v1/auth/login', { login: 'someone', password: 'guessing away' });

    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('sign-up rate limits', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    // Behind a proxy that names each client in X-Forwarded-For, so each test is its own address.
    platform = await startTestPlatform({ ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await platform?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const signUpFrom = (address: string, email: string) =>
    new ApiClient(platform.url).request(
      'POST',
      '/api/v1/auth/signup',
      { email, username: email.split('@')[0], password: 'long enough password' },
      { 'x-forwarded-for': address },
    );

  it('answers 429 rate_limited after the allowed attempts in a minute from one address', async () => {
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      statuses.push((await signUpFrom('198.51.100.1', `minute_${attempt}@example.test`)).status);
    }
    const limited = await signUpFrom('198.51.100.1', 'minute_5@example.test');

    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('says "email taken" to one address as often an hour as it allows attempts a minute', async () => {
    expect((await signUpFrom('198.51.100.9', 'taken@example.test')).status).toBe(201);
    const taken = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      taken.push((await signUpFrom('198.51.100.2', 'taken@example.test')).body.code);
    }
    expect(taken).toEqual(['email_taken', 'email_taken', 'email_taken']);

    // A minute on, the per-minute limit has room again, but this address has heard "taken" enough.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const refused = await signUpFrom('198.51.100.2', 'probe@example.test');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(await platform.database!.prisma.user.count({ where: { email: 'probe@example.test' } })).toBe(0);
    // Other addresses are not held back.
    expect((await signUpFrom('198.51.100.3', 'neighbour@example.test')).status).toBe(201);

    vi.setSystemTime(Date.now() + 3_600_000);
    expect((await signUpFrom('198.51.100.2', 'probe@example.test')).status).toBe(201);
  });
});
