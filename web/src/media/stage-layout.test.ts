import { describe, expect, it } from 'vitest';
import type { MediaSource } from '../../../common/protocol/media-signaling.ts';
import { hiddenFeeds, preferredLayers, stageLayout } from './stage-layout.ts';
import { StageRoster, type StageFeed } from './stage-roster.ts';

const track = {} as MediaStreamTrack;
let next = 0;
function feed(spatialLayers: number, paused = false): StageFeed {
  next += 1;
  return { track, producerId: `p${next}`, consumerId: `c${next}`, paused, spatialLayers };
}

/** A roster of `who` (peer id = name), each with the sources given. */
function stage(who: Record<string, Partial<Record<MediaSource, StageFeed>>>) {
  const roster = new StageRoster();
  for (const [name, feeds] of Object.entries(who))
    for (const [source, f] of Object.entries(feeds)) roster.add({ peerId: name, name }, source as MediaSource, f);
  return roster;
}

describe('StageRoster', () => {
  it('groups tracks by owner in the order they came, and forgets a member with nothing left', () => {
    const annCam = feed(3);
    const bobMic = feed(1);
    const roster = stage({ ann: { camera: annCam }, bob: { microphone: bobMic } });
    const annMic = feed(1);
    roster.add({ peerId: 'ann', name: 'Ann' }, 'microphone', annMic);
    expect(roster.snapshot().map((m) => [m.name, Object.keys(m.feeds)])).toEqual([
      ['Ann', ['camera', 'microphone']],
      ['bob', ['microphone']],
    ]);
    expect(roster.remove(bobMic.producerId)).toBe(bobMic);
    expect(roster.snapshot().map((m) => m.peerId)).toEqual(['ann']);
    expect(roster.remove('unknown')).toBeUndefined();
  });

  it('marks a feed paused with a new member object, and says when nothing changed', () => {
    const cam = feed(3);
    const roster = stage({ ann: { camera: cam } });
    const before = roster.snapshot()[0];
    expect(roster.setPaused(cam.producerId, true)).toBe(true);
    expect(roster.setPaused(cam.producerId, true)).toBe(false);
    const after = roster.snapshot()[0]!;
    expect(after).not.toBe(before);
    expect(after.feeds.camera?.paused).toBe(true);
  });
});

describe('stageLayout', () => {
  it('without a share: a grid of everyone, the speaker named', () => {
    const members = stage({ ann: { camera: feed(3) }, bob: { camera: feed(3) } }).snapshot();
    expect(stageLayout(members, 'bob')).toEqual({ main: null, speaker: 'bob', tiles: ['ann', 'bob'] });
    expect(stageLayout(members, null)).toEqual({ main: null, speaker: null, tiles: ['ann', 'bob'] });
  });

  it("with a share: the share large, the speaker's camera beside it, the rest in a strip", () => {
    const members = stage({
      ann: { camera: feed(3), screen: feed(2) },
      bob: { camera: feed(3) },
      cat: { camera: feed(3) },
    }).snapshot();
    expect(stageLayout(members, 'bob')).toEqual({ main: 'ann', speaker: 'bob', tiles: ['ann', 'cat'] });
    // Nobody heard yet: the sharer's own camera goes beside the share.
    expect(stageLayout(members, null)).toEqual({ main: 'ann', speaker: 'ann', tiles: ['bob', 'cat'] });
  });

  it("keeps the first share main until the host picks another; a paused share or camera doesn't count", () => {
    const members = stage({
      ann: { screen: feed(2, true), camera: feed(3, true) },
      bob: { screen: feed(2) },
      cat: { screen: feed(2), camera: feed(3) },
    }).snapshot();
    expect(stageLayout(members, 'ann').main).toBe('bob');
    // The speaker's camera is off: someone else's camera goes beside the share.
    expect(stageLayout(members, 'ann').speaker).toBe('cat');
    expect(stageLayout(members, 'ann', 'cat').main).toBe('cat');
    expect(stageLayout(members, 'ann', 'ann').main).toBe('bob');
  });
});

describe('preferredLayers', () => {
  it('gives the top layer to the share, a middle one to the speaker beside it, the lowest to the strip', () => {
    const annScreen = feed(2);
    const annCam = feed(3);
    const bobCam = feed(3);
    const catCam = feed(3);
    const members = stage({
      ann: { screen: annScreen, camera: annCam },
      bob: { camera: bobCam },
      cat: { camera: catCam },
    }).snapshot();
    const layers = preferredLayers(members, stageLayout(members, 'bob'));
    expect(Object.fromEntries(layers)).toEqual({
      [annScreen.consumerId]: 1,
      [annCam.consumerId]: 0,
      [bobCam.consumerId]: 1,
      [catCam.consumerId]: 0,
    });
  });

  it('in a small grid: the speaker sharp, the others middle; in a big one, one lower each', () => {
    const small = stage({ ann: { camera: feed(3) }, bob: { camera: feed(3) } }).snapshot();
    const smallLayers = preferredLayers(small, stageLayout(small, 'ann'));
    expect([...smallLayers.values()]).toEqual([2, 1]);
    const big = stage(Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((id) => [id, { camera: feed(3) }]))).snapshot();
    expect([...preferredLayers(big, stageLayout(big, 'c')).values()]).toEqual([0, 0, 1, 0, 0]);
  });

  it('never asks for a layer a video does not have', () => {
    const members = stage({ ann: { camera: feed(1) } }).snapshot();
    expect([...preferredLayers(members, stageLayout(members, 'ann')).values()]).toEqual([0]);
  });
});

describe('hiddenFeeds', () => {
  it('holds back every screen share but the main one, and nothing else', () => {
    const annScreen = feed(2);
    const bobScreen = feed(2);
    const bobScreenAudio = feed(1);
    const bobCam = feed(3);
    const members = stage({
      ann: { screen: annScreen },
      bob: { screen: bobScreen, 'screen-audio': bobScreenAudio, camera: bobCam },
    }).snapshot();
    // The first share is the main one until the host picks another.
    expect(hiddenFeeds(members, stageLayout(members, null))).toEqual(new Set([bobScreen.consumerId]));
    expect(hiddenFeeds(members, stageLayout(members, null, 'bob'))).toEqual(new Set([annScreen.consumerId]));
    const cameras = stage({ ann: { camera: feed(3) } }).snapshot();
    expect(hiddenFeeds(cameras, stageLayout(cameras, null))).toEqual(new Set());
  });
});
