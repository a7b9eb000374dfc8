// How many pixels each kind of upload may have. We serve uploads as they came (no re-encoding),
// so every viewer's browser decodes them at full size, about 4 bytes a pixel, and an emote is
// decoded by everyone in the chat. The limits leave room for what people really upload (a
// square photo for an avatar, a 4K screenshot for a banner, the 112 px and larger emotes other
// platforms take) and refuse what only a decompression bomb needs.
import { AppError } from '../../common/errors.ts';
import type { ImageSize } from './image-dimensions.ts';

export type ImageKind = 'avatar' | 'banner' | 'emote';

export interface PixelLimit {
  readonly maxWidth: number;
  readonly maxHeight: number;
  /** Width times height; below maxWidth x maxHeight when a long side is fine but a large area is not. */
  readonly maxPixels: number;
}

export const PIXEL_LIMITS: Readonly<Record<ImageKind, PixelLimit>> = {
  // Shown at most a few hundred pixels wide; 2048 x 2048 is 16 MiB decoded, in every channel card.
  avatar: { maxWidth: 2048, maxHeight: 2048, maxPixels: 2048 * 2048 },
  // A wide strip: either side may reach 4096, but not both; 4096 x 2048 (32 MiB decoded) still
  // takes a 3840 x 2160 screenshot.
  banner: { maxWidth: 4096, maxHeight: 4096, maxPixels: 4096 * 2048 },
  // Shown at chat-line height; 512 x 512 is 1 MiB decoded per emote, per viewer.
  emote: { maxWidth: 512, maxHeight: 512, maxPixels: 512 * 512 },
};

export class ImageDimensionsError extends AppError {
  constructor(kind: ImageKind, size: ImageSize, limit: PixelLimit) {
    const area = limitsArea(limit) ? ` (${megapixels(size.width * size.height)})` : '';
    super(
      400,
      'image_dimensions_too_large',
      `The ${kind} is ${size.width} x ${size.height} pixels${area}; ${kind}s may be at most ${describePixelLimit(limit)}.`,
      { width: size.width, height: size.height, ...limit },
    );
  }
}

/** "4096 x 4096 pixels (8.4 megapixels)": for messages and route summaries. */
export function describePixelLimit(limit: PixelLimit): string {
  const sides = `${limit.maxWidth} x ${limit.maxHeight} pixels`;
  return limitsArea(limit) ? `${sides} (${megapixels(limit.maxPixels)})` : sides;
}

/** Throws ImageDimensionsError when an image of `size` is too large to be a `kind`. */
export function checkPixelLimit(kind: ImageKind, size: ImageSize): void {
  const limit = PIXEL_LIMITS[kind];
  if (size.width > limit.maxWidth || size.height > limit.maxHeight || size.width * size.height > limit.maxPixels) {
    throw new ImageDimensionsError(kind, size, limit);
  }
}

const limitsArea = (limit: PixelLimit) => limit.maxPixels < limit.maxWidth * limit.maxHeight;
const megapixels = (pixels: number) => `${Number((pixels / 1e6).toFixed(1))} megapixels`;
