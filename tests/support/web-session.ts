// Signing up in a real browser, through the /signup form, as a person would. The session cookie
// lands in the page's browser context.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { OWNER_PASSWORD } from './channels.ts';
import { waitFor } from './wait.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

/** Signs a new user up through the form; returns their username. */
export async function signUpInBrowser(page: Page, prefix: string): Promise<string> {
  const username = `${prefix}_${randomBytes(4).toString('hex')}`;
  const account = { email: `${username}@example.test`, username, password: TEST_PASSWORD, name: `${prefix} person` };
  await page.goto('/signup');
  const form = page.locator('form', { has: page.locator('input[name="email"]') });
  for (const field of ['email', 'username', 'password', 'name'] as const)
    await form.locator(`input[name="${field}"]`).fill(account[field]);
  await form.locator('button[type="submit"]').click();
  await waitFor(() => !new URL(page.url()).pathname.startsWith('/signup'), { what: `${username} to be signed up` });
  return username;
}

/**
 * Signs a test channel's owner in from the page, through the log-in API (the form itself is
 * tested in accounts.test.ts): the session cookie lands in the page's context. The page must be
 * on this site already.
 */
export async function signInOwner(page: Page, owner: { ownerEmail: string }): Promise<void> {
  await signIn(page, { login: owner.ownerEmail, password: OWNER_PASSWORD });
}

/** Signs anyone in from the page, as signInOwner does; throws unless the log-in answers 200. */
export async function signIn(page: Page, credentials: { login: string; password: string }): Promise<void> {
  const status = await page.evaluate(async (body) => {
    const response = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.status;
  }, credentials);
  if (status !== 200) throw new Error(`the log-in of '${credentials.login}' answered ${status}`);
}

/** Waits until the page's webinar stage client (the test build's window.__aethex.stage) publishes every source. */
export function stagePublishes(page: Page, sources: string[], what: string): Promise<unknown> {
  return waitFor(
    () =>
      page.evaluate((wanted) => {
        const stage = (window as unknown as { __aethex?: { stage?: { status: { publishing: string[] } } } }).__aethex
          ?.stage;
        return Boolean(stage && wanted.every((source) => stage.status.publishing.includes(source)));
      }, sources),
    { timeoutMs: 20_000, what },
  );
}

/** Presses the studio's "End stream" and confirms it in the dialog that asks first. */
export async function endStreamInStudio(page: Page): Promise<void> {
  // The dialog's own "End stream" is hidden until it opens, so this names the studio's one.
  await page.getByRole('button', { name: 'End stream' }).click();
  await page.getByRole('dialog', { name: 'End the stream?' }).getByRole('button', { name: 'End stream' }).click();
}
