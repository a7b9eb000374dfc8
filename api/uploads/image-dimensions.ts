// The size in pixels an image declares, read from its headers without decoding it. The size, not
// the file's length, is what a browser allocates: 16000 x 16000 pixels are a gigabyte of memory
// in every viewer's tab whether the file holds 60 bytes or 6 MB. The readers follow what browsers'
// decoders (libpng, libjpeg-turbo, Skia's GIF reader, libwebp) would take as the size, and every
// read is checked against the end of the buffer: a header that is cut short, or lengths that point
// outside the file, make the image unreadable, never an exception of another kind.
import { AppError } from '../../common/errors.ts';
import type { ImageType } from './image-types.ts';

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** The bytes start like `type` but its size can't be read from them: it is not an image of that type. */
export class UnreadableImageError extends AppError {
  constructor(type: ImageType, reason: string) {
    super(415, 'unsupported_media_type', `This is not a readable ${NAME[type]} image: ${reason}.`);
  }
}

const NAME: Record<ImageType, string> = { png: 'PNG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP' };

/** The width and height `bytes` (a whole file whose signature is `type`'s) declare; throws UnreadableImageError. */
export function readImageSize(type: ImageType, bytes: Uint8Array): ImageSize {
  const size = READERS[type](new Bytes(type, bytes));
  if (size.width < 1 || size.height < 1) throw new UnreadableImageError(type, 'it declares no width or height');
  return size;
}

const READERS: Record<ImageType, (bytes: Bytes) => ImageSize> = {
  png: pngSize,
  jpeg: jpegSize,
  gif: gifSize,
  webp: webpSize,
};

/** Bounds-checked little- and big-endian reads: past the end is an UnreadableImageError. */
class Bytes {
  readonly #type: ImageType;
  readonly #bytes: Uint8Array;

  constructor(type: ImageType, bytes: Uint8Array) {
    this.#type = type;
    this.#bytes = bytes;
  }

  get length(): number {
    return this.#bytes.length;
  }

  refuse(reason: string): never {
    throw new UnreadableImageError(this.#type, reason);
  }

  u8(offset: number): number {
    if (offset < 0 || offset >= this.#bytes.length) this.refuse('its header is cut short');
    return this.#bytes[offset]!;
  }
  u16be(offset: number): number {
    return (this.u8(offset) << 8) | this.u8(offset + 1);
  }
  u16le(offset: number): number {
    return this.u8(offset) | (this.u8(offset + 1) << 8);
  }
  u24le(offset: number): number {
    return this.u16le(offset) | (this.u8(offset + 2) << 16);
  }
  u32be(offset: number): number {
    return this.u16be(offset) * 0x10000 + this.u16be(offset + 2);
  }
  u32le(offset: number): number {
    return this.u16le(offset) + this.u16le(offset + 2) * 0x10000;
  }
  ascii(offset: number, length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(this.u8(offset + i));
    return text;
  }
}

// PNG: the signature, then the IHDR chunk, which must come first: length 13, 'IHDR', width and
// height as 31-bit big-endian numbers.
function pngSize(bytes: Bytes): ImageSize {
  if (bytes.u32be(8) !== 13 || bytes.ascii(12, 4) !== 'IHDR') bytes.refuse('it does not start with an IHDR chunk');
  const width = bytes.u32be(16);
  const height = bytes.u32be(20);
  if (width > 0x7fffffff || height > 0x7fffffff) bytes.refuse('its IHDR chunk declares an impossible size');
  return { width, height };
}

/** Start-of-frame markers: baseline, extended, progressive, lossless, hierarchical, arithmetic. */
const JPEG_FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
/** Markers that stand alone, with no length: TEM and the restart markers. */
const JPEG_STANDALONE = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7]);
const JPEG_SOI = 0xd8;
const JPEG_SOS = 0xda;
const JPEG_EOI = 0xd9;

// JPEG: segments after SOI (APPn with EXIF or ICC profiles, DQT, DHT...) are skipped by their
// lengths up to the frame header SOFn, which holds height then width. Between segments libjpeg
// skips stray bytes and 0xFF fill bytes to the next marker, so this does too; otherwise a frame
// header libjpeg finds could hide from us. Every step moves forward, so the scan ends within the
// file.
function jpegSize(bytes: Bytes): ImageSize {
  let offset = 2;
  for (;;) {
    const marker = nextJpegMarker(bytes, offset);
    if (marker === undefined) bytes.refuse('it has no frame header');
    offset = marker.end;
    if (JPEG_FRAME_MARKERS.has(marker.code)) {
      // Length (2), sample precision (1), height (2), width (2).
      return { height: bytes.u16be(offset + 3), width: bytes.u16be(offset + 5) };
    }
    if (marker.code === JPEG_SOS || marker.code === JPEG_EOI)
      bytes.refuse('its image data comes before a frame header');
    if (marker.code === JPEG_SOI) bytes.refuse('it starts twice');
    if (JPEG_STANDALONE.has(marker.code)) continue;
    const length = bytes.u16be(offset);
    if (length < 2) bytes.refuse('a segment has an impossible length');
    offset += length;
  }
}

/** The next marker at or after `offset` (its code, and where its segment starts), libjpeg's way. */
function nextJpegMarker(bytes: Bytes, offset: number): { code: number; end: number } | undefined {
  let at = offset;
  while (at < bytes.length) {
    if (bytes.u8(at) !== 0xff) {
      at++;
      continue;
    }
    while (at < bytes.length && bytes.u8(at) === 0xff) at++;
    if (at >= bytes.length) return undefined;
    const code = bytes.u8(at);
    at++;
    // FF 00 is a stuffed data byte, not a marker.
    if (code !== 0x00) return { code, end: at };
  }
  return undefined;
}

const GIF_EXTENSION = 0x21;
const GIF_IMAGE = 0x2c;
const GIF_TRAILER = 0x3b;

// GIF: the logical screen descriptor gives the canvas, but browsers enlarge the canvas to fit the
// first frame (and each frame is decoded at its own size), so every image descriptor counts: the
// size is the largest extent of the screen and of any frame. The blocks are walked by their
// lengths; a file cut short after its screen descriptor, or with junk where a block should be,
// still shows in a browser, so the walk stops there with what it has seen.
function gifSize(bytes: Bytes): ImageSize {
  let width = bytes.u16le(6);
  let height = bytes.u16le(8);
  const screenFlags = bytes.u8(10);
  let offset = 13 + colorTableLength(screenFlags);
  while (offset < bytes.length) {
    const block = bytes.u8(offset);
    if (block === GIF_TRAILER) break;
    if (block === GIF_EXTENSION) {
      offset = skipGifSubBlocks(bytes, offset + 2);
    } else if (block === GIF_IMAGE) {
      if (offset + 10 > bytes.length) break;
      width = Math.max(width, bytes.u16le(offset + 1) + bytes.u16le(offset + 5));
      height = Math.max(height, bytes.u16le(offset + 3) + bytes.u16le(offset + 7));
      // Descriptor (10), local color table, LZW minimum code size (1), then the data sub-blocks.
      offset = skipGifSubBlocks(bytes, offset + 10 + colorTableLength(bytes.u8(offset + 9)) + 1);
    } else {
      // Skia and Firefox take anything else as the end of the file, and show what came before.
      break;
    }
  }
  return { width, height };
}

function colorTableLength(flags: number): number {
  return flags & 0x80 ? 3 * (2 << (flags & 0x07)) : 0;
}

/** Where the sub-blocks starting at `offset` end (after their zero terminator), or the file's end. */
function skipGifSubBlocks(bytes: Bytes, offset: number): number {
  let at = offset;
  while (at < bytes.length) {
    const size = bytes.u8(at);
    at += 1 + size;
    if (size === 0) return at;
  }
  return bytes.length;
}

// WebP: RIFF, its size, 'WEBP', then the first chunk says the kind: 'VP8 ' (lossy: a key frame
// whose header holds 14-bit width and height), 'VP8L' (lossless: 14-bit width-1 and height-1 after
// the signature byte 0x2F), or 'VP8X' (extended: the canvas, 24-bit width-1 and height-1, which
// libwebp requires a still image in it to match and animation frames to fit in).
function webpSize(bytes: Bytes): ImageSize {
  const chunk = bytes.ascii(12, 4);
  const data = 20;
  switch (chunk) {
    case 'VP8 ': {
      if ((bytes.u8(data) & 0x01) !== 0) bytes.refuse('its first frame is not a key frame');
      if (bytes.u8(data + 3) !== 0x9d || bytes.u8(data + 4) !== 0x01 || bytes.u8(data + 5) !== 0x2a) {
        bytes.refuse('its VP8 frame has no start code');
      }
      return { width: bytes.u16le(data + 6) & 0x3fff, height: bytes.u16le(data + 8) & 0x3fff };
    }
    case 'VP8L': {
      if (bytes.u8(data) !== 0x2f) bytes.refuse('its VP8L stream has no signature');
      const bits = bytes.u32le(data + 1);
      if (bits >>> 29 !== 0) bytes.refuse('its VP8L stream has an unknown version');
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    case 'VP8X':
      return { width: bytes.u24le(data + 4) + 1, height: bytes.u24le(data + 7) + 1 };
    default:
      return bytes.refuse('it has no VP8, VP8L or VP8X chunk');
  }
}
