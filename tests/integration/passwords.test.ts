// New passwords after NIST SP 800-63B: at least 8 characters, not on the shipped list of common
// passwords (whatever their case), and not the account's own email address or username. Checked
// wherever a password is set: sign-up, password change, and the operator's `user create`. A
// refusal is a 400 problem with a stable code and changes nothing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import type { AppError } from '../../common/errors.ts';
import { ApiClient, signUp, type ApiReply } from '../support/api-client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const TOO_COMMON =
  'This password is on a list of common passwords that attackers try first: choose a less predictable one.';
const OWN_NAME = 'The password must not be your email address or your username: choose something only you know.';

function expectRefused(reply: ApiReply, code: string, detail: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(400);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status: 400, code, detail });
}

describe('new passwords', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  const prisma = () => platform.database!.prisma;
  const fresh = () => {
    const username = `pw_${randomBytes(4).toString('hex')}`;
    return { username, email: `${username}@example.test` };
  };

  it.each(['12345678', 'password', 'PassWord1', 'QWERTYUIOP', 'iloveyou1', ' trustno1 ', 'p@ssw0rd'])(
    'refuses the common password %j at sign-up and creates nothing',
    async (password) => {
      const account = fresh();
      const reply = await new ApiClient(platform.url).post('/api/v1/auth/signup', { ...account, password });

      expectRefused(reply, 'password_too_common', TOO_COMMON);
      expect(await prisma().user.count({ where: { email: account.email } })).toBe(0);
    },
  );

  it('refuses the email address, its local part or the username as the password, in any case', async () => {
    const username = `own_${randomBytes(3).toString('hex')}`;
    const email = `${username}.name@example.test`;
    for (const password of [email.toUpperCase(), `${username}.name`, username.toUpperCase()]) {
      const reply = await new ApiClient(platform.url).post('/api/v1/auth/signup', { email, username, password });
      expectRefused(reply, 'password_matches_account', OWN_NAME);
    }
    expect(await prisma().user.count({ where: { email } })).toBe(0);
  });

  it('accepts a password that is long and uncommon, with any characters', async () => {
    const reply = await new ApiClient(platform.url).post('/api/v1/auth/signup', {
      ...fresh(),
      password: 'Kaffee & 7 Zimtschnecken, bitte',
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  });

  it('refuses a common password or the username as a new password, and the old one still works', async () => {
    const user = await signUp(platform.url, 'changer');
    for (const [newPassword, code, detail] of [
      ['Baseball', 'password_too_common', TOO_COMMON],
      [user.username, 'password_matches_account', OWN_NAME],
    ] as const) {
      const reply = await user.client.post('/api/v1/auth/password', { currentPassword: user.password, newPassword });
      expectRefused(reply, code, detail);
    }

    const login = await new ApiClient(platform.url).post('/api/v1/auth/login', {
      login: user.username,
      password: user.password,
    });
    expect(login.status).toBe(200);
  });

  it("refuses a common password in the operator's user create", async () => {
    const { email } = fresh();
    const refusal = await runAdminCommand(
      { prisma: prisma(), publicUrl: platform.url },
      { command: 'user.create', email, password: 'superman1' },
    ).then(
      () => undefined,
      (error: AppError) => error,
    );

    expect(refusal).toMatchObject({ status: 400, code: 'password_too_common', message: TOO_COMMON });
    expect(await prisma().user.count({ where: { email } })).toBe(0);
  });
});
