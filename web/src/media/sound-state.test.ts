import { describe, expect, it } from 'vitest';
import type { Log } from './log.ts';
import { SoundState } from './sound-state.ts';

const log: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Just what SoundState touches of a <video>: `muted` and a `play()` that may be refused. */
function fakeVideo(playAllowed: boolean) {
  return {
    muted: true,
    play: () => (playAllowed ? Promise.resolve() : Promise.reject(new Error('NotAllowedError'))),
  } as unknown as HTMLVideoElement;
}

describe('SoundState', () => {
  it('offers the sound when the browser, not the viewer, muted the stream', () => {
    const sound = new SoundState(log);
    sound.afterAutoplay('muted');
    expect(sound.blocked).toBe(true);
    sound.afterAutoplay('sound');
    expect(sound.blocked).toBe(false);
  });

  it('does not offer the sound the viewer turned off', () => {
    const sound = new SoundState(log);
    const video = fakeVideo(true);
    video.muted = false;
    sound.mute(video);
    expect(video.muted).toBe(true);
    sound.afterAutoplay('muted');
    expect(sound.blocked).toBe(false);
  });

  it('unmutes when the browser allows it, and stays muted and blocked when it refuses', async () => {
    const allowed = new SoundState(log);
    const video = fakeVideo(true);
    await allowed.unmute(video);
    expect([video.muted, allowed.blocked]).toEqual([false, false]);

    const refused = new SoundState(log);
    const other = fakeVideo(false);
    await refused.unmute(other);
    expect([other.muted, refused.blocked]).toEqual([true, true]);
  });
});
