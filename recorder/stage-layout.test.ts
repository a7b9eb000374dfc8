import { describe, expect, it } from 'vitest';
import { CANVAS, stageLayout, STRIP_TILES, type StageMemberMedia, type Tile } from './stage-layout.ts';

const member = (peerId: string, media: Partial<StageMemberMedia> = {}): StageMemberMedia => ({
  peerId,
  name: `Name ${peerId}`,
  camera: true,
  screen: false,
  ...media,
});

function inside(tile: Tile): boolean {
  return tile.x >= 0 && tile.y >= 0 && tile.x + tile.width <= CANVAS.width && tile.y + tile.height <= CANVAS.height;
}

function overlaps(a: Tile, b: Tile): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('stageLayout', () => {
  it('puts the main share large on the left and the members in a strip beside it, the speaker first', () => {
    const tiles = stageLayout({
      members: [member('host', { screen: true }), member('guest'), member('voice', { camera: false })],
      mainShare: null,
      activeSpeaker: 'guest',
    });
    expect(tiles[0]).toMatchObject({ peerId: 'host', content: 'screen', x: 0, y: 0, width: 960, height: 720 });
    expect(tiles.slice(1).map((tile) => [tile.peerId, tile.content, tile.label])).toEqual([
      ['guest', 'camera', 'Name guest'],
      ['host', 'camera', 'Name host'],
      ['voice', 'name', 'Name voice'],
    ]);
    for (const tile of tiles.slice(1)) expect(tile).toMatchObject({ x: 960, width: 320, height: 180 });
    // Three tiles of 180 lines, centred in 720.
    expect(tiles.slice(1).map((tile) => tile.y)).toEqual([90, 270, 450]);
  });

  it("shows the host's choice of main share, and the first share once the chosen one is gone", () => {
    const members = [member('a', { screen: true }), member('b', { screen: true })];
    expect(stageLayout({ members, mainShare: 'b', activeSpeaker: null })[0]!.peerId).toBe('b');
    const withoutB = [members[0]!, member('b')];
    expect(stageLayout({ members: withoutB, mainShare: 'b', activeSpeaker: null })[0]!.peerId).toBe('a');
  });

  it('leaves a sharer without a camera out of the strip (their share shows), and caps the strip', () => {
    const members = [
      member('sharer', { camera: false, screen: true }),
      ...Array.from({ length: 6 }, (_, i) => member(`m${i}`)),
    ];
    const tiles = stageLayout({ members, mainShare: null, activeSpeaker: null });
    expect(tiles.filter((tile) => tile.peerId === 'sharer').map((tile) => tile.content)).toEqual(['screen']);
    expect(tiles).toHaveLength(1 + STRIP_TILES);
  });

  it('lays out a grid of members when nobody shares: every tile 16:9, inside the canvas, none overlapping', () => {
    for (let count = 1; count <= 9; count++) {
      const members = Array.from({ length: count }, (_, i) => member(`m${i}`, { camera: i % 2 === 0 }));
      const tiles = stageLayout({ members, mainShare: null, activeSpeaker: null });
      expect(tiles).toHaveLength(count);
      for (const [i, tile] of tiles.entries()) {
        expect(inside(tile), `${count} members, tile ${i}`).toBe(true);
        expect(Math.abs(tile.width / tile.height - 16 / 9)).toBeLessThan(0.02);
        expect((tile.width % 2) + (tile.height % 2) + (tile.x % 2) + (tile.y % 2)).toBe(0);
        for (const other of tiles.slice(i + 1)) expect(overlaps(tile, other)).toBe(false);
      }
    }
    const one = stageLayout({ members: [member('solo')], mainShare: null, activeSpeaker: null });
    expect(one[0]).toMatchObject({ x: 0, y: 0, width: 1280, height: 720 });
  });

  it('has nothing to lay out for an empty stage', () => {
    expect(stageLayout({ members: [], mainShare: null, activeSpeaker: null })).toEqual([]);
  });
});
