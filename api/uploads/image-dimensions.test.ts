import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gif,
  jpeg,
  jpegSegment,
  png,
  PNG_SIGNATURE,
  pngChunk,
  webpExtended,
  webpLossless,
  webpLossy,
} from '../../tests/support/image-headers.ts';
import { readImageSize, UnreadableImageError } from './image-dimensions.ts';
import { detectImageType, type ImageType } from './image-types.ts';

const huge = { width: 16000, height: 16000 };
const odd = { width: 37, height: 23 };

/** The size `bytes` declare, read as the type their signature says (as the store does). */
function sizeOf(bytes: Uint8Array) {
  const type = detectImageType(bytes);
  if (!type) throw new Error('the test built something that is not an image');
  return readImageSize(type, bytes);
}

function refusal(type: ImageType, bytes: Uint8Array): UnreadableImageError {
  try {
    readImageSize(type, bytes);
  } catch (error) {
    if (error instanceof UnreadableImageError) return error;
    throw error;
  }
  throw new Error(`read a size from ${Buffer.from(bytes).toString('hex').slice(0, 80)}...`);
}

/** Where the frame header ends: length (2), precision (1), height (2), width (2) after the marker. */
const jpegHeaderEnd = (bytes: Buffer, sof: number) => bytes.indexOf(Buffer.from([0xff, sof])) + 9;

/** Samples of each kind, and how many bytes of each the size needs: any fewer are unreadable. */
const SAMPLES: [string, ImageType, Buffer, number][] = [
  ['PNG', 'png', png(odd), 24],
  ['baseline JPEG', 'jpeg', jpeg(odd), jpegHeaderEnd(jpeg(odd), 0xc0)],
  ['progressive JPEG', 'jpeg', jpeg(odd, { sof: 0xc2 }), jpegHeaderEnd(jpeg(odd, { sof: 0xc2 }), 0xc2)],
  ['GIF', 'gif', gif(odd), 11],
  ['lossy WebP', 'webp', webpLossy(odd), 30],
  ['lossless WebP', 'webp', webpLossless(odd), 25],
  ['extended WebP', 'webp', webpExtended(odd), 30],
];

describe('readImageSize', () => {
  it.each(SAMPLES)('reads the size a %s declares', (_, type, bytes) => {
    expect(readImageSize(type, bytes)).toEqual(odd);
  });

  it.each([
    ['PNG', png(huge), huge],
    ['baseline JPEG', jpeg(huge), huge],
    ['extended sequential JPEG (SOF1)', jpeg(huge, { sof: 0xc1 }), huge],
    ['progressive JPEG (SOF2)', jpeg(huge, { sof: 0xc2 }), huge],
    ['arithmetic-coded JPEG (SOF9)', jpeg(huge, { sof: 0xc9 }), huge],
    ['GIF at its largest', gif({ width: 65535, height: 65535 }), { width: 65535, height: 65535 }],
    ['lossy WebP at its largest', webpLossy({ width: 16383, height: 16383 }), { width: 16383, height: 16383 }],
    ['lossless WebP at its largest', webpLossless({ width: 16384, height: 16384 }), { width: 16384, height: 16384 }],
    ['extended WebP canvas', webpExtended({ width: 1 << 24, height: 3 }), { width: 1 << 24, height: 3 }],
  ])('reads a bomb: a tiny %s declaring a huge size', (_, bytes, size) => {
    expect(bytes.length).toBeLessThan(200);
    expect(sizeOf(bytes)).toEqual(size);
  });

  describe('JPEG', () => {
    it('skips APPn segments (EXIF, ICC profiles) of any length before the frame header', () => {
      const exif = jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), Buffer.alloc(65_000, 0xff)]));
      const icc = jpegSegment(0xe2, Buffer.alloc(60_000, 0xc0));
      const tables = jpegSegment(0xdb, Buffer.alloc(65, 1));
      expect(sizeOf(jpeg(huge, { before: [exif, icc, icc, tables] }))).toEqual(huge);
    });

    it('skips fill bytes, stuffed bytes, stray bytes and standalone markers the way libjpeg does', () => {
      const stray = Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]);
      const filledRestart = Buffer.from([0xff, 0xff, 0xff, 0xd0]);
      expect(sizeOf(jpeg(huge, { before: [stray, filledRestart] }))).toEqual(huge);
    });

    it('does not take a SOF byte inside a segment for a frame header', () => {
      const decoy = jpegSegment(0xe1, Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x01, 0x00, 0x01]));
      expect(sizeOf(jpeg(huge, { before: [decoy] }))).toEqual(huge);
    });

    it.each([
      ['a segment length of 0', [Buffer.from([0xff, 0xe1, 0x00, 0x00])]],
      ['a segment length of 1', [Buffer.from([0xff, 0xe1, 0x00, 0x01])]],
    ])('refuses %s', (_, before) => {
      expect(refusal('jpeg', jpeg(huge, { before })).message).toMatch(/impossible length/);
    });

    it('refuses a segment whose length points past the end of the file', () => {
      const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]), Buffer.alloc(100)]);
      expect(refusal('jpeg', bytes).message).toMatch(/no frame header|cut short/);
    });

    it('refuses image data, an end or a second start before any frame header', () => {
      for (const marker of [0xda, 0xd9, 0xd8]) {
        const bytes = Buffer.concat([
          Buffer.from([0xff, 0xd8]),
          jpegSegment(0xe0, Buffer.alloc(14)),
          Buffer.from([0xff, marker]),
        ]);
        expect(refusal('jpeg', bytes)).toBeInstanceOf(UnreadableImageError);
      }
    });

    it('refuses a frame header declaring no height (DNL, which browsers do not support)', () => {
      expect(refusal('jpeg', jpeg({ width: 100, height: 0 })).message).toMatch(/no width or height/);
    });
  });

  describe('PNG', () => {
    const ihdr = (width: number, height: number) =>
      Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', Buffer.from([...u32(width), ...u32(height), 8, 6, 0, 0, 0]))]);
    const u32 = (value: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(value >>> 0);
      return [...b];
    };

    it('refuses a first chunk that is not IHDR, or an IHDR of the wrong length', () => {
      const text = Buffer.concat([PNG_SIGNATURE, pngChunk('tEXt', Buffer.alloc(13)), png(huge).subarray(8)]);
      expect(refusal('png', text).message).toMatch(/IHDR/);
      const long = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', Buffer.alloc(14, 1))]);
      expect(refusal('png', long).message).toMatch(/IHDR/);
    });

    it('refuses sizes PNG does not allow: zero, or beyond 2^31 - 1', () => {
      expect(refusal('png', ihdr(0, 10)).message).toMatch(/no width or height/);
      expect(refusal('png', ihdr(0x80000000, 10)).message).toMatch(/impossible size/);
      expect(readImageSize('png', ihdr(0x7fffffff, 1))).toEqual({ width: 0x7fffffff, height: 1 });
    });
  });

  describe('GIF', () => {
    /** A GIF whose screen is `screen`, with a global color table and frames at `frames`. */
    function gifWithFrames(screen: [number, number], frames: [number, number, number, number][]): Buffer {
      const u16 = (v: number) => [v & 0xff, v >> 8];
      const extension = [0x21, 0xf9, 4, 0, 0, 0, 0, 0]; // graphic control
      const comment = [0x21, 0xfe, 3, 0x61, 0x62, 0x63, 0];
      const image = ([left, top, width, height]: [number, number, number, number]) => [
        0x2c,
        ...u16(left),
        ...u16(top),
        ...u16(width),
        ...u16(height),
        0x80, // a local color table of 2 colors
        ...Array(6).fill(0),
        2,
        2,
        0x4c,
        0x01,
        0,
      ];
      return Buffer.from([
        ...Buffer.from('GIF89a'),
        ...u16(screen[0]),
        ...u16(screen[1]),
        0xf1, // a global color table of 4 colors
        0,
        0,
        ...Array(12).fill(7),
        ...comment,
        ...frames.flatMap((frame) => [...extension, ...image(frame)]),
        0x3b,
      ]);
    }

    it('reads the screen when the frames fit in it', () => {
      expect(
        sizeOf(
          gifWithFrames(
            [40, 30],
            [
              [0, 0, 40, 30],
              [5, 5, 10, 10],
            ],
          ),
        ),
      ).toEqual({ width: 40, height: 30 });
    });

    it('counts a frame larger than the screen, which browsers grow the canvas for', () => {
      expect(
        sizeOf(
          gifWithFrames(
            [1, 1],
            [
              [0, 0, 8, 8],
              [100, 20000, 16000, 16000],
            ],
          ),
        ),
      ).toEqual({
        width: 16100,
        height: 36000,
      });
    });

    it('takes the size from the frames when the screen says 0 x 0', () => {
      expect(sizeOf(gifWithFrames([0, 0], [[0, 0, 9, 7]]))).toEqual({ width: 9, height: 7 });
      expect(refusal('gif', gifWithFrames([0, 0], [])).message).toMatch(/no width or height/);
    });

    it('stops at junk or at a cut, as browsers do, with what it has seen', () => {
      const whole = gifWithFrames(
        [4, 4],
        [
          [0, 0, 4, 4],
          [0, 0, 3000, 3000],
        ],
      );
      const junk = Buffer.concat([gifWithFrames([4, 4], [[0, 0, 4, 4]]).subarray(0, -1), Buffer.from([0x99, 0x2c])]);
      expect(sizeOf(junk)).toEqual({ width: 4, height: 4 });
      expect(sizeOf(whole.subarray(0, whole.length - 12))).toEqual({ width: 3000, height: 3000 });
    });

    it('survives sub-block lengths that point past the end', () => {
      expect(
        sizeOf(Buffer.concat([gif({ width: 5, height: 6 }).subarray(0, 13), Buffer.from([0x21, 0xff, 0xff])])),
      ).toEqual({ width: 5, height: 6 });
    });
  });

  describe('WebP', () => {
    it('refuses a file whose first chunk is none of VP8, VP8L and VP8X', () => {
      const alpha = Buffer.from(webpLossy(odd));
      alpha.write('ALPH', 12, 'latin1');
      expect(refusal('webp', alpha).message).toMatch(/VP8/);
    });

    it('refuses a lossy stream that does not start with a key frame, or has no start code', () => {
      const inter = Buffer.from(webpLossy(huge));
      inter[20] = inter[20]! | 1;
      expect(refusal('webp', inter).message).toMatch(/key frame/);
      const noStart = Buffer.from(webpLossy(huge));
      noStart[23] = 0;
      expect(refusal('webp', noStart).message).toMatch(/start code/);
    });

    it('refuses a lossless stream with a wrong signature or version', () => {
      const signature = Buffer.from(webpLossless(huge));
      signature[20] = 0x2e;
      expect(refusal('webp', signature).message).toMatch(/signature/);
      const version = Buffer.from(webpLossless(huge));
      version[24] = version[24]! | 0x20;
      expect(refusal('webp', version).message).toMatch(/version/);
    });
  });

  it.each(SAMPLES)(
    'refuses a %s cut anywhere before the end of its size, never reading past the end',
    (_, type, bytes, needed) => {
      for (let length = 0; length < needed; length++) {
        expect(refusal(type, bytes.subarray(0, length)).message, `cut at ${length}`).toMatch(
          /cut short|no frame header/,
        );
      }
      for (let length = needed; length <= bytes.length; length++) {
        expect(readImageSize(type, bytes.subarray(0, length)), `cut at ${length}`).toEqual(odd);
      }
    },
  );

  it('reads what FFmpeg encodes: PNG, JPEG, GIF, lossy, lossless and animated WebP', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-dimensions-'));
    try {
      const encode = (file: string, args: string[] = [], frames = 1) => {
        const out = path.join(dir, file);
        execFileSync('ffmpeg', [
          ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=s=37x23:r=5'],
          ...['-frames:v', String(frames), ...args, out],
        ]);
        return fs.readFileSync(out);
      };
      for (const bytes of [
        encode('a.png'),
        encode('a.jpg'),
        encode('a.gif'),
        encode('anim.gif', [], 3),
        encode('lossy.webp', ['-c:v', 'libwebp']),
        encode('lossless.webp', ['-c:v', 'libwebp', '-lossless', '1']),
        encode('anim.webp', ['-c:v', 'libwebp_anim', '-loop', '0'], 3),
      ]) {
        expect(sizeOf(bytes)).toEqual(odd);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on arbitrary bytes', () => {
    const signatures: Record<ImageType, Buffer> = {
      png: PNG_SIGNATURE,
      jpeg: Buffer.from([0xff, 0xd8, 0xff]),
      gif: Buffer.from('GIF89a'),
      webp: Buffer.from('RIFF\x10\0\0\0WEBP', 'latin1'),
    };
    const type = fc.constantFrom<ImageType>('png', 'jpeg', 'gif', 'webp');

    /** A size of positive integers, or the module's own refusal: nothing else. */
    function expectSizeOrRefusal(imageType: ImageType, bytes: Uint8Array) {
      try {
        const size = readImageSize(imageType, bytes);
        expect(Number.isSafeInteger(size.width) && size.width > 0).toBe(true);
        expect(Number.isSafeInteger(size.height) && size.height > 0).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(UnreadableImageError);
      }
    }

    it('gives a size or its refusal after any signature', () => {
      fc.assert(
        fc.property(type, fc.uint8Array({ maxLength: 300 }), (imageType, tail) => {
          expectSizeOrRefusal(imageType, Buffer.concat([signatures[imageType], tail]));
        }),
        { numRuns: 3000 },
      );
    });

    it('gives a size or its refusal for valid headers with bytes changed anywhere', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...SAMPLES),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          fc.nat(),
          ([, imageType, sample], changes, cut) => {
            const bytes = Buffer.from(sample);
            for (const [at, value] of changes) bytes[at % bytes.length] = value;
            expectSizeOrRefusal(imageType, bytes.subarray(0, bytes.length - (cut % 8)));
          },
        ),
        { numRuns: 3000 },
      );
    });

    it('gives a size or its refusal for any bytes at all, whatever type they are taken for', () => {
      fc.assert(
        fc.property(type, fc.uint8Array({ maxLength: 100 }), (imageType, bytes) =>
          expectSizeOrRefusal(imageType, bytes),
        ),
        { numRuns: 2000 },
      );
    });
  });
});
