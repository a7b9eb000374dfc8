// Small image files built byte by byte, declaring whatever size a test asks for: the headers are
// valid (PNG chunks carry correct CRCs), the pixel data is a token few bytes. A 16000 x 16000 PNG
// of 60 bytes is exactly what a decompression bomb looks like to anything that reads only headers.
import { crc32, deflateSync } from 'node:zlib';

export interface Size {
  width: number;
  height: number;
}

const ascii = (text: string) => Buffer.from(text, 'latin1');

function u32be(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}
function u16be(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}
function u16le(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16LE(value);
  return buffer;
}
function u24le(value: number): Buffer {
  return Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);
}
function u32le(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG chunk: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([ascii(type), data]);
  return Buffer.concat([u32be(data.length), typeAndData, u32be(crc32(typeAndData))]);
}

/** An 8-bit RGBA PNG of `width` x `height` whose IDAT holds a few bytes (a valid zlib stream of one row). */
export function png({ width, height }: Size): Buffer {
  const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 6, 0, 0, 0])]);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(5))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG segment: marker, then a length that counts itself. */
export function jpegSegment(marker: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xff, marker]), u16be(data.length + 2), data]);
}

/**
 * A JPEG with a JFIF APP0, `before` (more segments, e.g. a big APP1), then the frame header SOFn
 * (`sof`: 0xc0 baseline, 0xc2 progressive) of `width` x `height`, a token scan, EOI.
 */
export function jpeg({ width, height }: Size, { sof = 0xc0, before = [] as Buffer[] } = {}): Buffer {
  const app0 = jpegSegment(0xe0, Buffer.concat([ascii('JFIF\0'), Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0])]));
  const frame = jpegSegment(
    sof,
    Buffer.concat([Buffer.from([8]), u16be(height), u16be(width), Buffer.from([1, 1, 0x11, 0])]),
  );
  const scan = jpegSegment(0xda, Buffer.from([1, 1, 0, 0, 63, 0]));
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    app0,
    ...before,
    frame,
    scan,
    Buffer.from([0x00, 0x00]),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A GIF89a whose logical screen is `width` x `height`, with no image in it. */
export function gif({ width, height }: Size): Buffer {
  return Buffer.concat([ascii('GIF89a'), u16le(width), u16le(height), Buffer.from([0, 0, 0]), Buffer.from([0x3b])]);
}

function riffWebp(chunks: Buffer): Buffer {
  return Buffer.concat([ascii('RIFF'), u32le(4 + chunks.length), ascii('WEBP'), chunks]);
}
function riffChunk(fourcc: string, data: Buffer): Buffer {
  const padding = data.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([ascii(fourcc), u32le(data.length), data, padding]);
}

/** A lossy WebP ('VP8 '): a key frame header of `width` x `height` (at most 16383 each). */
export function webpLossy({ width, height }: Size): Buffer {
  // Frame tag: key frame (bit 0 clear), version 0, shown, first partition of 0 bytes.
  const frame = Buffer.concat([Buffer.from([0x10, 0x00, 0x00]), Buffer.from([0x9d, 0x01, 0x2a])]);
  return riffWebp(
    riffChunk('VP8 ', Buffer.concat([frame, u16le(width & 0x3fff), u16le(height & 0x3fff), Buffer.alloc(4)])),
  );
}

/** A lossless WebP ('VP8L') of `width` x `height` (at most 16384 each). */
export function webpLossless({ width, height }: Size): Buffer {
  const bits = (width - 1) | ((height - 1) << 14); // then alpha 0, version 0: the top 4 bits
  return riffWebp(riffChunk('VP8L', Buffer.concat([Buffer.from([0x2f]), u32le(bits), Buffer.alloc(3)])));
}

/** An extended WebP ('VP8X') whose canvas is `width` x `height` (up to 2^24 each), followed by a tiny VP8L. */
export function webpExtended({ width, height }: Size): Buffer {
  const vp8x = riffChunk('VP8X', Buffer.concat([Buffer.from([0, 0, 0, 0]), u24le(width - 1), u24le(height - 1)]));
  const tiny = webpLossless({ width: 1, height: 1 }).subarray(12);
  return riffWebp(Buffer.concat([vp8x, tiny]));
}
