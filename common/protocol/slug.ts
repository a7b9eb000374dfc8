// A channel slug as it may appear in an address or a request: letters, digits and hyphens. Slugs
// are created lowercase (api/channels/slugs.ts has the stricter rule for new ones); lookups take
// any case. Anything else (a NUL, a slash, a space) is refused before it reaches the database.
export const CHANNEL_SLUG_PATTERN = '^[A-Za-z0-9-]{1,64}$';

const CHANNEL_SLUG = new RegExp(CHANNEL_SLUG_PATTERN);

export function isChannelSlug(value: unknown): value is string {
  return typeof value === 'string' && CHANNEL_SLUG.test(value);
}
