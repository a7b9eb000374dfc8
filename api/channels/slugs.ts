// A channel lives at /<slug>, so a slug must never shadow a page or a server path
// (common/protocol/reserved-paths.ts lists them).
import { BadRequestError } from '../../common/errors.ts';
import { isReservedPathSegment } from '../../common/protocol/reserved-paths.ts';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,30})[a-z0-9]$/;

/** Returns the slug in canonical form or throws a BadRequestError saying what is wrong. */
export function validateSlug(raw: string): string {
  const slug = raw.trim().toLowerCase();
  if (!SLUG.test(slug) || slug.includes('--')) {
    throw new BadRequestError(
      `'${raw}' is not a valid channel slug: use 3 to 32 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`,
    );
  }
  if (isReservedPathSegment(slug)) throw new BadRequestError(`'${slug}' is reserved; pick another channel slug.`);
  return slug;
}
