// Glass-to-glass latency from a WHIP publisher to a WHEP viewer: the SFU benchmark's clock, drawn
// and read the same way, with the media going in and out over the HTTP protocols OBS and
// standard players use (see sfu-glass-to-glass.ts for the method).
import { measureGlassToGlass } from './sfu-glass-to-glass.ts';
import type { BenchContext, BenchResult } from './lib/types.ts';

export const summary =
  'glass-to-glass latency WHIP publisher canvas -> SFU -> WHEP viewer <video>, read from a clock drawn into each frame (--samples=300)';

export default function run(ctx: BenchContext): Promise<BenchResult> {
  return measureGlassToGlass(ctx, 'whip-whep');
}
