// Accounts in a real browser: sign up through the form, stay signed in across a reload (the
// HttpOnly session cookie), log out, log in again with the username, and the errors a person sees
// when a password is wrong, a username is taken or they try too often.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { launchBrowser, newContext, screenshot } from '../support/browser.ts';
import { signUp } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const PASSWORD = 'correct horse battery staple';

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === 'aethex_session');
}

async function fillSignup(
  page: Page,
  fields: { email: string; username: string; password: string; name?: string },
): Promise<void> {
  await page.locator('input[name="email"]').fill(fields.email);
  await page.locator('input[name="username"]').fill(fields.username);
  if (fields.name) await page.locator('input[name="name"]').fill(fields.name);
  await page.locator('input[name="password"]').fill(fields.password);
  await page.locator('main button[type="submit"]').click();
}

async function fillLogin(page: Page, login: string, password: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('main button[type="submit"]').click();
}

describe.each(databaseTargets())('accounts in the browser on $name', (target) => {
  let platform: TestPlatform;
  let dispose: () => Promise<void>;
  let browser: Browser;
  let databaseUrl: string | undefined;

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    databaseUrl = created.options.kind === 'postgresql' ? created.options.url : undefined;
    // Account pages need no media: the API and the web app are enough.
    platform = await startTestPlatform({
      ROLES: 'api,web',
      AUTH_RATE_LIMIT_PER_MINUTE: '100',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    await dispose?.();
  });

  it('signs up through the form, keeps the session across a reload, logs out and logs in again', async () => {
    const context = await newContext(browser, platform.url);
    const page = await context.newPage();
    const username = `ada_${randomBytes(3).toString('hex')}`;
    const email = `${username}@example.test`;

    await page.goto('/signup');
    await screenshot(page, 'e2e-accounts-signup');
    await fillSignup(page, { email, username, password: PASSWORD, name: 'Ada Lovelace' });
    await page.waitForURL(`${platform.url}/`);
    await expect.poll(() => page.getByTestId('header-username').textContent()).toBe(username);
    expect(await platform.database!.prisma.user.count({ where: { username } })).toBe(1);

    // The session is a cookie the page's scripts can't read and other sites' requests don't carry.
    const cookie = await sessionCookie(context);
    expect(cookie).toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite).toBe('Lax');
    expect(cookie!.path).toBe('/');
    expect(await page.evaluate(() => document.cookie)).not.toContain('aethex_session');

    await page.reload();
    await expect.poll(() => page.getByTestId('header-username').textContent()).toBe(username);
    await screenshot(page, 'e2e-accounts-signed-in');

    await page.getByTestId('user-menu').click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in' }).waitFor();
    expect(await page.getByTestId('header-username').count()).toBe(0);
    expect(await sessionCookie(context)).toBeUndefined();

    // A signed-out visitor who opens settings is asked to log in and comes back afterwards.
    await page.goto('/settings');
    await page.waitForURL(/\/login\?next=(%2F|\/)settings$/);
    await fillLogin(page, username, 'not the password');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.textContent()).toContain("don't match");
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await sessionCookie(context)).toBeUndefined();
    await screenshot(page, 'e2e-accounts-wrong-password');

    await fillLogin(page, username, PASSWORD);
    await page.waitForURL(`${platform.url}/settings`);
    await expect.poll(() => page.getByTestId('account-username').textContent()).toBe(username);
    expect(await page.getByTestId('account-email').textContent()).toBe(email);
    expect(await page.getByTestId('header-username').textContent()).toBe(username);
    await context.close();
  });

  it('says next to the field that a username or an email is taken, and signs nobody in', async () => {
    const existing = await signUp(platform.url, 'taken');
    const context = await newContext(browser, platform.url);
    const page = await context.newPage();
    await page.goto('/signup');

    await fillSignup(page, {
      email: `other_${randomBytes(3).toString('hex')}@example.test`,
      username: existing.username,
      password: PASSWORD,
    });
    const usernameError = page.getByTestId('username-error');
    await usernameError.waitFor();
    expect(await usernameError.textContent()).toContain('taken');
    expect(await page.locator('input[name="username"]').getAttribute('aria-invalid')).toBe('true');

    await page.locator('input[name="username"]').fill(`fresh_${randomBytes(3).toString('hex')}`);
    await page.locator('input[name="email"]').fill(existing.email);
    await page.locator('main button[type="submit"]').click();
    const emailError = page.getByTestId('email-error');
    await emailError.waitFor();
    expect(await emailError.textContent()).toContain('already exists');
    expect(await page.getByTestId('username-error').count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/signup');
    expect(await sessionCookie(context)).toBeUndefined();
    await screenshot(page, 'e2e-accounts-email-taken');
    await context.close();
  });

  it('changes the password from the settings page; the old one stops working', async () => {
    const user = await signUp(platform.url, 'pw');
    const context = await newContext(browser, platform.url);
    const page = await context.newPage();
    await page.goto('/login');
    await fillLogin(page, user.email, user.password);
    await page.waitForURL(`${platform.url}/`);

    await page.goto('/settings');
    await page.locator('input[name="currentPassword"]').fill('wrong password here');
    await page.locator('input[name="newPassword"]').fill('a brand new password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText("That isn't your current password.").waitFor();

    await page.locator('input[name="currentPassword"]').fill(user.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('password-changed').waitFor();

    const oldLogin = await fetch(`${platform.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: user.username, password: user.password }),
    });
    expect(oldLogin.status).toBe(401);
    const newLogin = await fetch(`${platform.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: user.username, password: 'a brand new password' }),
    });
    expect(newLogin.status).toBe(200);
    // This browser stayed signed in.
    await page.reload();
    await expect.poll(() => page.getByTestId('account-username').textContent()).toBe(user.username);
    await context.close();
  });

  it('tells a person who tries too often to wait', async () => {
    // A platform of its own whose limit is low enough to reach in a test. The limit is counted in
    // the process, whatever the database, so its own embedded one will do.
    const strict = await startTestPlatform({ ROLES: 'api,web', AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const context = await newContext(browser, strict.url);
      const page = await context.newPage();
      await page.goto('/login');
      const error = page.getByTestId('login-error');
      for (let attempt = 1; attempt <= 3; attempt++) {
        await fillLogin(page, 'nobody_here', `wrong password ${attempt}`);
        await expect.poll(() => error.textContent()).toContain(attempt <= 2 ? "don't match" : 'Too many attempts');
      }
      await context.close();
    } finally {
      await strict.close();
    }
  });
});
