// HLS viewers count in a channel's viewer number, beside its WebRTC viewers: a client that keeps
// asking for the live playlist is watching; one that stopped asking for longer than the window
// (10 s) has left. The Stream row's peak includes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '1000' });
});

afterAll(async () => {
  await platform?.close();
});

describe('HLS viewers', () => {
  it('are counted while they keep asking for the playlist, and in the peak', async () => {
    const channel = await createTestChannel(platform);
    const publisher = await publishOverWhip(platform.url, channel.streamKey);
    try {
      // Two players (told apart by their browsers, on one address) ask for the playlist.
      const ask = async (player: string) => {
        const response = await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`, {
          headers: { 'user-agent': player },
        });
        return response.status;
      };
      const viewers = async () =>
        ((await (await fetch(`${platform.url}/api/v1/channels/${channel.slug}`)).json()) as { viewers: number })
          .viewers;
      await waitFor(async () => (await ask('player-a')) === 200, { timeoutMs: 20_000, what: 'the live playlist' });
      expect(await ask('player-b')).toBe(200);
      expect(await ask('player-a')).toBe(200);
      await waitFor(async () => (await viewers()) === 2, { what: 'two HLS viewers' });

      // Player b stops asking; player a goes on, as a player does every target duration.
      await waitFor(async () => (await ask('player-a')) === 200 && (await viewers()) === 1, {
        timeoutMs: 25_000,
        intervalMs: 1000,
        what: 'player b to be counted out',
      });

      const prisma = platform.database!.prisma;
      const dbChannel = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
      const stream = await prisma.stream.findFirstOrThrow({ where: { channelId: dbChannel.id, state: 'live' } });
      await publisher.stop();
      const ended = await waitFor(
        () => prisma.stream.findFirst({ where: { id: stream.id, state: 'ended' } }).then((s) => s ?? undefined),
        {
          what: 'the stream to end',
        },
      );
      expect(ended.peakViewers).toBe(2);
      expect(await viewers()).toBe(0);
    } finally {
      await publisher.stop().catch(() => undefined);
    }
  }, 60_000);
});
