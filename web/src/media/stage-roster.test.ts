import { describe, expect, it } from 'vitest';
import { StageRoster, type StageFeed } from './stage-roster.ts';

const feed = (producerId: string, paused = false): StageFeed => ({
  track: {} as MediaStreamTrack,
  producerId,
  consumerId: `c-${producerId}`,
  paused,
  spatialLayers: 1,
});
const ada = { peerId: 'p1', name: 'Ada' };

describe('StageRoster network quality', () => {
  it('is the worst score of what a member sends now, scores that came first included, and none before any', () => {
    const roster = new StageRoster();
    // The score of a producer not consumed yet is kept for when it is.
    expect(roster.setScore('mic', 9)).toBe(false);
    roster.add(ada, 'camera', feed('cam'));
    expect(roster.snapshot()[0]!.quality).toBeNull();
    roster.add(ada, 'microphone', feed('mic'));
    expect(roster.snapshot()[0]!.quality).toBe(9);
    expect(roster.setScore('cam', 4)).toBe(true);
    expect(roster.snapshot()[0]!.quality).toBe(4);
    expect(roster.setScore('cam', 4)).toBe(false);
    // A camera turned off sends nothing: its score doesn't count.
    roster.setPaused('cam', true);
    expect(roster.snapshot()[0]!.quality).toBe(9);
    roster.remove('mic');
    expect(roster.snapshot()[0]!.quality).toBeNull();
  });
});
