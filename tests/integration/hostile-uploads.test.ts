// Hostile bodies against every image upload route (avatar, banner, emote) over real HTTP: multipart
// that is cut short, has no boundary or is garbage is a 400 problem saying what is wrong, never a
// 500; images that declare more pixels than their kind may have (decompression bombs: a few bytes
// that a browser would decode into gigabytes) are refused from their headers. Either way nothing is
// stored and no row changes.
import net from 'node:net';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import {
  gif,
  jpeg,
  png,
  PNG_SIGNATURE,
  webpExtended,
  webpLossless,
  webpLossy,
  type Size,
} from '../support/image-headers.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

const BOUNDARY = '----aethex-hostile-7f3a';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

/** One part of a multipart body; `filename: null` leaves the filename out. */
function part(name: string, content: Buffer | string, { filename = 'upload.bin' as string | null, type = '' } = {}) {
  const disposition = `form-data; name="${name}"${filename === null ? '' : `; filename="${filename}"`}`;
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`,
    ),
    Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
}
const CLOSE = Buffer.from(`--${BOUNDARY}--\r\n`);
const body = (...parts: Buffer[]) => Buffer.concat([...parts, CLOSE]);

type Route = 'avatar' | 'banner' | 'emote';
const ROUTES: Route[] = ['avatar', 'banner', 'emote'];

describe.each(databaseTargets())('hostile uploads on $name', (target) => {
  let platform: TestPlatform;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
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
  /** Every entry of the uploads folder, temporaries included. */
  const filesOnDisk = () => fs.readdirSync(platform.config.uploads.dir).sort();

  let owner: TestUser;
  let slug: string;
  beforeAll(async () => {
    owner = await signUp(platform.url, 'hostile');
    slug = `ho-${owner.username.slice(-8)}`;
    expect((await owner.client.post('/api/v1/channels', { slug, title: 'Hostile' })).status).toBe(201);
    // Images in place, so a refusal that touched them would show.
    for (const kind of ['avatar', 'banner'] as const) {
      const reply = await owner.client.request(
        'PUT',
        `/api/v1/channels/${slug}/${kind}`,
        body(part('file', png({ width: 8, height: 8 }))),
        {
          'content-type': MULTIPART,
        },
      );
      expect(reply.status).toBe(200);
    }
  });

  /** What a refusal must leave as it was: the folder, the channel's row, its emotes. */
  async function state() {
    const channel = await prisma().channel.findUniqueOrThrow({ where: { slug } });
    const emotes = await prisma().emote.findMany({ where: { channelId: channel.id }, orderBy: { name: 'asc' } });
    return { files: filesOnDisk(), channel, emotes };
  }

  /** Sends `bytes` to the upload route (an emote's form gets its name first unless `raw`). */
  function upload(route: Route, bytes: Buffer, { contentType = MULTIPART, raw = false } = {}) {
    const emote = route === 'emote';
    const form =
      emote && !raw
        ? Buffer.concat([part('name', `e_${Math.random().toString(36).slice(2, 10)}`, { filename: null }), bytes])
        : bytes;
    return owner.client.request(emote ? 'POST' : 'PUT', `/api/v1/channels/${slug}/${emote ? 'emotes' : route}`, form, {
      'content-type': contentType,
    });
  }

  async function expectRefused(
    route: Route,
    bytes: Buffer,
    expected: { status: number; code: string; detail: RegExp },
    options: { contentType?: string; raw?: boolean } = {},
  ) {
    const before = await state();
    const reply = await upload(route, bytes, options);
    expect(reply.status, JSON.stringify(reply.body)).toBe(expected.status);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: expected.status, code: expected.code });
    expect(reply.body.detail).toMatch(expected.detail);
    expect(await state()).toEqual(before);
    return reply.body;
  }

  describe('malformed multipart', () => {
    const cases: [
      string,
      Buffer,
      { status: number; code: string; detail: RegExp },
      { contentType?: string; raw?: boolean }?,
    ][] = [
      [
        'a body cut off right after a PNG signature',
        Buffer.concat([part('file', PNG_SIGNATURE, { type: 'image/png' }).subarray(0, -2)]),
        { status: 400, code: 'malformed_form', detail: /cut short/ },
      ],
      [
        "a body cut off inside a part's headers",
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-da`),
        { status: 400, code: 'malformed_form', detail: /cut short/ },
      ],
      [
        'a Content-Type with no boundary',
        body(part('file', png({ width: 8, height: 8 }))),
        { status: 400, code: 'malformed_form', detail: /no boundary/ },
        { contentType: 'multipart/form-data' },
      ],
      [
        'garbage bytes',
        Buffer.from('\u0000\u00ff\u0001 this is not multipart at all \r\n\r\n--- nor this', 'latin1'),
        { status: 400, code: 'malformed_form', detail: /boundary/ },
        { raw: true },
      ],
      [
        'garbage bytes with no boundary either',
        Buffer.from('garbage'),
        { status: 400, code: 'malformed_form', detail: /no boundary/ },
        { contentType: 'multipart/form-data', raw: true },
      ],
      [
        'the image as a text part (no filename, so not a file)',
        body(part('file', 'iVBORw0KGgo=', { filename: null })),
        { status: 400, code: 'bad_request', detail: /'file'/ },
      ],
      [
        'two files',
        body(part('file', png({ width: 8, height: 8 })), part('file', png({ width: 8, height: 8 }))),
        { status: 400, code: 'bad_request', detail: /more parts than it should|exactly one file/ },
      ],
      [
        'a file in another field',
        body(part('picture', png({ width: 8, height: 8 }))),
        { status: 400, code: 'bad_request', detail: /'file'/ },
      ],
      ['a form with no parts', CLOSE, { status: 400, code: 'bad_request', detail: /field named 'file'/ }],
      [
        'an empty file',
        body(part('file', '')),
        { status: 415, code: 'unsupported_media_type', detail: /images are accepted/ },
      ],
    ];

    for (const route of ROUTES) {
      it.each(cases)(
        `refuses %s to the ${route} route with a reason, storing nothing`,
        async (_, bytes, expected, options) => {
          await expectRefused(route, bytes, expected, options);
        },
      );
    }

    it('leaves nothing behind when the client hangs up in the middle of the file', async () => {
      const before = await state();
      const start = Buffer.concat([
        part('file', png({ width: 8, height: 8 })).subarray(0, -2),
        Buffer.alloc(64 * 1024, 7),
      ]);
      const url = new URL(platform.url);
      const socket = net.connect(Number(url.port), url.hostname);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.write(
        [
          `PUT /api/v1/channels/${slug}/avatar HTTP/1.1`,
          `Host: ${url.host}`,
          `Origin: ${platform.url}`,
          `Cookie: ${owner.client.cookie}`,
          `Content-Type: ${MULTIPART}`,
          `Content-Length: ${start.length + 1024 * 1024}`,
          '',
          '',
        ].join('\r\n'),
      );
      socket.write(start);
      // The file has started to arrive once a temporary is on disk; then the client goes.
      await waitFor(() => filesOnDisk().some((file) => file.startsWith('.incoming-')), { what: 'the upload to start' });
      socket.destroy();

      await waitFor(async () => JSON.stringify(await state()) === JSON.stringify(before), {
        what: 'the half upload to be removed',
      });
      // And the server is still answering.
      expect((await owner.client.get(`/api/v1/channels/${slug}`)).status).toBe(200);
    });
  });

  describe('decompression bombs', () => {
    const huge = { width: 16000, height: 16000 };
    const bombs: [string, Buffer, Size][] = [
      ['a PNG (IHDR)', png(huge), huge],
      ['a baseline JPEG (SOF0)', jpeg(huge), huge],
      ['a progressive JPEG (SOF2)', jpeg(huge, { sof: 0xc2 }), huge],
      ['a GIF (logical screen)', gif({ width: 65535, height: 65535 }), { width: 65535, height: 65535 }],
      ['a lossy WebP (VP8)', webpLossy({ width: 16383, height: 16383 }), { width: 16383, height: 16383 }],
      ['a lossless WebP (VP8L)', webpLossless({ width: 16384, height: 16384 }), { width: 16384, height: 16384 }],
      ['an extended WebP (VP8X)', webpExtended(huge), huge],
    ];
    const LIMITS: Record<Route, RegExp> = {
      avatar: /avatars may be at most 2048 x 2048 pixels\.$/,
      banner: /banners may be at most 4096 x 4096 pixels \(8\.4 megapixels\)\.$/,
      emote: /emotes may be at most 512 x 512 pixels\.$/,
    };

    for (const route of ROUTES) {
      it.each(bombs)(`refuses %s declaring a huge size as the ${route}, storing nothing`, async (name, bytes, size) => {
        expect(bytes.length).toBeLessThan(200);
        if (route === 'emote' && name.includes('JPEG')) {
          // Emotes take no JPEG at all.
          await expectRefused(route, body(part('file', bytes)), {
            status: 415,
            code: 'unsupported_media_type',
            detail: /PNG, GIF/,
          });
          return;
        }
        const problem = await expectRefused(route, body(part('file', bytes)), {
          status: 400,
          code: 'image_dimensions_too_large',
          detail: new RegExp(`^The ${route} is ${size.width} x ${size.height} pixels`),
        });
        expect(problem.detail).toMatch(LIMITS[route]);
        expect(problem).toMatchObject({ width: size.width, height: size.height });
      });
    }

    it.each([
      ['avatar', { width: 2048, height: 2048 }, { width: 2049, height: 10 }],
      ['banner', { width: 3840, height: 2160 }, { width: 4096, height: 4096 }],
      ['banner', { width: 4096, height: 2048 }, { width: 10, height: 4097 }],
      ['emote', { width: 512, height: 512 }, { width: 512, height: 513 }],
    ] as const)('takes a %s of %o and refuses one of %o', async (route, fits, tooLarge) => {
      const taken = await upload(route, body(part('file', png(fits))));
      expect(taken.status, JSON.stringify(taken.body)).toBe(route === 'emote' ? 201 : 200);

      await expectRefused(route, body(part('file', png(tooLarge))), {
        status: 400,
        code: 'image_dimensions_too_large',
        detail: new RegExp(`^The ${route} is ${tooLarge.width} x ${tooLarge.height} pixels`),
      });
    });

    it('refuses an image whose header cannot be read as not an image of its type', async () => {
      const noIhdr = Buffer.concat([PNG_SIGNATURE, Buffer.from('this is no IHDR chunk')]);
      for (const route of ROUTES) {
        await expectRefused(route, body(part('file', noIhdr)), {
          status: 415,
          code: 'unsupported_media_type',
          detail: /not a readable PNG image/,
        });
      }
    });
  });
});
