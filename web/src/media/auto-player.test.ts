import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AutoPlayer, type PlaybackFailure } from './auto-player.ts';
import { Emitter } from './emitter.ts';
import type { PlaybackVia, RenditionPick } from './playback-client.ts';
import type { PlayerPhase, PlayerStatus } from './player.ts';
import type { PlayerStats } from './stats.ts';

function status(phase: PlayerPhase, error: PlayerStatus['error'] = null): PlayerStatus {
  return { phase, stream: null, error, soundBlocked: false, videoPaused: false };
}

class FakeClient extends Emitter<{
  status: [status: PlayerStatus];
  failure: [error: PlaybackFailure, willRetry: boolean];
}> {
  status = status('connecting');
  arrived = false;
  started = false;
  closed = false;
  attached: HTMLVideoElement | null = null;
  picked: RenditionPick | null = null;

  constructor(readonly via: PlaybackVia) {
    super();
  }

  set(phase: PlayerPhase, error: PlayerStatus['error'] = null): void {
    this.status = status(phase, error);
    this.emit('status', this.status);
  }

  fail(code: string, willRetry: boolean): void {
    this.emit('failure', { code, message: code }, willRetry);
  }

  start(): void {
    this.started = true;
  }
  attach(video: HTMLVideoElement): void {
    this.attached = video;
  }
  detach(): void {
    this.attached = null;
  }
  async unmute(): Promise<void> {}
  mute(): void {}
  stats(): Promise<PlayerStats> {
    return Promise.reject(new Error('not used'));
  }
  pickRendition(pick: RenditionPick): void {
    this.picked = pick;
  }
  async mediaArrived(): Promise<boolean> {
    return this.arrived;
  }
  close(): void {
    this.closed = true;
    this.set('closed');
  }
}

describe('AutoPlayer', () => {
  let webrtc: FakeClient;
  let hls: FakeClient;
  let player: AutoPlayer;
  let fallbacks: PlaybackFailure[];
  const video = {} as HTMLVideoElement;

  beforeEach(() => {
    vi.useFakeTimers();
    webrtc = new FakeClient('webrtc');
    hls = new FakeClient('hls');
    fallbacks = [];
    player = new AutoPlayer({ webrtc: () => webrtc, hls: () => hls, deadlineMs: 5_000, checkIntervalMs: 500 });
    player.on('fallback', (reason) => fallbacks.push(reason));
    player.attach(video);
    player.start();
  });

  afterEach(() => {
    player.close();
    vi.useRealTimers();
  });

  it('stays on WebRTC when media arrives in time, and keeps it through later trouble', async () => {
    webrtc.set('live');
    await vi.advanceTimersByTimeAsync(2_000);
    webrtc.arrived = true;
    await vi.advanceTimersByTimeAsync(1_000);
    webrtc.set('reconnecting');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(player.via).toBe('webrtc');
    expect(hls.started).toBe(false);
    expect(webrtc.closed).toBe(false);
  });

  it('falls back to HLS when no media arrives within the deadline of a live stream', async () => {
    const seen: PlayerPhase[] = [];
    player.on('status', (s) => seen.push(s.phase));
    webrtc.set('starting');
    webrtc.set('live');
    await vi.advanceTimersByTimeAsync(4_400);
    expect(player.via).toBe('webrtc');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(player.via).toBe('hls');
    expect(fallbacks.map((f) => f.code)).toEqual(['timeout']);
    expect(webrtc.closed).toBe(true);
    expect(hls.started).toBe(true);
    expect(hls.attached).toBe(video);
    // The closing WebRTC player's own 'closed' never reaches the page.
    expect(seen).not.toContain('closed');
    hls.set('live');
    expect(player.status.phase).toBe('live');
  });

  it('falls back when signaling never connects', async () => {
    await vi.advanceTimersByTimeAsync(5_500);
    expect(player.via).toBe('hls');
  });

  it('does not count time while the channel is offline, and starts counting when it goes live', async () => {
    webrtc.set('offline');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(player.via).toBe('webrtc');
    webrtc.set('starting');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(player.via).toBe('webrtc');
    await vi.advanceTimersByTimeAsync(2_500);
    expect(player.via).toBe('hls');
  });

  it('falls back at once when the seats are full', () => {
    webrtc.fail('unavailable', true);
    expect(player.via).toBe('hls');
    expect(fallbacks.map((f) => f.code)).toEqual(['unavailable']);
  });

  it('hands the rendition the viewer picked to the HLS player it falls back to', () => {
    player.pickRendition(240);
    expect(webrtc.picked).toBe(240);
    webrtc.fail('unavailable', true);
    expect(hls.picked).toBe(240);
    player.pickRendition('auto');
    expect(hls.picked).toBe('auto');
  });

  it('falls back at once when WebRTC gives up, but not for a missing channel', () => {
    webrtc.set('error', { code: 'closed', message: 'no media signaling' });
    expect(player.via).toBe('hls');

    const other = new FakeClient('webrtc');
    const auto = new AutoPlayer({ webrtc: () => other, hls: () => new FakeClient('hls') });
    auto.start();
    other.set('error', { code: 'not_found', message: 'no such channel' });
    expect(auto.via).toBe('webrtc');
    expect(auto.status.phase).toBe('error');
    auto.close();
  });

  it('ignores retried failures other than full seats', async () => {
    webrtc.fail('timeout', true);
    webrtc.set('offline');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(player.via).toBe('webrtc');
  });

  it('falls back only once and closes whichever player plays', async () => {
    webrtc.fail('unavailable', true);
    webrtc.set('error', { code: 'closed', message: 'x' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fallbacks).toHaveLength(1);
    player.close();
    expect(hls.closed).toBe(true);
    expect(player.status.phase).toBe('closed');
  });
});
