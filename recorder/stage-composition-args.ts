// The FFmpeg command line that composes a webinar's stage into one picture and one sound: each
// tile's video scaled into its place on a plain canvas with the member's name drawn on it, every
// microphone mixed, encoded to the same fMP4 HLS as a channel's recording (one run's files, so the
// playlist, VOD and clip code serve it unchanged). Pure, like ffmpeg-args.ts.
import {
  audioArgs,
  hlsOutputArgs,
  rtpInputArgs,
  segmentKeyframes,
  SOURCE_TRANSCODE_RATE,
  x264Args,
} from './ffmpeg-args.ts';
import { CANVAS, type Tile } from './stage-layout.ts';

export interface ComposedTile {
  tile: Tile;
  /** Which video stream of the SDP fills it (0:v:<index>); null for a tile showing a name only. */
  videoInput: number | null;
  /** A file holding the tile's label: names are text from users, never spliced into the graph. */
  labelFile: string;
}

export interface ComposedHlsInput {
  sdpPath: string;
  outputDir: string;
  run: number;
  tiles: readonly ComposedTile[];
  /** How many audio streams the SDP has; all of them are mixed. */
  audioInputs: number;
  segmentSeconds: number;
  /**
   * A file whose text is drawn over the lower part of the picture, read again every frame (the
   * question a host pinned, stage-overlays.ts): it changes without a new run. Empty draws nothing.
   */
  overlayFile?: string | undefined;
}

/** The canvas's frame rate: it paces the output, whatever rate each share or camera arrives at. */
const FRAME_RATE = 30;
const BACKGROUND = '0x101216';
const NAME_TILE_BACKGROUND = '0x2a2e37';

export function composedHlsArgs(input: ComposedHlsInput): string[] {
  const { audioInputs } = input;
  const graph = [
    videoGraph(input.tiles, input.overlayFile),
    ...(audioInputs > 1 ? [audioGraph(audioInputs)] : []),
  ].join(';');
  const audioMap = audioInputs === 0 ? [] : ['-map', audioInputs > 1 ? '[aout]' : '0:a:0'];
  return [
    // A share's or camera's picture size changes with its simulcast layer and window: the scale
    // filter follows such a change frame by frame, where rebuilding the graph would restart the
    // canvas's clock.
    ...rtpInputArgs(input.sdpPath, ['-reinit_filter', '0']),
    '-filter_complex',
    graph,
    '-map',
    '[vout]',
    ...audioMap,
    ...x264Args(segmentKeyframes(input.segmentSeconds), SOURCE_TRANSCODE_RATE),
    ...audioArgs(audioInputs > 0),
    ...hlsOutputArgs(input.outputDir, input.run, input.segmentSeconds),
  ];
}

/**
 * A canvas at a steady frame rate with each tile overlaid in place. The canvas drives the output:
 * overlay repeats a tile's last picture until its next one arrives, so a share sending 5 frames a
 * second and cameras at 30 compose into a steady 30.
 */
function videoGraph(tiles: readonly ComposedTile[], overlayFile: string | undefined): string {
  const out = overlayFile === undefined ? 'vout' : 'stage';
  const chains = [`color=c=${BACKGROUND}:s=${CANVAS.width}x${CANVAS.height}:r=${FRAME_RATE}[canvas]`];
  let below = 'canvas';
  tiles.forEach(({ tile, videoInput, labelFile }, index) => {
    const { width, height } = tile;
    const picture =
      videoInput === null
        ? [`color=c=${NAME_TILE_BACKGROUND}:s=${width}x${height}:r=${FRAME_RATE}`, nameLabel(labelFile, height)]
        : [
            `[0:v:${videoInput}]scale=${width}:${height}:force_original_aspect_ratio=decrease`,
            'setsar=1',
            `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=${BACKGROUND}`,
            ...(tile.label ? [cornerLabel(labelFile, height)] : []),
          ];
    chains.push(`${picture.join(',')}[tile${index}]`);
    const above = index === tiles.length - 1 ? out : `layer${index}`;
    chains.push(`[${below}][tile${index}]overlay=x=${tile.x}:y=${tile.y}:eof_action=pass[${above}]`);
    below = above;
  });
  if (tiles.length === 0) chains[0] = chains[0]!.replace('[canvas]', `[${out}]`);
  if (overlayFile !== undefined) chains.push(`[stage]${overlayText(overlayFile)}[vout]`);
  return chains.join(';');
}

/** Every microphone at its own level (no normalising: one voice doesn't drop when another joins). */
function audioGraph(inputs: number): string {
  const labels = Array.from({ length: inputs }, (_, index) => `[0:a:${index}]`).join('');
  return `${labels}amix=inputs=${inputs}:duration=longest:dropout_transition=0:normalize=0[aout]`;
}

/** A camera's label: the name in the lower left corner on a dark band, as on attendees' tiles. */
function cornerLabel(labelFile: string, tileHeight: number): string {
  const size = Math.max(12, Math.round(tileHeight / 12));
  return drawText(labelFile, size, 'x=8:y=h-text_h-10:box=1:boxcolor=black@0.6:boxborderw=6');
}

/** A tile with no camera: the name, large, in the middle. */
function nameLabel(labelFile: string, tileHeight: number): string {
  const size = Math.max(14, Math.round(tileHeight / 7));
  return drawText(labelFile, size, 'x=(w-text_w)/2:y=(h-text_h)/2');
}

/** The pinned question: lower left, on a dark box, above where a strip's names sit. */
function overlayText(file: string): string {
  const size = Math.round(CANVAS.height / 28);
  return `${drawText(file, size, 'x=40:y=h-text_h-56:line_spacing=8:box=1:boxcolor=black@0.75:boxborderw=16')}:reload=1`;
}

function drawText(labelFile: string, size: number, placement: string): string {
  // expansion=none: a name like "%{pts}" is drawn as typed.
  return `drawtext=textfile=${filterValue(labelFile)}:expansion=none:fontcolor=white:fontsize=${size}:${placement}`;
}

/**
 * A value inside a filter graph, escaped for both levels FFmpeg parses (the option's value, then
 * the graph): the recordings folder is the operator's choice and may hold any character.
 */
export function filterValue(value: string): string {
  const option = value.replace(/[\\':]/g, (char) => `\\${char}`);
  return option.replace(/[\\'[\],;]/g, (char) => `\\${char}`);
}

/** What a label file holds: one line, short enough for a tile. */
export function labelText(name: string): string {
  const line = name.replace(/\s+/g, ' ').trim();
  return [...line].length > 32 ? `${[...line].slice(0, 31).join('')}…` : line;
}
