// Recordings in S3 with real FFmpeg and a real S3 HTTP server on loopback (s3rver behind a
// SigV4-checking front, tests/support/s3-server.ts): a live stream ends, its VOD's files go to the
// bucket and leave the recordings folder; the VOD is served from the bucket; clips (live and from
// the VOD's bucket copy) are stored there too; retention deletes the VOD from the bucket and keeps
// the clips. A platform started with a wrong secret stops with what to fix.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVodRepository } from '../../api/vods/vod-repository.ts';
import { applyRetention } from '../../recorder/retention.ts';
import { S3Client } from '../../recorder/storage/s3-client.ts';
import { S3RecordingStore } from '../../recorder/storage/s3-store.ts';
import { signUp, type TestUser } from '../support/api-client.ts';
import { expectByteRanges } from '../support/byte-ranges.ts';
import { createTestChannel } from '../support/channels.ts';
import { testLogger } from '../support/logger.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

let s3: S3TestServer;
let platform: TestPlatform;
/** Clips are made by signed-in users. */
let clipper: TestUser;
let bucket: S3Client;

beforeAll(async () => {
  s3 = await startS3Server();
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '2000', CLIP_RATE_LIMIT_PER_MINUTE: '1000', ...s3.env() });
  clipper = await signUp(platform.url, 'clipper');
  bucket = new S3Client({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  });
});

afterAll(async () => {
  await platform?.close();
  await s3?.close();
});

/** A POST as the signed-in clipper's browser sends it (session cookie, this site's Origin). */
function postJson(urlPath: string, body: unknown): Promise<Response> {
  return fetch(`${platform.url}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: platform.url, cookie: clipper.client.cookie! },
    body: JSON.stringify(body),
  });
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await bucket.list(prefix)).map((entry) => entry.key.slice(prefix.length)).sort();
}

function probeDuration(file: string): number {
  return Number(
    execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file], {
      encoding: 'utf8',
    }),
  );
}

describe('recordings in S3', () => {
  it('stores the VOD and clips in the bucket, serves them from there, and retention deletes the VOD from it', async () => {
    const channel = await createTestChannel(platform);
    const publisher = await publishOverWhip(platform.url, channel.streamKey);
    const livePlaylist = async () => {
      const response = await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`);
      return response.status === 200 ? response.text() : '';
    };
    await waitFor(async () => (await livePlaylist()).split('\n').filter((line) => line.endsWith('.m4s')).length >= 6, {
      timeoutMs: 30_000,
      what: 'six live segments',
    });
    const prisma = platform.database!.prisma;
    const { id: channelId } = await prisma.channel.findUniqueOrThrow({ where: { slug: channel.slug } });
    const stream = await prisma.stream.findFirstOrThrow({ where: { channelId, state: 'live' } });
    const recordingDir = path.join(platform.config.recorder.recordingsDir, stream.id);

    // A live clip goes to the bucket before the API answers.
    const liveClip = await postJson(`/api/v1/channels/${channel.slug}/clips`, { seconds: 3 });
    expect(liveClip.status).toBe(201);
    const clip = (await liveClip.json()) as { id: string; videoUrl: string; posterUrl: string | null };
    expect(await keysUnder(`clips/${clip.id}`)).toEqual(['.jpg', '.mp4']);
    expect(fs.existsSync(path.join(platform.config.recorder.recordingsDir, 'clips', `${clip.id}.mp4`))).toBe(false);
    // Live HLS stays on local disk.
    expect(fs.existsSync(path.join(recordingDir, 'run-1.m3u8'))).toBe(true);

    await publisher.stop();
    const vod = await waitFor(
      () => prisma.vod.findUnique({ where: { streamId: stream.id } }).then((v) => v ?? undefined),
      { timeoutMs: 30_000, what: 'the Vod row' },
    );
    await waitFor(() => !fs.existsSync(recordingDir), {
      timeoutMs: 30_000,
      what: 'the VOD to leave the recordings folder',
    });
    const stored = await keysUnder(`${stream.id}/`);
    expect(stored).toEqual(expect.arrayContaining(['vod.m3u8', 'vod.mp4', 'poster.jpg', 'run-1.m3u8', 'init-1.mp4']));
    expect(stored.filter((key) => key.endsWith('.m4s')).length).toBeGreaterThanOrEqual(6);

    // Served from the bucket, with the types and caching the routes always gave.
    const playlist = await fetch(`${platform.url}/vod/${vod.id}/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toMatch(/mpegurl/);
    const playlistText = await playlist.text();
    expect(playlistText).toContain('#EXT-X-ENDLIST');
    const firstSegment = playlistText.split('\n').find((line) => line.endsWith('.m4s'))!;
    const segment = await fetch(`${platform.url}/vod/${vod.id}/${firstSegment}`);
    expect(segment.status).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/iso.segment');
    expect(segment.headers.get('cache-control')).toMatch(/immutable/);
    expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const mp4 = await fetch(`${platform.url}/vod/${vod.id}/vod.mp4`);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    expect(mp4.headers.get('content-disposition')).toBe(`attachment; filename="${vod.id}.mp4"`);
    expect(mp4.headers.get('accept-ranges')).toBe('bytes');
    const mp4Bytes = Buffer.from(await mp4.arrayBuffer());
    // Streamed from the bucket, ranges and all (S3 answers the same Range header).
    await expectByteRanges(`${platform.url}/vod/${vod.id}/vod.mp4`, mp4Bytes);
    const downloaded = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-s3-vod-')), 'vod.mp4');
    fs.writeFileSync(downloaded, mp4Bytes);
    expect(Math.abs(probeDuration(downloaded) - vod.durationSeconds)).toBeLessThan(0.5);
    fs.rmSync(path.dirname(downloaded), { recursive: true, force: true });
    expect((await fetch(`${platform.url}/vod/${vod.id}/poster.jpg`)).headers.get('content-type')).toBe('image/jpeg');

    // A clip of the VOD is cut from the bucket's copy (the folder is gone) and stored there too.
    const vodClip = await postJson(`/api/v1/vods/${vod.id}/clips`, { startSeconds: 1, endSeconds: 4 });
    expect(vodClip.status).toBe(201);
    const fromVod = (await vodClip.json()) as { id: string; durationSeconds: number; videoUrl: string };
    expect(Math.abs(fromVod.durationSeconds - 3)).toBeLessThanOrEqual(1);
    expect(await keysUnder(`clips/${fromVod.id}`)).toEqual(['.jpg', '.mp4']);
    const clipFile = await fetch(`${platform.url}${fromVod.videoUrl}`);
    expect(clipFile.status).toBe(200);
    expect(clipFile.headers.get('content-type')).toBe('video/mp4');
    expect(clipFile.headers.get('cache-control')).toMatch(/immutable/);
    expect((await clipFile.arrayBuffer()).byteLength).toBeGreaterThan(10_000);

    // Retention deletes the VOD from the bucket; the clips stay.
    const store = new S3RecordingStore(
      bucket,
      { recordingsDir: platform.config.recorder.recordingsDir, publicUrl: undefined },
      testLogger,
    );
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
    const result = await applyRetention(
      createVodRepository(prisma),
      store,
      { maxAgeDays: 1, maxBytes: 0 },
      testLogger,
      inTwoDays,
    );
    expect(result.deleted).toContain(vod.id);
    expect(result.bytesFreed).toBeGreaterThan(10_000);
    expect(await keysUnder(`${stream.id}/`)).toEqual([]);
    expect((await fetch(`${platform.url}/vod/${vod.id}/index.m3u8`)).status).toBe(404);
    expect(await keysUnder(`clips/${fromVod.id}`)).toEqual(['.jpg', '.mp4']);
    expect((await fetch(`${platform.url}${clip.videoUrl}`)).status).toBe(200);
  });

  it('refuses to start with a wrong secret, naming the setting to fix', async () => {
    await expect(
      startTestPlatform({ ROLES: 'sfu,signaling,recorder', ...s3.env(), S3_SECRET_ACCESS_KEY: 'wrong-secret' }),
    ).rejects.toThrow(/SignatureDoesNotMatch.*S3_SECRET_ACCESS_KEY/);
  });
});
