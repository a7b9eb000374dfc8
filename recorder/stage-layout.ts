// Where each stage member goes in a webinar's composed picture, the way attendees see the stage
// (web/src/media/stage-layout.ts): the main screen share large with the members in a strip beside
// it, or a grid of members when nobody shares. A member with a camera gets their camera; one who
// only speaks gets a tile with their name, so the recording shows everyone who is heard. Pure: the
// recorder turns the tiles into an FFmpeg filter graph (stage-composition-args.ts).

export interface StageMemberMedia {
  peerId: string;
  name: string;
  camera: boolean;
  screen: boolean;
}

export interface StageLayoutInput {
  /** Stage members in the order they joined the stage. */
  members: readonly StageMemberMedia[];
  /** The host's choice of main share; null (or someone no longer sharing) means the first share. */
  mainShare: string | null;
  /** Who speaks now: first in the strip, so the recording shows the speaker. */
  activeSpeaker: string | null;
}

export interface Tile {
  peerId: string;
  /** What fills the tile: a screen share, a camera, or the member's name on a plain background. */
  content: 'screen' | 'camera' | 'name';
  /** The name drawn on the tile (empty on the main share: its sharer is in the strip). */
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The composed picture: 720p, the size a webinar's slides stay readable at on any player. */
export const CANVAS = { width: 1280, height: 720 } as const;
/** The strip beside a main share: a column of 16:9 tiles, as many as fit its height. */
const STRIP_WIDTH = 320;
const STRIP_TILE_HEIGHT = 180;
export const STRIP_TILES = CANVAS.height / STRIP_TILE_HEIGHT;

export function stageLayout({ members, mainShare, activeSpeaker }: StageLayoutInput): Tile[] {
  const sharer =
    members.find((member) => member.peerId === mainShare && member.screen) ?? members.find((member) => member.screen);
  const speakerFirst = [...members].sort(
    (a, b) => Number(b.peerId === activeSpeaker) - Number(a.peerId === activeSpeaker),
  );
  if (!sharer) return grid(speakerFirst);

  const main: Tile = {
    peerId: sharer.peerId,
    content: 'screen',
    label: '',
    x: 0,
    y: 0,
    width: CANVAS.width - STRIP_WIDTH,
    height: CANVAS.height,
  };
  // The strip holds as many members as fit, the speaker first, centred beside the share; a
  // member whose only media is the main share already shows.
  const inStrip = speakerFirst
    .filter((member) => member.camera || member.peerId !== sharer.peerId)
    .slice(0, STRIP_TILES);
  const top = even((CANVAS.height - inStrip.length * STRIP_TILE_HEIGHT) / 2);
  const strip = inStrip.map((member, index) => ({
    ...memberTile(member),
    x: CANVAS.width - STRIP_WIDTH,
    y: top + index * STRIP_TILE_HEIGHT,
    width: STRIP_WIDTH,
    height: STRIP_TILE_HEIGHT,
  }));
  return [main, ...strip];
}

/** Members in a grid as square as it gets, each cell 16:9 and the grid centred on the canvas. */
function grid(members: readonly StageMemberMedia[]): Tile[] {
  if (members.length === 0) return [];
  const columns = Math.ceil(Math.sqrt(members.length));
  const rows = Math.ceil(members.length / columns);
  const width = even(Math.min(CANVAS.width / columns, ((CANVAS.height / rows) * 16) / 9));
  const height = even((width * 9) / 16);
  const left = even((CANVAS.width - width * columns) / 2);
  const top = even((CANVAS.height - height * rows) / 2);
  return members.map((member, index) => {
    const row = Math.floor(index / columns);
    // The last row, when it is short, is centred like the rows above.
    const inRow = row === rows - 1 ? members.length - row * columns : columns;
    const rowLeft = left + even(((columns - inRow) * width) / 2);
    return { ...memberTile(member), x: rowLeft + (index % columns) * width, y: top + row * height, width, height };
  });
}

function memberTile(member: StageMemberMedia): Pick<Tile, 'peerId' | 'content' | 'label'> {
  return { peerId: member.peerId, content: member.camera ? 'camera' : 'name', label: member.name };
}

/** Video sizes and offsets must be even for 4:2:0 pictures. */
function even(value: number): number {
  return Math.floor(value / 2) * 2;
}
