import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../common/errors.ts';
import { RESERVED_PATH_SEGMENTS } from '../../common/protocol/reserved-paths.ts';
import { validateSlug } from './slugs.ts';

/** The BadRequestError message for a refused slug; fails the test when the slug is accepted. */
function refusal(slug: string): string {
  try {
    validateSlug(slug);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error(`expected '${slug}' to be refused`);
}

describe('validateSlug', () => {
  it('accepts lowercase letters, digits and single hyphens, 3 to 32 long', () => {
    for (const slug of ['ada', 'a1b', '123', 'ada-lovelace', 'retro-games-24', 'x'.repeat(32)]) {
      expect(validateSlug(slug)).toBe(slug);
    }
  });

  it('returns the canonical form: trimmed and lowercased', () => {
    expect(validateSlug('  Ada-Live ')).toBe('ada-live');
  });

  it('refuses slugs that would shadow a page or an API path', () => {
    for (const slug of ['api', 'admin', 'healthz', 'whip', 'studio', 'uploads', 'hls', 'assets', 'categories']) {
      expect(RESERVED_PATH_SEGMENTS.has(slug)).toBe(true);
      expect(refusal(slug)).toBe(`'${slug}' is reserved; pick another channel slug.`);
    }
    // Case and spaces must not get around the list.
    expect(refusal(' API ')).toBe("'api' is reserved; pick another channel slug.");
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'x'.repeat(33)],
    ['empty', ''],
    ['leading hyphen', '-ada'],
    ['trailing hyphen', 'ada-'],
    ['double hyphen', 'ada--live'],
    ['underscore', 'ada_live'],
    ['space inside', 'ada live'],
    ['dot', 'ada.live'],
    ['slash', 'ada/live'],
    ['non-ASCII letter', 'adà'],
  ])('refuses a slug with a bad shape (%s) and says what a slug may be', (_, slug) => {
    expect(refusal(slug)).toBe(
      `'${slug}' is not a valid channel slug: use 3 to 32 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`,
    );
  });
});
