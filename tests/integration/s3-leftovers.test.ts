// A VOD whose upload to S3 failed (the S3 server was down when the stream ended) stays in the
// recordings folder, is served from there, and is uploaded when the platform next starts with the
// bucket reachable; the local copies go once the bucket has them, and the VOD is then served from
// the bucket with the same bytes. Real FFmpeg, a real S3 server on loopback (tests/support/s3-server.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { S3Client } from '../../recorder/storage/s3-client.ts';
import { createTestChannel } from '../support/channels.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { waitFor } from '../support/wait.ts';
import { publishOverWhip } from '../support/whip-publisher.ts';

/** Shared by both starts: the database and the recordings folder outlive the first platform. */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-s3-leftovers-'));
const opened: { close(): Promise<void> }[] = [];

afterAll(async () => {
  for (const thing of opened.reverse()) await thing.close().catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function bucketOf(s3: S3TestServer): S3Client {
  return new S3Client({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  });
}

async function start(env: Record<string, string>): Promise<TestPlatform> {
  const platform = await startTestPlatform({ DATA_DIR: dataDir, STREAM_END_GRACE_MS: '1000', ...env });
  opened.push(platform);
  return platform;
}

describe('a VOD left on disk by a failed upload', () => {
  it('is served from the folder, and uploaded to the bucket at the next start', { timeout: 240_000 }, async () => {
    // The S3 server the first start is configured with is down: its port refuses connections.
    const gone = await startS3Server();
    const unreachable = gone.env();
    await gone.close();
    const first = await start(unreachable);
    const channel = await createTestChannel(first);
    const publisher = await publishOverWhip(first.url, channel.streamKey);
    await waitFor(
      async () =>
        ((await (await fetch(`${first.url}/hls/${channel.slug}/index.m3u8`)).text()).match(/\.m4s/g) ?? []).length >= 3,
      { timeoutMs: 30_000, what: 'three live segments' },
    );
    await publisher.stop();
    const prisma = first.database!.prisma;
    const vod = await waitFor(
      () => prisma.vod.findFirst({ where: { channel: { slug: channel.slug } } }).then((v) => v ?? undefined),
      { timeoutMs: 60_000, what: 'the Vod row' },
    );
    const folder = path.join(first.config.recorder.recordingsDir, vod.streamId);
    // Served from the folder while the bucket is out of reach.
    const playlist = await fetch(`${first.url}/vod/${vod.id}/index.m3u8`);
    expect(playlist.status).toBe(200);
    const segment = (await playlist.text()).split('\n').find((line) => line.endsWith('.m4s'))!;
    const served = Buffer.from(await (await fetch(`${first.url}/vod/${vod.id}/${segment}`)).arrayBuffer());
    expect(served.length).toBeGreaterThan(1000);
    // Closing waits for the failed upload to give up: everything is still in the folder.
    await first.close();
    const left = fs.readdirSync(folder).sort();
    expect(left).toEqual(expect.arrayContaining(['vod.m3u8', 'vod.mp4', 'poster.jpg', segment]));

    const s3 = await startS3Server();
    opened.push(s3);
    const bucket = bucketOf(s3);
    expect(await bucket.list(`${vod.streamId}/`)).toEqual([]);
    const second = await start(s3.env());

    // At start it finds the VOD's folder, uploads it, and deletes each local copy once stored.
    await waitFor(async () => !fs.existsSync(folder) || fs.readdirSync(folder).length === 0, {
      timeoutMs: 60_000,
      what: 'the local copies to go',
    });
    const stored = (await bucket.list(`${vod.streamId}/`)).map((entry) => entry.key.slice(vod.streamId.length + 1));
    expect(stored.sort()).toEqual(left);
    expect(s3.refusals).toEqual([]);
    // Now served from the bucket, the same bytes.
    expect((await fetch(`${second.url}/vod/${vod.id}/index.m3u8`)).status).toBe(200);
    const fromBucket = Buffer.from(await (await fetch(`${second.url}/vod/${vod.id}/${segment}`)).arrayBuffer());
    expect(fromBucket.equals(served)).toBe(true);
  });
});
