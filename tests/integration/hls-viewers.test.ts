// HLS viewers count in a channel's viewer number, beside its WebRTC viewers. A viewer is a
// playback: a player that fetched the master playlist (/hls/<channel>/master.m3u8), which hands
// it a signed playback id in the URIs of its variant playlists, and keeps asking for one of them
// with it. One that stopped asking for longer than the window (10 s) has left; one address counts
// at most 5 playbacks; a playlist asked for without a valid id is served but not counted. The
// Stream row's peak includes them. The platform trusts X-Forwarded-For (TRUST_PROXY), so a test
// can speak from several addresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip, type WhipPublication } from '../support/whip-publisher.ts';

/** Playbacks counted per address (recorder/hls-audience.ts). */
const PER_ADDRESS = 5;

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '1000', TRUST_PROXY: 'true' });
});

afterAll(async () => {
  await platform?.close();
});

interface Client {
  /** X-Forwarded-For; the loopback address without it. */
  address?: string;
  userAgent?: string;
}

function headersOf(client: Client): Record<string, string> {
  return {
    ...(client.address ? { 'x-forwarded-for': client.address } : {}),
    ...(client.userAgent ? { 'user-agent': client.userAgent } : {}),
  };
}

async function fetchAs(url: string, client: Client): Promise<Response> {
  const response = await fetch(url, { headers: headersOf(client), signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

interface Playback {
  /** The media playlist the player reloads, with its playback id. */
  url: string;
  /** What a player does every target duration. */
  reload(): Promise<string>;
}

/** Does what a player does: reads the master playlist and plays its first variant. */
async function play(slug: string, client: Client = {}): Promise<Playback> {
  const playback = await tryPlay(slug, client);
  if (!playback) throw new Error(`/hls/${slug}/master.m3u8: HTTP 404`);
  return playback;
}

/** play(), or undefined where there is no master playlist to play. */
async function tryPlay(slug: string, client: Client): Promise<Playback | undefined> {
  const master = `${platform.url}/hls/${slug}/master.m3u8`;
  const response = await fetch(master, { headers: headersOf(client), signal: AbortSignal.timeout(10_000) });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${master}: HTTP ${response.status}`);
  const text = await response.text();
  const variant = text.split('\n').find((line) => line !== '' && !line.startsWith('#'));
  if (!variant) throw new Error(`no variant in ${text}`);
  const url = new URL(variant, master).href;
  const reload = async () => (await fetchAs(url, client)).text();
  await reload();
  return { url, reload };
}

async function viewers(slug: string): Promise<number> {
  const response = await fetch(`${platform.url}/api/v1/channels/${slug}`);
  return ((await response.json()) as { viewers: number }).viewers;
}

async function liveStream(slug: string) {
  const prisma = platform.database!.prisma;
  const channel = await prisma.channel.findUniqueOrThrow({ where: { slug } });
  return prisma.stream.findFirstOrThrow({ where: { channelId: channel.id, state: 'live' } });
}

/**
 * Waits for the stored count to be `expected` while the given playbacks keep reloading as players
 * do. Counts are written at most once a second with the latest number, so the Stream row's peak
 * (the highest number ever written) shows whether it was ever more.
 */
async function settlesAt(slug: string, expected: number, playbacks: readonly Playback[]): Promise<void> {
  let last = -1;
  await waitFor(
    async () => {
      for (const playback of playbacks) await playback.reload();
      last = await viewers(slug);
      return last === expected;
    },
    { timeoutMs: 15_000, intervalMs: 500, what: `${expected} viewers` },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last seen ${last}`);
  });
}

async function goLive(): Promise<{ slug: string; publisher: WhipPublication }> {
  const channel = await createTestChannel(platform);
  const publisher = await publishOverWhip(platform.url, channel.streamKey, { width: 320, height: 240 });
  await waitFor(async () => (await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`)).status === 200, {
    timeoutMs: 30_000,
    what: 'the live playlist',
  });
  return { slug: channel.slug, publisher };
}

describe('HLS viewers', () => {
  it('are the playbacks that keep asking for their playlist, and count in the peak', async () => {
    const { slug, publisher } = await goLive();
    try {
      // Two players behind one address with the same browser are two playbacks; a third elsewhere.
      const a = await play(slug, { userAgent: 'player' });
      const b = await play(slug, { userAgent: 'player' });
      const c = await play(slug, { address: '198.51.100.7', userAgent: 'player' });
      expect(new Set([a.url, b.url, c.url]).size).toBe(3);
      await settlesAt(slug, 3, [a, b, c]);

      // Player b stops asking; the others go on, as a player does every target duration.
      await waitFor(
        async () => {
          await a.reload();
          await c.reload();
          return (await viewers(slug)) === 2;
        },
        { timeoutMs: 25_000, intervalMs: 1000, what: 'player b to be counted out' },
      );

      const stream = await liveStream(slug);
      await publisher.stop();
      const prisma = platform.database!.prisma;
      const ended = await waitFor(
        () => prisma.stream.findFirst({ where: { id: stream.id, state: 'ended' } }).then((s) => s ?? undefined),
        { what: 'the stream to end' },
      );
      expect(ended.peakViewers).toBe(3);
      expect(await viewers(slug)).toBe(0);
    } finally {
      await publisher.stop().catch(() => undefined);
    }
  }, 90_000);

  it(`are at most ${PER_ADDRESS} per address, whatever User-Agents it sends`, async () => {
    const { slug, publisher } = await goLive();
    try {
      const attacker = '203.0.113.5';
      const attempts: Playback[] = [];
      for (let i = 0; i < 60; i++) {
        const client = { address: attacker, userAgent: `Mozilla/5.0 (attempt ${i})` };
        // The playlist each User-Agent was counted by before playback ids, asked for again and
        // again, and a whole playback.
        const index = `${platform.url}/hls/${slug}/index.m3u8`;
        attempts.push({ url: index, reload: async () => (await fetchAs(index, client)).text() });
        await attempts.at(-1)!.reload();
        const playback = await tryPlay(slug, client);
        if (playback) attempts.push(playback);
      }
      // Only the first few playbacks count, though every one of them is served.
      await settlesAt(slug, PER_ADDRESS, attempts);
      expect(attempts).toHaveLength(120);
      // Another address has playbacks of its own.
      const other = await play(slug, { address: '198.51.100.8' });
      await settlesAt(slug, PER_ADDRESS + 1, [...attempts, other]);
      expect((await liveStream(slug)).peakViewers).toBe(PER_ADDRESS + 1);
    } finally {
      await publisher.stop();
    }
  }, 90_000);

  it('do not include playlists asked for with a made-up or altered playback id', async () => {
    const { slug, publisher } = await goLive();
    try {
      const real = await play(slug);
      const url = new URL(real.url);
      const id = url.searchParams.get('pb');
      expect(id).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const [random, address, mac] = id!.split('.') as [string, string, string];
      const flip = (part: string) => `${part.slice(0, -1)}${part.endsWith('A') ? 'B' : 'A'}`;
      const forgeries = [
        `${flip(random)}.${address}.${mac}`,
        `${random}.${flip(address)}.${mac}`,
        `${random}.${address}.${flip(mac)}`,
        'made-up',
        '',
      ];
      const forged = forgeries.map((pb, i): Playback => {
        const forgedUrl = new URL(url);
        forgedUrl.searchParams.set('pb', pb);
        const client = { address: `192.0.2.${i + 1}`, userAgent: `forger ${i}` };
        return { url: forgedUrl.href, reload: async () => (await fetchAs(forgedUrl.href, client)).text() };
      });
      // Served like any playlist, but only the real playback counts.
      for (const playback of forged) expect(await playback.reload()).toContain('#EXTINF');
      await settlesAt(slug, 1, [real, ...forged]);
      expect((await liveStream(slug)).peakViewers).toBe(1);
    } finally {
      await publisher.stop();
    }
  }, 90_000);
});
