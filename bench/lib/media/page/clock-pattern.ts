// A wall-clock time drawn into a video frame as black and white blocks, and read back from the
// frame on the other side of the SFU. Blocks are 48 px on a 1280x720 frame, so they stay 12 px on
// the quarter-size simulcast layer, and VP8 at any sane bitrate keeps a 0/1 block on the right
// side of mid-grey. A fixed alternating sync row and a 16-bit check reject frames read
// misaligned or mid-transition. Pure functions: no DOM beyond the 2D context passed in.

export const PATTERN_WIDTH = 1280;
export const PATTERN_HEIGHT = 720;
const BLOCK = 48;
const COLUMNS = 24;
const ROWS = 3; // sync, bits 0-23, bits 24-47
const ORIGIN_X = (PATTERN_WIDTH - COLUMNS * BLOCK) / 2;
const ORIGIN_Y = 48;
const CHECK_SALT = 0x5a5a;
/** The time is carried in tenths of a millisecond, modulo 2^32 (4.9 days: plenty for a latency). */
const UNITS_PER_MS = 10;
const TWO_32 = 2 ** 32;
/** The receiver needs only the top band of the frame, down to the last row of blocks. */
export const PATTERN_BAND_HEIGHT = ORIGIN_Y + ROWS * BLOCK;

/** Milliseconds since the Unix epoch with the page's high-resolution clock. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

function bitsFor(epoch: number): number[] {
  const low = Math.round(epoch * UNITS_PER_MS) % TWO_32;
  const check = ((low >>> 16) ^ (low & 0xffff) ^ CHECK_SALT) & 0xffff;
  const bits: number[] = [];
  for (let i = 31; i >= 0; i--) bits.push(Math.floor(low / 2 ** i) % 2);
  for (let i = 15; i >= 0; i--) bits.push((check >>> i) & 1);
  return bits;
}

/** Draws the frame: a mid-grey background, a moving bar (so the encoder has motion), the blocks. */
export function drawPattern(context: CanvasRenderingContext2D, epoch: number, frameNumber: number): void {
  context.fillStyle = '#808080';
  context.fillRect(0, 0, PATTERN_WIDTH, PATTERN_HEIGHT);
  context.fillStyle = '#3060c0';
  context.fillRect((frameNumber * 8) % PATTERN_WIDTH, 300, 160, 300);
  const bits = bitsFor(epoch);
  for (let row = 0; row < ROWS; row++) {
    for (let column = 0; column < COLUMNS; column++) {
      const bit = row === 0 ? (column + 1) % 2 : bits[(row - 1) * COLUMNS + column]!;
      context.fillStyle = bit ? '#ffffff' : '#000000';
      context.fillRect(ORIGIN_X + column * BLOCK, ORIGIN_Y + row * BLOCK, BLOCK, BLOCK);
    }
  }
}

/**
 * Reads the blocks from the RGBA pixels of the top PATTERN_BAND_HEIGHT rows of the received frame
 * drawn scaled to PATTERN_WIDTH x PATTERN_HEIGHT. Returns the time in the encoded units modulo 2^32, or undefined when
 * the frame does not carry a readable pattern.
 */
export function readPattern(pixels: Uint8ClampedArray): number | undefined {
  const bits: number[] = [];
  for (let row = 0; row < ROWS; row++) {
    for (let column = 0; column < COLUMNS; column++) {
      const luma = blockLuma(pixels, ORIGIN_X + column * BLOCK, ORIGIN_Y + row * BLOCK);
      // Far from both extremes: a blurred edge or a frame caught mid-change. Don't guess.
      if (luma > 80 && luma < 176) return undefined;
      const bit = luma >= 128 ? 1 : 0;
      if (row === 0) {
        if (bit !== (column + 1) % 2) return undefined;
      } else {
        bits.push(bit);
      }
    }
  }
  let low = 0;
  for (let i = 0; i < 32; i++) low = low * 2 + bits[i]!;
  let check = 0;
  for (let i = 32; i < 48; i++) check = (check << 1) | bits[i]!;
  if ((((low >>> 16) ^ (low & 0xffff) ^ CHECK_SALT) & 0xffff) !== check) return undefined;
  return low;
}

/** now - encoded, in ms, for an encoded value from readPattern and an epoch time in ms. */
export function latencyMs(encoded: number, nowEpoch: number): number {
  const now = Math.round(nowEpoch * UNITS_PER_MS) % TWO_32;
  let diff = (now - encoded + TWO_32) % TWO_32;
  if (diff > TWO_32 / 2) diff -= TWO_32; // the clocks disagree by a little and the frame looks "early"
  return diff / UNITS_PER_MS;
}

/** Mean luma of the middle half of a block, sampling every other pixel. */
function blockLuma(pixels: Uint8ClampedArray, x0: number, y0: number): number {
  let sum = 0;
  let count = 0;
  for (let y = y0 + BLOCK / 4; y < y0 + (3 * BLOCK) / 4; y += 2) {
    for (let x = x0 + BLOCK / 4; x < x0 + (3 * BLOCK) / 4; x += 2) {
      const i = (y * PATTERN_WIDTH + x) * 4;
      sum += 0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]!;
      count++;
    }
  }
  return sum / count;
}
