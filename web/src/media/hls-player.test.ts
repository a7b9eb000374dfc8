import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HlsPlayer } from './hls-player.ts';
import type { PlayerPhase } from './player.ts';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function channel(live: boolean, viewers = 0) {
  return {
    slug: 'ada',
    live,
    viewers,
    streamId: live ? 'stream-1' : null,
    startedAt: live ? '2026-03-12T18:04:00.000Z' : null,
  };
}

// Without a <video> attached the player never asks for the playlist: these tests cover what it
// makes of the channel API (live, offline, missing), which is all HLS has to tell stream states.
describe('HlsPlayer', () => {
  let reply: () => Response;
  let asked: string[];
  let player: HlsPlayer;
  let phases: PlayerPhase[];

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('window', {});
    asked = [];
    reply = () => json(200, channel(false));
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      return reply();
    });
    player = new HlsPlayer({ channel: 'ada', pollIntervalMs: 5_000 });
    phases = [];
    player.on('status', (status) => phases.push(status.phase));
  });

  afterEach(() => {
    player.close();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('is offline while the channel is not live, and asks again every poll interval', async () => {
    player.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(player.status.phase).toBe('offline');
    expect(player.status.stream).toMatchObject({ channel: 'ada', live: false });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(asked.filter((url) => url === '/api/v1/channels/ada')).toHaveLength(3);
  });

  it('is starting when the channel goes live, with its viewers as the stream status', async () => {
    player.start();
    await vi.advanceTimersByTimeAsync(0);
    reply = () => json(200, channel(true, 7));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(player.status.phase).toBe('starting');
    expect(player.status.stream).toMatchObject({ live: true, viewers: 7, streamId: 'stream-1' });
    expect(phases).toEqual(['offline', 'starting']);
  });

  it('gives up on a channel that does not exist', async () => {
    reply = () => json(404, { status: 404, code: 'not_found', detail: "Channel 'ada' not found" });
    player.start();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(player.status.phase).toBe('error');
    expect(player.status.error?.code).toBe('not_found');
    expect(asked).toHaveLength(1);
  });

  it('keeps connecting while the API does not answer, and closes for good', async () => {
    reply = () => json(503, { status: 503, code: 'unavailable', detail: 'busy' });
    player.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(player.status.phase).toBe('connecting');
    player.close();
    player.close();
    expect(player.status.phase).toBe('closed');
    const before = asked.length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(asked).toHaveLength(before);
  });
});
