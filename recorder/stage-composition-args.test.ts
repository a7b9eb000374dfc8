import { describe, expect, it } from 'vitest';
import { composedHlsArgs, filterValue, labelText } from './stage-composition-args.ts';

const tile = (x: number, content: 'screen' | 'camera' | 'name', label = '') => ({
  peerId: `p${x}`,
  content,
  label,
  x,
  y: 0,
  width: 320,
  height: 180,
});

describe('composedHlsArgs', () => {
  const args = composedHlsArgs({
    sdpPath: '/rec/s/input-2.sdp',
    outputDir: '/rec/s',
    run: 2,
    tiles: [
      { tile: tile(0, 'screen'), videoInput: 0, labelFile: '/rec/s/label-2-0.txt' },
      { tile: tile(320, 'camera', 'Ada'), videoInput: 1, labelFile: '/rec/s/label-2-1.txt' },
      { tile: tile(640, 'name', 'Bob'), videoInput: null, labelFile: '/rec/s/label-2-2.txt' },
    ],
    audioInputs: 2,
    segmentSeconds: 2,
  });
  const graph = args[args.indexOf('-filter_complex') + 1]!;

  it('reads the SDP with filter re-initialisation off (the scale filters follow size changes)', () => {
    expect(args.indexOf('-reinit_filter')).toBeLessThan(args.indexOf('-i'));
    expect(args[args.indexOf('-i') + 1]).toBe('/rec/s/input-2.sdp');
  });

  it('overlays every tile on a 1280x720 canvas, in order, and labels cameras and name tiles from their files', () => {
    expect(graph).toMatch(/^color=c=\w+:s=1280x720:r=30\[canvas\];/);
    expect(graph).toContain('[0:v:0]scale=320:180:force_original_aspect_ratio=decrease');
    expect(graph).toContain('[0:v:1]scale=320:180');
    expect(graph).toContain('[canvas][tile0]overlay=x=0:y=0');
    expect(graph).toContain('[layer0][tile1]overlay=x=320:y=0');
    expect(graph).toContain('[layer1][tile2]overlay=x=640:y=0:eof_action=pass[vout]');
    expect(graph).toContain('drawtext=textfile=/rec/s/label-2-1.txt:expansion=none');
    expect(graph).toContain('drawtext=textfile=/rec/s/label-2-2.txt:expansion=none');
    expect(graph).not.toContain('label-2-0.txt'); // the main share carries no label
  });

  it('mixes every microphone at its own level and maps the composed picture and sound', () => {
    expect(graph).toContain('[0:a:0][0:a:1]amix=inputs=2:duration=longest:dropout_transition=0:normalize=0[aout]');
    expect(args.join(' ')).toContain('-map [vout] -map [aout]');
    expect(args.at(-1)).toBe('/rec/s/run-2.m3u8');
  });

  it('maps a single microphone as it is, and none when nobody speaks', () => {
    const base = { sdpPath: 'in.sdp', outputDir: 'out', run: 1, tiles: [], segmentSeconds: 2 };
    expect(composedHlsArgs({ ...base, audioInputs: 1 }).join(' ')).toContain('-map [vout] -map 0:a:0');
    const silent = composedHlsArgs({ ...base, audioInputs: 0 });
    expect(silent).not.toContain('-c:a');
    expect(silent[silent.indexOf('-filter_complex') + 1]).toMatch(/\[vout\]$/);
  });
});

describe('composedHlsArgs with the pinned question', () => {
  const base = { sdpPath: 'in.sdp', outputDir: 'out', run: 1, audioInputs: 0, segmentSeconds: 2 };
  const graphOf = (args: string[]) => args[args.indexOf('-filter_complex') + 1]!;

  it('draws the overlay file over the composed stage, read again every frame', () => {
    const graph = graphOf(
      composedHlsArgs({
        ...base,
        tiles: [{ tile: tile(0, 'camera', 'Ada'), videoInput: 0, labelFile: 'out/label-1-0.txt' }],
        overlayFile: "/rec/it's/pinned-question.txt",
      }),
    );
    expect(graph).toContain('[canvas][tile0]overlay=x=0:y=0:eof_action=pass[stage]');
    expect(graph).toMatch(
      /;\[stage\]drawtext=textfile=\/rec\/it\\\\\\'s\/pinned-question.txt:expansion=none:.*:reload=1\[vout\]$/,
    );
  });

  it('draws it on the bare canvas when nobody is on stage', () => {
    const graph = graphOf(composedHlsArgs({ ...base, tiles: [], overlayFile: 'out/pinned-question.txt' }));
    expect(graph).toMatch(/^color=c=\w+:s=1280x720:r=30\[stage\];\[stage\]drawtext=textfile=out\/pinned-question.txt/);
  });
});

describe('filterValue', () => {
  it('escapes what both levels of FFmpeg filter parsing treat specially', () => {
    expect(filterValue('/plain/path-1.txt')).toBe('/plain/path-1.txt');
    // As FFmpeg's "Notes on filtergraph escaping": ':' and "'" for the option, then '\\', "'" and ",;[]" for the graph.
    expect(filterValue("/a:b/c'd/e,f;g[h]")).toBe("/a\\\\:b/c\\\\\\'d/e\\,f\\;g\\[h\\]");
  });
});

describe('labelText', () => {
  it('keeps a name on one line and short enough for a tile', () => {
    expect(labelText('  Ada\n Lovelace ')).toBe('Ada Lovelace');
    expect([...labelText('x'.repeat(80))]).toHaveLength(32);
  });
});
