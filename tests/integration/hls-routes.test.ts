// The HLS routes over real HTTP: a VOD made of real FFmpeg output (two runs, the composed playlist,
// the MP4 download and the poster) is served with the right types and caching, a live stream's
// files are served while it is live, and nothing but the files the recorder writes can be fetched
// from either folder: no path tricks, no playlists of single runs, no SDP, no temp files. Players
// start from a master playlist that hands each of them a playback id.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { posterArgs, runPlaylistName, vodMp4Args } from '../../recorder/ffmpeg-args.ts';
import { ffmpeg, recordRun } from '../../recorder/fixtures/real-media.ts';
import { composePlaylist, parseRunPlaylist, totalDurationSeconds } from '../../recorder/playlist.ts';
import { createTestChannel, type TestChannel } from '../support/channels.ts';
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

interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
}

async function get(pathname: string): Promise<Reply> {
  const response = await fetch(`${platform.url}${pathname}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** A request whose path is sent as written: fetch would resolve `..` segments before sending. */
function getRaw(rawPath: string): Promise<{ status: number; body: string }> {
  const url = new URL(platform.url);
  return new Promise((resolve, reject) => {
    const request = http.get({ host: url.hostname, port: url.port, path: rawPath, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

function expectProblem(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(reply.body.toString('utf8'))).toMatchObject({ status, code });
}

/** A marker written into every file that must never be served, to show it never leaks. */
const SECRET = 'do-not-serve-9f3a';

/** Names that are in the folder (or reach out of it) but are not media the recorder serves. */
const FORBIDDEN = [
  runPlaylistName(1),
  'input-1.sdp',
  'index.m3u8.tmp',
  'seg-1-00000.m4s.tmp',
  'vod.m3u8',
  'secret.txt',
  encodeURIComponent('../outside.txt'),
  encodeURIComponent('../../../../../../etc/passwd'),
  encodeURIComponent('/etc/passwd'),
];

/** Puts files with the marker where a path trick would find them. */
function plantDecoys(dir: string): void {
  for (const name of ['input-1.sdp', 'index.m3u8.tmp', 'seg-1-00000.m4s.tmp', 'secret.txt']) {
    if (!fs.existsSync(path.join(dir, name))) fs.writeFileSync(path.join(dir, name), SECRET);
  }
  fs.writeFileSync(path.join(dir, '..', 'outside.txt'), SECRET);
}

async function expectNeverServed(prefix: string, dir: string): Promise<void> {
  for (const name of FORBIDDEN) {
    const reply = await get(`${prefix}/${name}`);
    expect({ name, status: reply.status }).toEqual({ name, status: 404 });
    const text = reply.body.toString('utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('root:');
    expect(text).not.toContain('#EXTM3U');
    expect(text).not.toContain('m=video');
  }
  // Sent as written, `..` and all. Their status is checked on its own below; here: nothing leaks.
  for (const raw of rawTricks(prefix)) {
    const reply = await getRaw(raw);
    expect(reply.body).not.toContain(SECRET);
    expect(reply.body).not.toContain('root:');
  }
  expect(fs.readdirSync(dir)).toContain('secret.txt'); // the decoys were really there
}

function rawTricks(prefix: string): string[] {
  return [
    `${prefix}/../outside.txt`,
    `${prefix}/../../../../../../../etc/passwd`,
    `${prefix}/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd`,
  ];
}

/** Segments and init segments a playlist names, in order. */
function urisOf(playlist: string): string[] {
  return playlist.split('\n').flatMap((line) => {
    if (line.startsWith('#EXT-X-MAP:')) return [/URI="([^"]+)"/.exec(line)![1]!];
    return line !== '' && !line.startsWith('#') ? [line] : [];
  });
}

describe('VOD routes', () => {
  let channel: TestChannel;
  let vodId: string;
  let dir: string;

  beforeAll(async () => {
    channel = await createTestChannel(platform);
    const prisma = platform.database!.prisma;
    const { id: channelId } = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const stream = await prisma.stream.create({
      data: {
        channelId,
        state: 'ended',
        title: 'Recorded',
        startedAt: new Date(Date.now() - 10_000),
        endedAt: new Date(),
      },
    });
    // What the recorder leaves for a stream whose FFmpeg was restarted once.
    dir = path.join(platform.config.recorder.recordingsDir, stream.id);
    fs.mkdirSync(dir, { recursive: true });
    await recordRun(dir, { run: 1, video: 'transcode', audio: true, seconds: 3 });
    await recordRun(dir, { run: 2, video: 'transcode', audio: true, seconds: 2 });
    const runs = [1, 2].map((run) =>
      parseRunPlaylist(run, fs.readFileSync(path.join(dir, runPlaylistName(run)), 'utf8')),
    );
    fs.writeFileSync(path.join(dir, 'vod.m3u8'), composePlaylist(runs, { ended: true }));
    await ffmpeg(vodMp4Args(path.join(dir, 'vod.m3u8'), path.join(dir, 'vod.mp4')));
    await ffmpeg(posterArgs(path.join(dir, 'vod.mp4'), 1, path.join(dir, 'poster.jpg')));
    plantDecoys(dir);
    const vod = await prisma.vod.create({
      data: {
        channelId,
        streamId: stream.id,
        durationSeconds: totalDurationSeconds(runs),
        playlistPath: `${stream.id}/vod.m3u8`,
        mp4Path: `${stream.id}/vod.mp4`,
        posterPath: `${stream.id}/poster.jpg`,
      },
    });
    vodId = vod.id;
  });

  it('serves the composed playlist as HLS, not cached as immutable', async () => {
    const reply = await get(`/vod/${vodId}/index.m3u8`);

    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(reply.headers.get('cache-control')).not.toMatch(/immutable/);
    expect(reply.body.toString('utf8')).toBe(fs.readFileSync(path.join(dir, 'vod.m3u8'), 'utf8'));
  });

  it('serves every file the playlist names, byte for byte, cached as immutable', async () => {
    const playlist = (await get(`/vod/${vodId}/index.m3u8`)).body.toString('utf8');
    const uris = urisOf(playlist);
    expect(uris).toEqual(expect.arrayContaining(['init-1.mp4', 'init-2.mp4', 'seg-1-00000.m4s', 'seg-2-00000.m4s']));

    for (const uri of uris) {
      const reply = await get(`/vod/${vodId}/${uri}`);
      const file = fs.readFileSync(path.join(dir, uri));
      expect({ uri, status: reply.status }).toEqual({ uri, status: 200 });
      expect(reply.headers.get('content-type')).toBe(uri.endsWith('.m4s') ? 'video/iso.segment' : 'video/mp4');
      expect(reply.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(reply.headers.get('content-length')).toBe(String(file.length));
      expect(reply.body.equals(file)).toBe(true);
    }
  });

  it('serves the MP4 as a download and the poster as a JPEG', async () => {
    const mp4 = await get(`/vod/${vodId}/vod.mp4`);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    expect(mp4.headers.get('content-disposition')).toBe(`attachment; filename="${vodId}.mp4"`);
    expect(mp4.body.equals(fs.readFileSync(path.join(dir, 'vod.mp4')))).toBe(true);

    const poster = await get(`/vod/${vodId}/poster.jpg`);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    expect(poster.headers.get('content-disposition')).toBeNull();
    expect(poster.body.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
  });

  it('serves nothing else from the folder or outside it', async () => {
    await expectNeverServed(`/vod/${vodId}`, dir);
  });

  it('answers every other path under /vod/ with a 404 problem, not with the web app', async () => {
    for (const raw of [...rawTricks(`/vod/${vodId}`), `/vod/${vodId}/index`]) {
      const reply = await getRaw(raw);
      expect({ raw, status: reply.status }).toEqual({ raw, status: 404 });
    }
    // /vod/<id> itself is the web app's VOD page.
    const page = await get(`/vod/${vodId}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // As under /hls/, which the server owns the same way.
    for (const raw of [...rawTricks('/hls/nobody-here'), '/hls/nobody-here']) {
      const reply = await getRaw(raw);
      expect({ raw, status: reply.status }).toEqual({ raw, status: 404 });
    }
  });

  it('answers 404 for an unknown VOD, and for a file name that matches but does not exist', async () => {
    const unknown = randomUUID();
    expectProblem(await get(`/vod/${unknown}/index.m3u8`), 404, 'not_found');
    expectProblem(await get(`/vod/${unknown}/seg-1-00000.m4s`), 404, 'not_found');
    expectProblem(await get(`/vod/${vodId}/seg-9-00000.m4s`), 404, 'not_found');
  });

  it('answers 404 for an id that is not a UUID', async () => {
    expectProblem(await get('/vod/not-a-uuid/index.m3u8'), 404, 'not_found');
    expectProblem(await get('/vod/not-a-uuid/vod.mp4'), 404, 'not_found');
    // 36 characters of the right alphabet are still not a UUID.
    const lookalike = '-'.repeat(36);
    expectProblem(await get(`/vod/${lookalike}/index.m3u8`), 404, 'not_found');
    expectProblem(await get(`/vod/${lookalike}/vod.mp4`), 404, 'not_found');
  });

  it('answers 404, not 500, for a VOD whose playlist file is gone', async () => {
    const prisma = platform.database!.prisma;
    const { id: channelId } = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const stream = await prisma.stream.create({ data: { channelId, state: 'ended' } });
    const gone = await prisma.vod.create({
      data: {
        channelId,
        streamId: stream.id,
        durationSeconds: 1,
        playlistPath: `${stream.id}/vod.m3u8`,
        mp4Path: null,
        posterPath: null,
      },
    });

    expectProblem(await get(`/vod/${gone.id}/index.m3u8`), 404, 'not_found');
    expectProblem(await get(`/vod/${gone.id}/vod.mp4`), 404, 'not_found');
  });
});

describe('live HLS routes', () => {
  it('answers 404 not_live for a channel that is not live, and not_found for no channel', async () => {
    const channel = await createTestChannel(platform);
    expectProblem(await get(`/hls/${channel.slug}/index.m3u8`), 404, 'not_live');
    expectProblem(await get(`/hls/${channel.slug}/master.m3u8`), 404, 'not_live');
    expectProblem(await get(`/hls/${channel.slug}/init-1.mp4`), 404, 'not_found');
    expectProblem(await get('/hls/nobody-here/index.m3u8'), 404, 'not_found');
    expectProblem(await get('/hls/nobody-here/master.m3u8'), 404, 'not_found');
  });

  it(
    'hands players a master playlist whose variant carries a new playback id each time',
    { timeout: 60_000 },
    async () => {
      const channel = await createTestChannel(platform);
      const publisher = await publishOverWhip(platform.url, channel.streamKey, { width: 320, height: 240 });
      try {
        const master = `/hls/${channel.slug}/master.m3u8`;
        const first = await waitFor(
          async () => {
            const reply = await get(master);
            return reply.status === 200 ? reply : undefined;
          },
          { timeoutMs: 45_000, what: 'a master playlist' },
        );
        expect(first.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
        // Each reply names a playback of its own: no cache may hand it to someone else.
        expect(first.headers.get('cache-control')).toBe('no-cache, no-store');
        const lines = first.body.toString('utf8').split('\n');
        // Without a ladder, the source alone.
        expect(lines.filter((line) => line.startsWith('#EXT-X-STREAM-INF:'))).toEqual([
          expect.stringMatching(
            /^#EXT-X-STREAM-INF:BANDWIDTH=\d+,RESOLUTION=320x240,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"$/,
          ),
        ]);
        const variants = (text: string) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
        const [variant] = variants(lines.join('\n'));
        expect(variant).toMatch(/^source\/index\.m3u8\?pb=[\w-]+\.[\w-]+\.[\w-]+$/);
        const [again] = variants((await get(master)).body.toString('utf8'));
        expect(again).not.toBe(variant);

        // The variant is the source's live playlist; its files are under source/, without the id.
        const media = await get(`/hls/${channel.slug}/${variant}`);
        expect(media.status).toBe(200);
        expect(media.headers.get('cache-control')).toBe('no-cache, no-store');
        const uris = urisOf(media.body.toString('utf8'));
        expect(uris.length).toBeGreaterThanOrEqual(2);
        for (const uri of uris) {
          expect(uri).toMatch(/^(init-\d+\.mp4|seg-\d+-\d+\.m4s)$/);
          expect({ uri, status: (await get(`/hls/${channel.slug}/source/${uri}`)).status }).toEqual({
            uri,
            status: 200,
          });
        }
      } finally {
        await publisher.stop();
      }
    },
  );

  it("serves a live channel's segments and nothing else from its folder", { timeout: 60_000 }, async () => {
    const channel = await createTestChannel(platform);
    const publisher = await publishOverWhip(platform.url, channel.streamKey, { width: 320, height: 240 });
    try {
      const playlist = await waitFor(
        async () => {
          const reply = await get(`/hls/${channel.slug}/index.m3u8`);
          const text = reply.status === 200 ? reply.body.toString('utf8') : '';
          return text.includes('.m4s') ? text : undefined;
        },
        { timeoutMs: 45_000, what: 'a live playlist with a segment' },
      );
      const prisma = platform.database!.prisma;
      const { id: channelId } = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
      const stream = await prisma.stream.findFirstOrThrow({ where: { channelId, state: 'live' } });
      const dir = path.join(platform.config.recorder.recordingsDir, stream.id);

      const uris = urisOf(playlist);
      expect(uris.length).toBeGreaterThanOrEqual(2);
      for (const uri of uris) {
        const reply = await get(`/hls/${channel.slug}/${uri}`);
        expect({ uri, status: reply.status }).toEqual({ uri, status: 200 });
        expect(reply.headers.get('content-type')).toBe(uri.endsWith('.m4s') ? 'video/iso.segment' : 'video/mp4');
        expect(reply.headers.get('cache-control')).toMatch(/immutable/);
        expect(reply.headers.get('content-length')).toBe(String(fs.statSync(path.join(dir, uri)).size));
      }

      plantDecoys(dir);
      expect(fs.readdirSync(dir)).toContain(runPlaylistName(1));
      await expectNeverServed(`/hls/${channel.slug}`, dir);
    } finally {
      await publisher.stop();
    }
  });
});
