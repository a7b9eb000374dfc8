// A channel lives at /<slug>, beside the server's own paths and the web app's pages, so a slug must
// never be one of them. This is the one list of top-level path segments that are not channels:
// slug validation (api/channels/slugs.ts) refuses them, the web router names its pages with them,
// and tests/integration/reserved-slugs.test.ts checks that every top-level path the running server
// and the router serve is listed here. Files the web build serves at the top (index.html,
// favicon.svg) are not: a slug has no dot.

/** What the server answers itself: REST API (WHIP, WHEP and the docs are under it), health, live HLS, VOD and clip files, uploads, socket.io, the web build's assets. */
export const SERVER_SEGMENTS = ['api', 'assets', 'clip', 'healthz', 'hls', 'socket.io', 'uploads', 'vod'] as const;

/** The web app's pages (web/src/router.ts); /vod and /clip are pages as well as server paths. */
export const APP_PAGE_SEGMENTS = [
  'admin',
  'categories',
  'certificates',
  'clip',
  'login',
  'notifications',
  'search',
  'settings',
  'signup',
  'studio',
  'vod',
  'webinars',
] as const;

export type AppPageSegment = (typeof APP_PAGE_SEGMENTS)[number];

/**
 * Not served today: pages and paths likely to come (a slug taken now would block them), and names
 * that would pass for the platform itself.
 */
const HELD_SEGMENTS = [
  'about',
  'account',
  'app',
  'auth',
  'browse',
  'c',
  'channel',
  'channels',
  'clips',
  'courses',
  'dashboard',
  'directory',
  'docs',
  'embed',
  'explore',
  'following',
  'help',
  'home',
  'live',
  'logout',
  'me',
  'metrics',
  'new',
  'privacy',
  'recordings',
  'register',
  'static',
  'status',
  'support',
  'terms',
  'tournaments',
  'u',
  'user',
  'users',
  'vods',
  'webinar',
  'whep',
  'whip',
  'www',
] as const;

export const RESERVED_PATH_SEGMENTS: ReadonlySet<string> = new Set<string>([
  ...SERVER_SEGMENTS,
  ...APP_PAGE_SEGMENTS,
  ...HELD_SEGMENTS,
]);

/** Whether `segment` (any case) is a top-level path that can never be a channel. */
export function isReservedPathSegment(segment: string): boolean {
  return RESERVED_PATH_SEGMENTS.has(segment.toLowerCase());
}
