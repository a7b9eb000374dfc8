import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api.ts';
import { safeNextPath, useSessionStore } from './session.ts';

describe('safeNextPath', () => {
  it('keeps paths of this site, with their query and fragment', () => {
    expect(safeNextPath('/notifications')).toBe('/notifications');
    expect(safeNextPath('/search?q=jazz#top')).toBe('/search?q=jazz#top');
    expect(safeNextPath(['/settings', '/other'])).toBe('/settings');
  });

  it('sends anything that could lead to another site home', () => {
    for (const next of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/\t/evil.example',
      'evil',
      '',
      undefined,
      null,
      42,
    ]) {
      expect(safeNextPath(next), String(next)).toBe('/');
    }
  });
});

describe('useSessionStore.changePassword', () => {
  let asked: { url: string; method?: string; body?: string }[];
  let reply: Response;

  beforeEach(() => {
    setActivePinia(createPinia());
    asked = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push({ url, method: init?.method, body: init?.body as string | undefined });
      return reply;
    });
  });

  afterEach(() => vi.unstubAllGlobals());

  it('sends both passwords and reports a wrong current one by its code', async () => {
    const session = useSessionStore();
    reply = new Response(null, { status: 204 });
    await session.changePassword('old password', 'new password');
    expect(asked[0]).toEqual({
      url: '/api/v1/auth/password',
      method: 'POST',
      body: JSON.stringify({ currentPassword: 'old password', newPassword: 'new password' }),
    });

    reply = new Response(
      JSON.stringify({ status: 400, code: 'wrong_password', detail: 'The current password is not right.' }),
      { status: 400 },
    );
    const failure = await session.changePassword('nope', 'new password').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe('wrong_password');
  });
});
