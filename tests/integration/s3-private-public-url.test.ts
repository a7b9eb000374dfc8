// With S3_PUBLIC_URL set (a CDN or public bucket in front of the recordings), a public channel's
// VOD and clip files answer with a redirect there; a private channel's must not, since the public
// address checks no token: they are streamed through the platform, which checks it, with
// Cache-Control: private so that no shared cache keeps them for others. Real FFmpeg and a real
// S3 server on loopback (tests/support/s3-server.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Client } from '../../recorder/storage/s3-client.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { createTestChannel, OWNER_PASSWORD, type TestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

/** Where the CDN would be: nothing answers there, and nothing here fetches from it. */
const PUBLIC_URL = 'https://cdn.example.test/recordings';

let s3: S3TestServer;
let platform: TestPlatform;
let channel: TestChannel;
let owner: ApiClient;
let clipper: TestUser;
let bucket: S3Client;

beforeAll(async () => {
  s3 = await startS3Server();
  platform = await startTestPlatform({
    STREAM_END_GRACE_MS: '1000',
    CLIP_RATE_LIMIT_PER_MINUTE: '1000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    ...s3.env(),
    S3_PUBLIC_URL: PUBLIC_URL,
  });
  channel = await createTestChannel(platform);
  owner = new ApiClient(platform.url);
  expect((await owner.post('/api/v1/auth/login', { login: channel.ownerEmail, password: OWNER_PASSWORD })).status).toBe(
    200,
  );
  clipper = await signUp(platform.url, 'clipper');
  bucket = new S3Client({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  });
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await s3?.close();
});

/** GET without following redirects, as a test must to see one. */
function get(urlPath: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${platform.url}${urlPath}`, { redirect: 'manual', headers });
}

describe('a private channel with S3_PUBLIC_URL set', () => {
  it('streams its VOD and clip files with Cache-Control: private instead of redirecting to the public URL', async () => {
    // A stream of the (still public) channel, with a live clip, becomes a VOD in the bucket.
    const publisher = await publishOverWhip(platform.url, channel.streamKey);
    await waitFor(
      async () =>
        ((await (await fetch(`${platform.url}/hls/${channel.slug}/index.m3u8`)).text()).match(/\.m4s/g) ?? []).length >=
        4,
      { timeoutMs: 30_000, what: 'four live segments' },
    );
    const clipped = await fetch(`${platform.url}/api/v1/channels/${channel.slug}/clips`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: platform.url, cookie: clipper.client.cookie! },
      body: JSON.stringify({ seconds: 2 }),
    });
    expect(clipped.status).toBe(201);
    const clip = (await clipped.json()) as { id: string; videoUrl: string };
    await publisher.stop();
    const prisma = platform.database!.prisma;
    const vod = await waitFor(
      () => prisma.vod.findFirst({ where: { channel: { slug: channel.slug } } }).then((v) => v ?? undefined),
      { timeoutMs: 60_000, what: 'the Vod row' },
    );
    const segment = await waitFor(
      async () => {
        const stored = await bucket.list(`${vod.streamId}/`);
        // Stored once the folder's last file (the download) is in the bucket.
        if (!stored.some((entry) => entry.key.endsWith('/vod.mp4'))) return undefined;
        return stored.map((entry) => entry.key.split('/').at(-1)!).find((name) => name.endsWith('.m4s'));
      },
      { timeoutMs: 60_000, what: "the VOD's files in the bucket" },
    );

    // Public: the files are the CDN's to serve.
    const redirected = await get(`/vod/${vod.id}/${segment}`);
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe(`${PUBLIC_URL}/${vod.streamId}/${segment}`);
    expect((await get(clip.videoUrl)).headers.get('location')).toMatch(new RegExp(`^${PUBLIC_URL}/clips/`));

    // Made private, with a viewer link for a guest.
    expect((await owner.patch(`/api/v1/channels/${channel.slug}`, { private: true })).body.private).toBe(true);
    const link = (await owner.post(`/api/v1/channels/${channel.slug}/viewer-tokens`, { label: 'guest' })).body as {
      token: string;
    };
    // The guard keeps a channel's privacy a few seconds: wait for strangers to be refused.
    await waitFor(async () => (await get(`/vod/${vod.id}/${segment}`)).status === 403, {
      what: 'the VOD to turn private',
    });
    const token = `?token=${encodeURIComponent(link.token)}`;

    const file = await get(`/vod/${vod.id}/${segment}${token}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('location')).toBeNull();
    expect(file.headers.get('cache-control')).toMatch(/^private\b/);
    const fromBucket = await bucket.get(`${vod.streamId}/${segment}`);
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(await fromBucket!.arrayBuffer()))).toBe(true);

    const download = await get(`/vod/${vod.id}/vod.mp4${token}`, { range: 'bytes=0-99' });
    expect(download.status).toBe(206);
    expect(download.headers.get('location')).toBeNull();
    expect(download.headers.get('cache-control')).toMatch(/^private\b/);

    const playlist = await get(`/vod/${vod.id}/index.m3u8${token}`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('cache-control')).toMatch(/^private\b/);

    const clipFile = await get(`${clip.videoUrl}${token}`);
    expect(clipFile.status).toBe(200);
    expect(clipFile.headers.get('location')).toBeNull();
    expect(clipFile.headers.get('cache-control')).toMatch(/^private\b/);
    expect(Number(clipFile.headers.get('content-length'))).toBeGreaterThan(1000);
  });
});
