// Channel images and emotes over real HTTP on both databases, with real image files made by
// FFmpeg: each accepted type is told by its bytes (not by what the client calls it), stored under
// a random name, and served with a Content-Type browsers may not second-guess; anything else, too
// big or malformed is refused with a stable code and leaves no file behind; replacing or removing
// an image removes the file nothing points at any more.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp';
const MIME: Record<ImageKind, string> = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
const EXTENSION: Record<ImageKind, string> = { png: 'png', jpeg: 'jpg', gif: 'gif', webp: 'webp' };
const MiB = 1024 * 1024;

/** Real 8x8 images of each type, encoded by FFmpeg. */
function makeImages(): Record<ImageKind, Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-images-'));
  try {
    const encode = (file: string, args: string[] = []) => {
      const out = path.join(dir, file);
      execFileSync('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'color=red:s=8x8',
        '-frames:v',
        '1',
        ...args,
        out,
      ]);
      return fs.readFileSync(out);
    };
    return {
      png: encode('a.png'),
      jpeg: encode('a.jpg'),
      gif: encode('a.gif'),
      webp: encode('a.webp', ['-c:v', 'libwebp']),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A multipart form with one file part (plus text fields), as a browser builds it. */
function form(
  bytes: Uint8Array,
  {
    field = 'file',
    filename = 'upload.bin',
    type = 'application/octet-stream',
    fields = {} as Record<string, string>,
  } = {},
): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  data.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
  return data;
}

describe.each(databaseTargets())('uploads on $name', (target) => {
  let platform: TestPlatform;
  let dispose: () => Promise<void>;
  let images: Record<ImageKind, Buffer>;

  beforeAll(async () => {
    images = makeImages();
    const created = await target.create();
    dispose = created.dispose;
    const env: Record<string, string> = { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' };
    if (created.options.kind === 'postgresql') env.DATABASE_URL = created.options.url;
    platform = await startTestPlatform(env);
  });
  afterAll(async () => {
    await platform?.close();
    await dispose?.();
  });

  const prisma = () => platform.database!.prisma;
  const uploadsDir = () => platform.config.uploads.dir;
  /** Every entry of the uploads folder, temporaries included. */
  const filesOnDisk = () => fs.readdirSync(uploadsDir()).sort();
  const fileOf = (url: string) => path.join(uploadsDir(), url.replace(/^\/uploads\//, ''));

  async function ownerWithChannel(): Promise<{ owner: TestUser; slug: string }> {
    const owner = await signUp(platform.url, 'uploader');
    const slug = `up-${owner.username.slice(-8)}`;
    const reply = await owner.client.post('/api/v1/channels', { slug, title: 'Uploads' });
    expect(reply.status).toBe(201);
    return { owner, slug };
  }

  async function fetchFile(url: string) {
    const response = await fetch(`${platform.url}${url}`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  }

  /** Asserts a refused upload answered `status`/`code` and left the folder and the channel as they were. */
  async function expectRefused(
    client: ApiClient,
    slug: string,
    method: string,
    urlPath: string,
    body: unknown,
    status: number,
    code: string,
  ) {
    const before = { files: filesOnDisk(), channel: (await client.get(`/api/v1/channels/${slug}`)).body };
    const reply = await client.request(method, urlPath, body);
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, code });
    expect(filesOnDisk()).toEqual(before.files);
    expect((await client.get(`/api/v1/channels/${slug}`)).body).toEqual(before.channel);
  }

  it.each(['png', 'jpeg', 'gif', 'webp'] as const)(
    'takes a %s avatar by its bytes (whatever the client calls it) and serves it as such, nosniff, sandboxed, cached for good',
    async (kind) => {
      const { owner, slug } = await ownerWithChannel();

      const reply = await owner.client.put(
        `/api/v1/channels/${slug}/avatar`,
        form(images[kind], { filename: 'photo.bin', type: 'application/octet-stream' }),
      );

      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.url).toMatch(new RegExp(`^/uploads/[A-Za-z0-9_-]{22}\\.${EXTENSION[kind]}$`));
      expect((await owner.client.get(`/api/v1/channels/${slug}`)).body.avatarUrl).toBe(reply.body.url);
      const served = await fetchFile(reply.body.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe(MIME[kind]);
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
      expect(served.headers.get('cache-control')).toMatch(/max-age=31536000/);
      expect(served.headers.get('cache-control')).toMatch(/immutable/);
      expect(served.body.equals(images[kind])).toBe(true);
    },
  );

  it('names every upload anew, even the same bytes twice', async () => {
    const { owner, slug } = await ownerWithChannel();

    const first = await owner.client.put(`/api/v1/channels/${slug}/banner`, form(images.png));
    const second = await owner.client.put(`/api/v1/channels/${slug}/avatar`, form(images.png));

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body.url).not.toBe(second.body.url);
    const channel = (await owner.client.get(`/api/v1/channels/${slug}`)).body;
    expect(channel).toMatchObject({ bannerUrl: first.body.url, avatarUrl: second.body.url });
  });

  it('removes the old file when an image is replaced, and the file when it is removed', async () => {
    const { owner, slug } = await ownerWithChannel();
    const first = await owner.client.put(`/api/v1/channels/${slug}/avatar`, form(images.png));
    expect(fs.existsSync(fileOf(first.body.url))).toBe(true);

    const second = await owner.client.put(`/api/v1/channels/${slug}/avatar`, form(images.gif));

    expect(second.status).toBe(200);
    expect(fs.existsSync(fileOf(first.body.url))).toBe(false);
    expect((await fetchFile(first.body.url)).status).toBe(404);
    expect(fs.existsSync(fileOf(second.body.url))).toBe(true);
    expect((await owner.client.get(`/api/v1/channels/${slug}`)).body.avatarUrl).toBe(second.body.url);

    const removed = await owner.client.delete(`/api/v1/channels/${slug}/avatar`);

    expect(removed.status).toBe(204);
    expect(fs.existsSync(fileOf(second.body.url))).toBe(false);
    expect((await owner.client.get(`/api/v1/channels/${slug}`)).body.avatarUrl).toBeNull();
    // Removing what is not there is done already.
    expect((await owner.client.delete(`/api/v1/channels/${slug}/avatar`)).status).toBe(204);
  });

  it('keeps every file a channel points at when two uploads race', async () => {
    const { owner, slug } = await ownerWithChannel();

    const replies = await Promise.all(
      [images.png, images.gif, images.webp, images.jpeg].map((bytes) =>
        owner.client.put(`/api/v1/channels/${slug}/banner`, form(bytes)),
      ),
    );

    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const bannerUrl = (await owner.client.get(`/api/v1/channels/${slug}`)).body.bannerUrl as string;
    expect(replies.map((r) => r.body.url)).toContain(bannerUrl);
    expect(fs.existsSync(fileOf(bannerUrl))).toBe(true);
    // The three replaced ones are gone.
    expect(replies.map((r) => r.body.url).filter((url) => fs.existsSync(fileOf(url)))).toEqual([bannerUrl]);
  });

  it.each([
    ['an SVG', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml', 'a.svg'],
    [
      'an SVG with an XML declaration',
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
      'image/svg+xml',
      'a.svg',
    ],
    ['an HTML page', '<!doctype html><html><script>alert(1)</script></html>', 'text/html', 'a.html'],
    ['text that calls itself a PNG', 'this is not an image at all', 'image/png', 'photo.png'],
    ['an empty file', '', 'image/png', 'empty.png'],
  ])('refuses %s with 415 unsupported_media_type, writing nothing', async (_, content, type, filename) => {
    const { owner, slug } = await ownerWithChannel();

    await expectRefused(
      owner.client,
      slug,
      'PUT',
      `/api/v1/channels/${slug}/avatar`,
      form(Buffer.from(content), { type, filename }),
      415,
      'unsupported_media_type',
    );
  });

  it('refuses a JPEG emote (emotes are PNG, GIF or WebP) with 415', async () => {
    const { owner, slug } = await ownerWithChannel();

    await expectRefused(
      owner.client,
      slug,
      'POST',
      `/api/v1/channels/${slug}/emotes`,
      form(images.jpeg, { fields: { name: 'jpeg_emote' } }),
      415,
      'unsupported_media_type',
    );
    expect(await prisma().emote.count({ where: { channel: { slug } } })).toBe(0);
  });

  it('refuses an avatar over 2 MiB with 413 payload_too_large and no file, while a banner of that size is fine', async () => {
    const { owner, slug } = await ownerWithChannel();
    // A real PNG followed by padding: big, and an image by its first bytes.
    const big = Buffer.concat([images.png, Buffer.alloc(2 * MiB + 1 - images.png.length)]);

    await expectRefused(
      owner.client,
      slug,
      'PUT',
      `/api/v1/channels/${slug}/avatar`,
      form(big, { type: 'image/png' }),
      413,
      'payload_too_large',
    );

    const banner = await owner.client.put(`/api/v1/channels/${slug}/banner`, form(big));
    expect(banner.status).toBe(200);
    expect(fs.statSync(fileOf(banner.body.url)).size).toBe(big.length);
  });

  it('refuses a banner over 5 MiB and an emote over 256 KiB with 413, writing nothing', async () => {
    const { owner, slug } = await ownerWithChannel();

    await expectRefused(
      owner.client,
      slug,
      'PUT',
      `/api/v1/channels/${slug}/banner`,
      form(Buffer.concat([images.png, Buffer.alloc(5 * MiB)])),
      413,
      'payload_too_large',
    );
    await expectRefused(
      owner.client,
      slug,
      'POST',
      `/api/v1/channels/${slug}/emotes`,
      form(Buffer.concat([images.png, Buffer.alloc(256 * 1024)]), { fields: { name: 'big_one' } }),
      413,
      'payload_too_large',
    );
  });

  it('refuses a malformed upload with a clear 400 or 415, writing nothing', async () => {
    const { owner, slug } = await ownerWithChannel();
    const avatar = `/api/v1/channels/${slug}/avatar`;
    const twoFiles = form(images.png);
    twoFiles.append('file', new Blob([new Uint8Array(images.gif)]), 'second.gif');

    // Not multipart at all: the raw image, or JSON.
    await expectRefused(
      owner.client,
      slug,
      'PUT',
      avatar,
      new Blob([new Uint8Array(images.png)], { type: 'image/png' }),
      415,
      'unsupported_media_type',
    );
    await expectRefused(
      owner.client,
      slug,
      'PUT',
      avatar,
      { file: images.png.toString('base64') },
      415,
      'unsupported_media_type',
    );
    // Multipart, but not one file in the field 'file'.
    await expectRefused(owner.client, slug, 'PUT', avatar, form(images.png, { field: 'image' }), 400, 'bad_request');
    await expectRefused(owner.client, slug, 'PUT', avatar, twoFiles, 400, 'bad_request');
    const onlyText = new FormData();
    onlyText.append('name', 'hello');
    await expectRefused(owner.client, slug, 'PUT', avatar, onlyText, 400, 'bad_request');
    await expectRefused(owner.client, slug, 'PUT', avatar, new FormData(), 400, 'bad_request');
  });

  it('serves only stored files: no temporaries, no paths outside the folder, no listing', async () => {
    fs.writeFileSync(path.join(uploadsDir(), '.incoming-0123456789abcdef01234567'), 'half an upload');
    try {
      for (const url of [
        '/uploads/.incoming-0123456789abcdef01234567',
        '/uploads/',
        '/uploads/../pglite/PG_VERSION',
        '/uploads/%2e%2e/pglite/PG_VERSION',
        '/uploads/nope.png',
      ]) {
        expect((await fetchFile(url)).status, url).toBe(404);
      }
    } finally {
      fs.rmSync(path.join(uploadsDir(), '.incoming-0123456789abcdef01234567'));
    }
  });

  describe('emotes', () => {
    it('adds an emote that the channel and its emote list show, logged in the moderation log', async () => {
      const { owner, slug } = await ownerWithChannel();

      const added = await owner.client.post(
        `/api/v1/channels/${slug}/emotes`,
        form(images.gif, { fields: { name: 'Pog_1' } }),
      );

      expect(added.status, JSON.stringify(added.body)).toBe(201);
      expect(added.body).toEqual({
        id: expect.any(String),
        name: 'Pog_1',
        url: expect.stringMatching(/^\/uploads\/[A-Za-z0-9_-]{22}\.gif$/),
      });
      const listed = await new ApiClient(platform.url).get(`/api/v1/channels/${slug}/emotes`);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([added.body]);
      expect((await new ApiClient(platform.url).get(`/api/v1/channels/${slug}`)).body.emotes).toEqual([
        { name: 'Pog_1', url: added.body.url },
      ]);
      expect((await fetchFile(added.body.url)).headers.get('content-type')).toBe('image/gif');
      const log = await prisma().moderationAction.findMany({ where: { channel: { slug } } });
      expect(log).toMatchObject([
        { kind: 'add_emote', moderatorId: owner.id, details: { emoteId: added.body.id, name: 'Pog_1' } },
      ]);
    });

    it('takes the name after the file as well as before it', async () => {
      const { owner, slug } = await ownerWithChannel();
      const data = new FormData();
      data.append('file', new Blob([new Uint8Array(images.webp)]), 'e.webp');
      data.append('name', 'after_file');

      const added = await owner.client.post(`/api/v1/channels/${slug}/emotes`, data);

      expect(added.status, JSON.stringify(added.body)).toBe(201);
      expect(added.body.name).toBe('after_file');
    });

    it('refuses a taken name with 409 emote_taken and a bad or missing name with 400, writing nothing', async () => {
      const { owner, slug } = await ownerWithChannel();
      const emotes = `/api/v1/channels/${slug}/emotes`;
      expect((await owner.client.post(emotes, form(images.png, { fields: { name: 'taken' } }))).status).toBe(201);

      await expectRefused(
        owner.client,
        slug,
        'POST',
        emotes,
        form(images.png, { fields: { name: 'taken' } }),
        409,
        'emote_taken',
      );
      for (const name of ['x', 'a'.repeat(25), 'has space', 'dash-ed', ':colon:', '']) {
        await expectRefused(
          owner.client,
          slug,
          'POST',
          emotes,
          form(images.png, { fields: { name } }),
          400,
          'bad_request',
        );
      }
      await expectRefused(owner.client, slug, 'POST', emotes, form(images.png), 400, 'bad_request');
      await expectRefused(
        owner.client,
        slug,
        'POST',
        emotes,
        form(images.png, { fields: { name: 'ok_name', other: 'x' } }),
        400,
        'bad_request',
      );
      expect((await owner.client.get(emotes)).body.map((e: { name: string }) => e.name)).toEqual(['taken']);
    });

    it(`holds a channel to 50 emotes: the 51st is refused with 409 too_many_emotes`, async () => {
      const { owner, slug } = await ownerWithChannel();
      const channel = await prisma().channel.findUniqueOrThrow({ where: { slug } });
      // 49 made directly (their files don't matter here), the 50th through the API.
      await prisma().emote.createMany({
        data: Array.from({ length: 49 }, (_, i) => ({
          channelId: channel.id,
          name: `e${i}x`,
          imagePath: `none${i}.png`,
        })),
      });
      expect(
        (await owner.client.post(`/api/v1/channels/${slug}/emotes`, form(images.png, { fields: { name: 'fiftieth' } })))
          .status,
      ).toBe(201);

      await expectRefused(
        owner.client,
        slug,
        'POST',
        `/api/v1/channels/${slug}/emotes`,
        form(images.png, { fields: { name: 'fifty_first' } }),
        409,
        'too_many_emotes',
      );
      expect(await prisma().emote.count({ where: { channelId: channel.id } })).toBe(50);
    });

    it('removes an emote and its file, logged; a second removal is 404', async () => {
      const { owner, slug } = await ownerWithChannel();
      const added = await owner.client.post(
        `/api/v1/channels/${slug}/emotes`,
        form(images.png, { fields: { name: 'bye' } }),
      );
      expect(fs.existsSync(fileOf(added.body.url))).toBe(true);

      const removed = await owner.client.delete(`/api/v1/channels/${slug}/emotes/${added.body.id}`);

      expect(removed.status).toBe(204);
      expect(fs.existsSync(fileOf(added.body.url))).toBe(false);
      expect((await owner.client.get(`/api/v1/channels/${slug}/emotes`)).body).toEqual([]);
      const again = await owner.client.delete(`/api/v1/channels/${slug}/emotes/${added.body.id}`);
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('not_found');
      const kinds = (
        await prisma().moderationAction.findMany({ where: { channel: { slug } }, orderBy: { createdAt: 'asc' } })
      ).map((a) => a.kind);
      expect(kinds).toEqual(['add_emote', 'remove_emote']);
    });

    it("can't remove another channel's emote through this channel", async () => {
      const first = await ownerWithChannel();
      const second = await ownerWithChannel();
      const added = await first.owner.client.post(
        `/api/v1/channels/${first.slug}/emotes`,
        form(images.png, { fields: { name: 'mine' } }),
      );

      const reply = await second.owner.client.delete(`/api/v1/channels/${second.slug}/emotes/${added.body.id}`);

      expect(reply.status).toBe(404);
      expect((await first.owner.client.get(`/api/v1/channels/${first.slug}/emotes`)).body).toHaveLength(1);
    });
  });
});
