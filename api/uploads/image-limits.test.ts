import { describe, expect, it } from 'vitest';
import { checkPixelLimit, describePixelLimit, ImageDimensionsError, PIXEL_LIMITS } from './image-limits.ts';

describe('checkPixelLimit', () => {
  it.each([
    ['avatar', 2048, 2048],
    ['avatar', 1, 2048],
    ['banner', 3840, 2160],
    ['banner', 4096, 2048],
    ['banner', 2048, 4096],
    ['emote', 512, 512],
    ['emote', 28, 28],
  ] as const)('takes a %s of %i x %i', (kind, width, height) => {
    expect(() => checkPixelLimit(kind, { width, height })).not.toThrow();
  });

  it.each([
    ['avatar', 2049, 2048],
    ['avatar', 1, 2049],
    ['banner', 4097, 1],
    ['banner', 4096, 4096],
    ['banner', 4096, 2049],
    ['emote', 513, 1],
    ['emote', 16000, 16000],
  ] as const)('refuses a %s of %i x %i', (kind, width, height) => {
    expect(() => checkPixelLimit(kind, { width, height })).toThrow(ImageDimensionsError);
  });

  it('says what the image is and what is allowed, in a sentence and in fields', () => {
    let error: unknown;
    try {
      checkPixelLimit('banner', { width: 16000, height: 16000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      status: 400,
      code: 'image_dimensions_too_large',
      message:
        'The banner is 16000 x 16000 pixels (256 megapixels); banners may be at most 4096 x 4096 pixels (8.4 megapixels).',
      details: { width: 16000, height: 16000, maxWidth: 4096, maxHeight: 4096, maxPixels: 4096 * 2048 },
    });
    expect(() => checkPixelLimit('emote', { width: 600, height: 20 })).toThrow(
      'The emote is 600 x 20 pixels; emotes may be at most 512 x 512 pixels.',
    );
  });

  it('keeps every limit within 8 megapixels (about 32 MiB decoded)', () => {
    for (const limit of Object.values(PIXEL_LIMITS)) expect(limit.maxPixels).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(describePixelLimit(PIXEL_LIMITS.avatar)).toBe('2048 x 2048 pixels');
  });
});
