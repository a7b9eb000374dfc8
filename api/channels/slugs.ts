// A channel lives at /<slug>, so a slug must never shadow a page or an API path.
import { BadRequestError } from '../../common/errors.ts';

export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'about',
  'account',
  'admin',
  'api',
  'app',
  'assets',
  'auth',
  'browse',
  'c',
  'categories',
  'channel',
  'channels',
  'clip',
  'clips',
  'courses',
  'dashboard',
  'directory',
  'docs',
  'explore',
  'favicon.ico',
  'following',
  'healthz',
  'help',
  'hls',
  'home',
  'live',
  'login',
  'logout',
  'me',
  'new',
  'notifications',
  'privacy',
  'register',
  'robots.txt',
  'search',
  'settings',
  'signup',
  'socket.io',
  'static',
  'studio',
  'support',
  'terms',
  'tournaments',
  'u',
  'user',
  'users',
  'vod',
  'vods',
  'webinar',
  'webinars',
  'whep',
  'whip',
  'www',
]);

const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,30})[a-z0-9]$/;

/** Returns the slug in canonical form or throws a BadRequestError saying what is wrong. */
export function validateSlug(raw: string): string {
  const slug = raw.trim().toLowerCase();
  if (!SLUG.test(slug) || slug.includes('--')) {
    throw new BadRequestError(
      `'${raw}' is not a valid channel slug: use 3 to 32 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`,
    );
  }
  if (RESERVED_SLUGS.has(slug)) throw new BadRequestError(`'${slug}' is reserved; pick another channel slug.`);
  return slug;
}
