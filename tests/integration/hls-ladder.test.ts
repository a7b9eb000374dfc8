// The rendition ladder with real FFmpeg: a WHIP publisher (libwebrtc sending 640x360 VP8, so the
// source is encoded too) goes live with HLS_RENDITIONS=240p. The live index.m3u8 becomes a master
// playlist offering the source and 240p; each rendition's playlist and files are served from its
// own folder, the two are cut at the same frames, and a 240p segment really is 240 lines. When the
// stream ends, the VOD is the source alone and the live-only rendition is deleted.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

let platform: TestPlatform;

beforeAll(async () => {
  // One lower rendition: this machine may have two cores.
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '2000', HLS_RENDITIONS: '240p' });
});

afterAll(async () => {
  await platform?.close();
});

/** A playlist the way a player fetches it: undefined while it answers 404. */
async function playlist(urlPath: string): Promise<string | undefined> {
  const response = await fetch(`${platform.url}${urlPath}`);
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/mpegurl/);
  expect(response.headers.get('cache-control')).toMatch(/no-cache/);
  return response.text();
}

/** The EXTINF entries of a media playlist. */
function segmentsOf(text: string): { uri: string; duration: number }[] {
  return [...text.matchAll(/#EXTINF:([\d.]+),\r?\n([^\r\n#]+)/g)].map((m) => ({ duration: Number(m[1]), uri: m[2]! }));
}

/** The variants of a master playlist: their attributes and URI. */
function variantsOf(master: string): { attributes: string; uri: string }[] {
  return [...master.matchAll(/#EXT-X-STREAM-INF:([^\r\n]+)\r?\n([^\r\n#]+)/g)].map((m) => ({
    attributes: m[1]!,
    uri: m[2]!,
  }));
}

/** ffprobe of a rendition's init segment joined with one of its segments, fetched as a player does. */
async function probeSegment(base: string, mediaPlaylist: string, segment: string) {
  const initUri = /#EXT-X-MAP:URI="([^"]+)"/.exec(mediaPlaylist)![1]!;
  const fetchBytes = async (file: string) => {
    const response = await fetch(`${platform.url}${base}/${file}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/immutable/);
    return Buffer.from(await response.arrayBuffer());
  };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-ladder-probe-'));
  try {
    const file = path.join(folder, 'segment.mp4');
    fs.writeFileSync(file, Buffer.concat([await fetchBytes(initUri), await fetchBytes(segment)]));
    const json = execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height', '-of', 'json', file],
      { encoding: 'utf8' },
    );
    const { streams } = JSON.parse(json) as {
      streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
    };
    const video = streams.find((s) => s.codec_type === 'video');
    return {
      codecs: streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(),
      width: video?.width,
      height: video?.height,
    };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

describe('HLS rendition ladder', () => {
  it('offers the source and a 240p rendition in a master playlist, and keeps the VOD to the source', async () => {
    const channel = await createTestChannel(platform);
    const publisher = await publishOverWhip(platform.url, channel.streamKey, { width: 640, height: 360 });
    const hls = `/hls/${channel.slug}`;

    const master = await waitFor(
      async () => {
        const text = await playlist(`${hls}/index.m3u8`);
        return text && variantsOf(text).length === 2 ? text : undefined;
      },
      { timeoutMs: 20_000, what: 'a master playlist with two variants' },
    );
    expect(master.startsWith('#EXTM3U\n')).toBe(true);
    expect(master).not.toContain('#EXTINF');
    const [source, low] = variantsOf(master);
    expect(source!.uri).toBe('source/index.m3u8');
    expect(source!.attributes).toMatch(/^BANDWIDTH=\d+,RESOLUTION=640x360,CODECS="avc1\.6400[0-9a-f]{2},mp4a\.40\.2"$/);
    expect(low!.uri).toBe('240p/index.m3u8');
    expect(low!.attributes).toMatch(/^BANDWIDTH=\d+,RESOLUTION=426x240,CODECS="avc1\.6400[0-9a-f]{2},mp4a\.40\.2"$/);

    // Each rendition's media playlist, from its own folder, once both hold a few segments.
    const [sourceMedia, lowMedia] = await waitFor(
      async () => {
        const texts = await Promise.all([playlist(`${hls}/source/index.m3u8`), playlist(`${hls}/240p/index.m3u8`)]);
        return texts.every((text) => text && segmentsOf(text).length >= 4) ? (texts as string[]) : undefined;
      },
      { timeoutMs: 20_000, what: 'four segments in both renditions' },
    );
    // Cut at the same frames: a segment has the same name and length in both renditions (the
    // live edge of one may be a segment ahead of the other's).
    const lowDurations = new Map(segmentsOf(lowMedia!).map((s) => [s.uri, s.duration]));
    const common = segmentsOf(sourceMedia!).filter((s) => lowDurations.has(s.uri));
    expect(common.length).toBeGreaterThanOrEqual(3);
    for (const segment of common) expect(lowDurations.get(segment.uri)).toBeCloseTo(segment.duration, 2);

    const lowSegment = await probeSegment(`${hls}/240p`, lowMedia!, segmentsOf(lowMedia!)[0]!.uri);
    expect(lowSegment).toEqual({ codecs: ['audio:aac', 'video:h264'], width: 426, height: 240 });
    const sourceSegment = await probeSegment(`${hls}/source`, sourceMedia!, segmentsOf(sourceMedia!)[0]!.uri);
    expect(sourceSegment).toEqual({ codecs: ['audio:aac', 'video:h264'], width: 640, height: 360 });
    // Only renditions this stream has, and only the recorder's files.
    expect((await fetch(`${platform.url}${hls}/480p/index.m3u8`)).status).toBe(404);
    expect((await fetch(`${platform.url}${hls}/240p/run-1.m3u8`)).status).toBe(404);
    expect((await fetch(`${platform.url}${hls}/..%2F240p/index.m3u8`)).status).toBe(404);

    const dbChannel = await platform.database!.prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const stream = await platform.database!.prisma.stream.findFirstOrThrow({
      where: { channelId: dbChannel.id, state: 'live' },
    });
    const recordingDir = path.join(platform.config.recorder.recordingsDir, stream.id);
    expect(fs.existsSync(path.join(recordingDir, '240p', 'run-1.m3u8'))).toBe(true);

    await publisher.stop();
    const vod = await waitFor(
      () => platform.database!.prisma.vod.findUnique({ where: { streamId: stream.id } }).then((v) => v ?? undefined),
      {
        timeoutMs: 30_000,
        what: 'the Vod row',
      },
    );
    const vodPlaylist = await (await fetch(`${platform.url}/vod/${vod.id}/index.m3u8`)).text();
    expect(vodPlaylist).toContain('#EXT-X-ENDLIST');
    expect(vodPlaylist).toMatch(/^seg-1-\d+\.m4s$/m);
    expect(vodPlaylist).not.toContain('240p');
    expect(fs.existsSync(path.join(recordingDir, '240p'))).toBe(false);
    expect((await fetch(`${platform.url}${hls}/240p/index.m3u8`)).status).toBe(404);
  });
});
