// The S3 store against a real S3 HTTP server on loopback (s3rver behind a SigV4-checking front,
// tests/support/s3-server.ts): files move to the bucket and leave the folder only once stored,
// are read back from wherever they are, listed and deleted; wrong credentials are refused with a
// message that names the setting and change nothing; a large file goes up in parts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from '../../tests/support/s3-server.ts';
import { testLogger } from '../../tests/support/logger.ts';
import { S3Client, S3Error, PART_BYTES, type S3Options } from './s3-client.ts';
import { S3RecordingStore } from './s3-store.ts';

let server: S3TestServer;
let root: string;

beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-store-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function options(overrides: Partial<S3Options> = {}): S3Options {
  return {
    bucket: server.bucket,
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
    ...overrides,
  };
}

function store(overrides: Partial<S3Options> = {}, publicUrl?: string): S3RecordingStore {
  return new S3RecordingStore(new S3Client(options(overrides)), { recordingsDir: root, publicUrl }, testLogger);
}

function write(key: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
  fs.writeFileSync(path.join(root, key), content);
}

/** A folder of its own per test, so tests don't see each other's objects in the shared bucket. */
function folder(): string {
  return `${randomBytes(8).toString('hex')}/`;
}

describe('S3 recording store', () => {
  it('moves files to the bucket, removing each local copy once stored, and reads them back', async () => {
    const s3 = store();
    const prefix = folder();
    write(`${prefix}vod.m3u8`, '#EXTM3U\n#EXT-X-ENDLIST\n');
    write(`${prefix}seg-1-00000.m4s`, Buffer.alloc(5000, 7));

    await s3.keep([`${prefix}vod.m3u8`, `${prefix}seg-1-00000.m4s`]);

    expect(fs.existsSync(path.join(root, prefix))).toBe(false);
    expect(await s3.readText(`${prefix}vod.m3u8`)).toBe('#EXTM3U\n#EXT-X-ENDLIST\n');
    const segment = await s3.open(`${prefix}seg-1-00000.m4s`);
    expect(segment).toMatchObject({ kind: 'stream', size: 5000 });
    expect((await s3.list(prefix)).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: `${prefix}seg-1-00000.m4s`, size: 5000 },
      { key: `${prefix}vod.m3u8`, size: 23 },
    ]);
    expect(await s3.open(`${prefix}nothing.m4s`)).toBeUndefined();
    expect(await s3.readText(`${prefix}nothing.m3u8`)).toBeUndefined();
    if (segment?.kind === 'stream') segment.body.destroy();
  });

  it('serves a file not uploaded yet from the folder, and counts it once when listing', async () => {
    const s3 = store();
    const prefix = folder();
    write(`${prefix}poster.jpg`, 'local bytes');

    const file = await s3.open(`${prefix}poster.jpg`);

    expect(file?.kind).toBe('stream');
    if (file?.kind === 'stream') expect(await text(file.body)).toBe('local bytes');
    expect(await s3.list(prefix)).toEqual([{ key: `${prefix}poster.jpg`, size: 11 }]);
  });

  it('redirects to the public URL when one is set', async () => {
    const s3 = store({}, 'https://cdn.example.test/recordings/');
    const prefix = folder();
    write(`${prefix}seg-1-00001.m4s`, 'x');
    await s3.keep([`${prefix}seg-1-00001.m4s`]);

    expect(await s3.open(`${prefix}seg-1-00001.m4s`)).toEqual({
      kind: 'redirect',
      url: `https://cdn.example.test/recordings/${prefix}seg-1-00001.m4s`,
    });
  });

  it('copies what a clip needs into a temporary folder, and deletes folders and files', async () => {
    const s3 = store();
    const prefix = folder();
    write(`${prefix}init-1.mp4`, 'init');
    write(`${prefix}seg-1-00000.m4s`, 'zero');
    write(`${prefix}seg-1-00001.m4s`, 'one');
    await s3.keep([`${prefix}init-1.mp4`, `${prefix}seg-1-00000.m4s`, `${prefix}seg-1-00001.m4s`]);

    let seen: string[] = [];
    let temporary = '';
    await s3.withLocalFiles(prefix, ['init-1.mp4', 'seg-1-00001.m4s'], async (dir) => {
      temporary = dir;
      seen = fs.readdirSync(dir).sort();
      expect(fs.readFileSync(path.join(dir, 'seg-1-00001.m4s'), 'utf8')).toBe('one');
    });
    expect(seen).toEqual(['init-1.mp4', 'seg-1-00001.m4s']);
    expect(fs.existsSync(temporary)).toBe(false);

    await s3.delete([`${prefix}init-1.mp4`]);
    expect((await s3.list(prefix)).map((entry) => entry.key).sort()).toEqual([
      `${prefix}seg-1-00000.m4s`,
      `${prefix}seg-1-00001.m4s`,
    ]);
    await s3.deleteFolder(prefix);
    expect(await s3.list(prefix)).toEqual([]);
  });

  it('deletes a folder whose upload is still running only after it, leaving nothing behind', async () => {
    const s3 = store();
    const prefix = folder();
    const keys = Array.from({ length: 8 }, (_, i) => `${prefix}seg-1-0000${i}.m4s`);
    for (const key of keys) write(key, randomBytes(256 * 1024));

    // Retention deleting a VOD while its files go up (a leftover stored at start, say).
    const kept = s3.keep(keys);
    await s3.deleteFolder(prefix);
    await kept;

    expect(await s3.list(prefix)).toEqual([]);
    expect(fs.existsSync(path.join(root, prefix))).toBe(false);
  });

  it('uploads a file larger than a part in parts, byte for byte', async () => {
    const s3 = store();
    const prefix = folder();
    const big = randomBytes(PART_BYTES + 1234);
    write(`${prefix}vod.mp4`, big);

    await s3.keep([`${prefix}vod.mp4`]);

    expect(fs.existsSync(path.join(root, prefix, 'vod.mp4'))).toBe(false);
    await s3.withLocalFiles(prefix, ['vod.mp4'], async (dir) => {
      expect(fs.readFileSync(path.join(dir, 'vod.mp4')).equals(big)).toBe(true);
    });
  });

  it('refuses a wrong secret with a message naming the setting, keeps the file, and stores nothing', async () => {
    const wrong = store({ secretAccessKey: 'not-the-secret' });
    const prefix = folder();
    write(`${prefix}vod.m3u8`, '#EXTM3U\n');

    const failure = await wrong.keep([`${prefix}vod.m3u8`]).catch((error: unknown) => error as Error);

    expect(failure).toBeInstanceOf(Error);
    const cause = (failure as Error).cause;
    expect(cause).toBeInstanceOf(S3Error);
    expect((cause as S3Error).code).toBe('SignatureDoesNotMatch');
    expect((cause as S3Error).message).toContain('S3_SECRET_ACCESS_KEY');
    expect((cause as Error).message).not.toContain('not-the-secret');
    expect(fs.readFileSync(path.join(root, prefix, 'vod.m3u8'), 'utf8')).toBe('#EXTM3U\n');
    expect(await new S3Client(options()).list(prefix)).toEqual([]);
    await expect(wrong.check()).rejects.toThrow(/SignatureDoesNotMatch/);
  });

  it('names the setting to fix for an unknown key id, a wrong region and a missing bucket', async () => {
    await expect(store({ accessKeyId: 'nobody' }).check()).rejects.toThrow(/InvalidAccessKeyId.*S3_ACCESS_KEY_ID/);
    await expect(store({ region: 'eu-west-3' }).check()).rejects.toThrow(/AuthorizationHeaderMalformed.*S3_REGION/);
    await expect(store({ bucket: 'no-such-bucket' }).check()).rejects.toThrow(/NoSuchBucket.*S3_BUCKET/);
  });
});
