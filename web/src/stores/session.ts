import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Me } from '../../../common/protocol/rest/accounts.ts';
import { ApiError, getJson, sendJson } from '../lib/api.ts';

/** GET /api/v1/auth/me, as the server's schema says. */
export type { Me } from '../../../common/protocol/rest/accounts.ts';

/**
 * Who is signed in. The session itself is an HttpOnly cookie the page can't read; this store
 * holds what /auth/me says, loaded once at start and after every sign-in or sign-out.
 */
export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null);
  /** False until the first /auth/me answer: pages wait for it before redirecting to log in. */
  const ready = ref(false);
  const user = computed(() => me.value?.user ?? null);
  const signedIn = computed(() => me.value !== null);
  let loading: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    try {
      me.value = await getJson<Me>('/api/v1/auth/me');
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      me.value = null;
    } finally {
      ready.value = true;
    }
  }

  /** Loads the session once; later calls wait for the same answer. */
  function ensureLoaded(): Promise<void> {
    loading ??= refresh().catch(() => {
      loading = undefined;
    });
    return loading;
  }

  async function logIn(login: string, password: string): Promise<void> {
    me.value = await sendJson<Me>('POST', '/api/v1/auth/login', { login, password });
    ready.value = true;
  }

  async function signUp(input: { email: string; username: string; password: string; name?: string }): Promise<void> {
    me.value = await sendJson<Me>('POST', '/api/v1/auth/signup', input);
    ready.value = true;
  }

  async function logOut(): Promise<void> {
    await sendJson('POST', '/api/v1/auth/logout');
    me.value = null;
  }

  /** Other sessions end; this one stays signed in. */
  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await sendJson('POST', '/api/v1/auth/password', { currentPassword, newPassword });
  }

  function ownsChannel(slug: string): boolean {
    return me.value?.channels.some((c) => c.slug === slug) ?? false;
  }

  function canModerate(slug: string): boolean {
    return (
      me.value?.user.role === 'admin' ||
      ownsChannel(slug) ||
      (me.value?.moderates.some((c) => c.slug === slug) ?? false)
    );
  }

  return {
    me,
    ready,
    user,
    signedIn,
    refresh,
    ensureLoaded,
    logIn,
    signUp,
    logOut,
    changePassword,
    ownsChannel,
    canModerate,
  };
});

/**
 * Where to go after signing in: `next` when it is a path on this site, else home. '//host' and
 * '/\host' are other sites to a browser, so they don't count as paths here.
 */
export function safeNextPath(next: unknown): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\'))
    return '/';
  // Control characters (a tab or newline inside '/\t/host') are dropped by URL parsers: refuse them.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f\u007f]/.test(value)) return '/';
  try {
    const url = new URL(value, 'http://same.invalid');
    if (url.origin !== 'http://same.invalid') return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}
