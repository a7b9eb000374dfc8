// People and their channels' looks, made as people make them: owners and channels through the operator
// CLI's commands, viewers through the sign-up API, images drawn by FFmpeg and uploaded through the API.
// Requests go out as a browser's would: with the session cookie and the site's Origin.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAdminCommand } from '../../api/admin/commands.ts';
import type { TestPlatform } from '../../tests/support/platform.ts';

const PASSWORD = 'correct horse battery staple';

export interface Person {
  username: string;
  name: string;
  /** The platform's address, which is also the Origin a browser of its pages sends. */
  baseUrl: string;
  /** The session cookie, `aethex_session=...`. */
  cookie: string;
  /** A creator's stream key, issued by the CLI. */
  streamKey?: string;
}

/**
 * Longer than tests/support's ApiClient gives (15 s): on a busy machine, seven password hashes at
 * once (scrypt on libuv's four threads) or FFmpeg cutting a clip can take that long.
 */
const CALL_TIMEOUT_MS = 60_000;

function request(baseUrl: string, method: string, url: string, body: unknown, cookie?: string): Promise<Response> {
  const form = body instanceof FormData;
  return fetch(`${baseUrl}${url}`, {
    method,
    headers: {
      origin: baseUrl,
      ...(cookie ? { cookie } : {}),
      ...(body !== undefined && !form ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
}

/** Any answer but a success is a seeding bug: fail loudly with the reply. */
async function expectOk(response: Response, what: string): Promise<string> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text}`);
  return text;
}

/** A request as `person`, with their session cookie and the Origin a browser sends. */
export async function call<T = unknown>(person: Person, method: string, url: string, body?: unknown): Promise<T> {
  const response = await request(person.baseUrl, method, url, body, person.cookie);
  const text = await expectOk(response, `${method} ${url} as ${person.username}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Signs in (or up) through the API, which sets the session cookie the person then carries. */
async function startSession(
  baseUrl: string,
  url: string,
  body: object,
  who: { username: string; name: string },
): Promise<Person> {
  const response = await request(baseUrl, 'POST', url, body);
  await expectOk(response, `${url} for ${who.username}`);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0]!)
    .find((pair) => pair.startsWith('aethex_session='));
  if (!cookie) throw new Error(`${url} for ${who.username} set no session cookie`);
  return { ...who, baseUrl, cookie };
}

/** A creator made by the operator CLI's commands: user, channel, and a stream key for OBS. */
export async function createCreator(
  platform: TestPlatform,
  user: { username: string; name: string },
  channel: { slug: string; title: string },
): Promise<Person> {
  const context = { prisma: platform.database!.prisma, publicUrl: platform.url };
  const email = `${user.username}@example.test`;
  await runAdminCommand(context, { command: 'user.create', email, password: PASSWORD, ...user });
  await runAdminCommand(context, { command: 'channel.create', owner: email, ...channel });
  const issued = await runAdminCommand(context, { command: 'stream-key.create', channel: channel.slug });
  const login = { login: user.username, password: PASSWORD };
  const person = await startSession(platform.url, '/api/v1/auth/login', login, user);
  return { ...person, streamKey: (issued as { key: string }).key };
}

/** A viewer who signs up through the API, as the sign-up form does. */
export async function signUpViewer(baseUrl: string, username: string, name: string): Promise<Person> {
  const body = { email: `${username}@example.test`, username, password: PASSWORD, name };
  return startSession(baseUrl, '/api/v1/auth/signup', body, { username, name });
}

/** Images for avatars, banners and emotes, drawn by FFmpeg's test sources. */
function drawImage(dir: string, name: string, source: string): Blob {
  const file = path.join(dir, `${name}.png`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', source, '-frames:v', '1', file]);
  return new Blob([new Uint8Array(fs.readFileSync(file))], { type: 'image/png' });
}

function imageForm(image: Blob, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', image, 'image.png');
  return form;
}

export async function uploadImages(person: Person, slug: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-screens-'));
  try {
    const gradient = (size: string, colors: string[], [w, h]: number[]) =>
      `gradients=s=${size}:n=${colors.length}:${colors.map((c, i) => `c${i}=${c}`).join(':')}:x0=0:y0=0:x1=${w}:y1=${h}`;
    const avatar = drawImage(dir, 'avatar', gradient('256x256', ['0xf472b6', '0x7c3aed'], [256, 256]));
    const banner = drawImage(dir, 'banner', gradient('1500x375', ['0x1e1b4b', '0x7c3aed', '0xdb2777'], [1500, 375]));
    await call(person, 'PUT', `/api/v1/channels/${slug}/avatar`, imageForm(avatar));
    await call(person, 'PUT', `/api/v1/channels/${slug}/banner`, imageForm(banner));
    const emotes = {
      novaHype: drawImage(dir, 'hype', 'mandelbrot=s=112x112'),
      novaWave: drawImage(dir, 'wave', gradient('112x112', ['0x22d3ee', '0x6366f1'], [112, 0])),
    };
    for (const [name, image] of Object.entries(emotes))
      await call(person, 'POST', `/api/v1/channels/${slug}/emotes`, imageForm(image, { name }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
