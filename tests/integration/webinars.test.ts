// Webinars over real HTTP on both databases: a channel's owner announces one, edits it and runs it
// through backstage, live and ended; everyone else reads it (or, on a private channel, doesn't);
// discovery lists the live and upcoming ones of public channels. Every refusal answers a stable
// code and changes nothing.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

const HOUR = 3_600_000;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

describe.each(databaseTargets())('webinars on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, (started) => (platform = started));

  const prisma = () => platform.database!.prisma;
  const anonymous = () => new ApiClient(platform.url);

  async function host(): Promise<{ owner: TestUser; slug: string }> {
    const owner = await signUp(platform.url, 'host');
    const slug = `web-${randomBytes(4).toString('hex')}`;
    expect((await owner.client.post('/api/v1/channels', { slug, title: 'Host channel' })).status).toBe(201);
    return { owner, slug };
  }

  async function announce(owner: TestUser, slug: string, change: Record<string, unknown> = {}) {
    const reply = await owner.client.post(`/api/v1/channels/${slug}/webinars`, {
      title: 'Shipping with WebRTC',
      description: 'A tour of the SFU.\nWith questions.',
      scheduledStart: inHours(2),
      durationMinutes: 60,
      ...change,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body as { id: string; state: string; scheduledStart: string };
  }

  /** Asserts the request was refused with `status` and `code`, and that the webinar row is unchanged. */
  async function expectRefused(
    id: string,
    request: Promise<{ status: number; body: any }>,
    status: number,
    code: string,
  ) {
    const before = await prisma().webinar.findUnique({ where: { id } });
    const reply = await request;
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    expect(reply.body.code).toBe(code);
    expect(await prisma().webinar.findUnique({ where: { id } })).toEqual(before);
  }

  it('is announced by the channel owner in UTC, and read by anyone', async () => {
    const { owner, slug } = await host();
    const utc = new Date(Date.now() + 26 * HOUR);
    utc.setUTCMilliseconds(0);
    // The same instant as a host's browser in UTC+2 may send it: stored and answered in UTC.
    const inUtcPlus2 = new Date(utc.getTime() + 2 * HOUR).toISOString().replace('Z', '+02:00');
    const created = await announce(owner, slug, { scheduledStart: inUtcPlus2, audience: 'signed_in' });
    expect(created).toMatchObject({
      title: 'Shipping with WebRTC',
      description: 'A tour of the SFU.\nWith questions.',
      scheduledStart: utc.toISOString(),
      durationMinutes: 60,
      audience: 'signed_in',
      state: 'scheduled',
      startedAt: null,
      endedAt: null,
      recording: null,
      canManage: true,
      channel: { slug, title: 'Host channel' },
    });
    const row = await prisma().webinar.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.scheduledStart.toISOString()).toBe(created.scheduledStart);

    const read = await anonymous().get(`/api/v1/webinars/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.id, canManage: false, state: 'scheduled' });
    const list = await anonymous().get(`/api/v1/channels/${slug}/webinars`);
    expect(list.body.items.map((w: { id: string }) => w.id)).toEqual([created.id]);
  });

  it('refuses bad input and other people with a stable code, changing nothing', async () => {
    const { owner, slug } = await host();
    const stranger = await signUp(platform.url, 'stranger');
    const webinar = await announce(owner, slug);
    const before = await prisma().webinar.count();

    const refusedCreates: [ApiClient, Record<string, unknown>, number, string][] = [
      [owner.client, { title: '   ', scheduledStart: inHours(1), durationMinutes: 60 }, 400, 'bad_request'],
      [owner.client, { title: 'x'.repeat(141), scheduledStart: inHours(1), durationMinutes: 60 }, 400, 'bad_request'],
      [owner.client, { title: 'Past', scheduledStart: inHours(-1), durationMinutes: 60 }, 400, 'scheduled_in_past'],
      [
        owner.client,
        { title: 'Far', scheduledStart: inHours(24 * 400), durationMinutes: 60 },
        400,
        'scheduled_too_far',
      ],
      [owner.client, { title: 'Short', scheduledStart: inHours(1), durationMinutes: 5 }, 400, 'bad_request'],
      [owner.client, { title: 'Bad time', scheduledStart: 'tomorrow', durationMinutes: 60 }, 400, 'bad_request'],
      [
        owner.client,
        { title: 'Who', scheduledStart: inHours(1), durationMinutes: 60, audience: 'all' },
        400,
        'bad_request',
      ],
      [stranger.client, { title: 'Not mine', scheduledStart: inHours(1), durationMinutes: 60 }, 403, 'forbidden'],
      [anonymous(), { title: 'Signed out', scheduledStart: inHours(1), durationMinutes: 60 }, 401, 'unauthorized'],
    ];
    for (const [client, body, status, code] of refusedCreates) {
      const reply = await client.post(`/api/v1/channels/${slug}/webinars`, body);
      expect(reply.status, JSON.stringify(body)).toBe(status);
      expect(reply.body.code, JSON.stringify(body)).toBe(code);
    }
    expect(await prisma().webinar.count()).toBe(before);

    const path = `/api/v1/webinars/${webinar.id}`;
    await expectRefused(webinar.id, stranger.client.patch(path, { title: 'Mine now' }), 403, 'forbidden');
    await expectRefused(webinar.id, stranger.client.post(`${path}/start`), 403, 'forbidden');
    await expectRefused(webinar.id, anonymous().post(`${path}/start`), 401, 'unauthorized');
    await expectRefused(webinar.id, stranger.client.delete(path), 403, 'forbidden');
    await expectRefused(webinar.id, owner.client.patch(path, {}), 400, 'bad_request');
    await expectRefused(webinar.id, owner.client.patch(path, { title: 'a\u0000b' }), 400, 'bad_request');
    await expectRefused(webinar.id, owner.client.patch(path, { state: 'live' }), 400, 'bad_request');
    expect((await anonymous().get('/api/v1/webinars/not-a-uuid')).status).toBe(404);
    expect((await anonymous().get(`/api/v1/webinars/${crypto.randomUUID()}`)).body.code).toBe('not_found');
  });

  it('goes scheduled → backstage → live → ended at the host’s word, never back, and edits until it ends', async () => {
    const { owner, slug } = await host();
    const webinar = await announce(owner, slug);
    const path = `/api/v1/webinars/${webinar.id}`;

    await expectRefused(webinar.id, owner.client.post(`${path}/end`), 409, 'webinar_state');
    const edited = await owner.client.patch(path, { title: 'Shipping WebRTC, live', scheduledStart: inHours(3) });
    expect(edited.status).toBe(200);
    expect(edited.body.title).toBe('Shipping WebRTC, live');
    expect(Date.parse(edited.body.scheduledStart) - Date.parse(webinar.scheduledStart)).toBeGreaterThan(0.9 * HOUR);

    expect((await owner.client.post(`${path}/backstage`)).body.state).toBe('backstage');
    await expectRefused(webinar.id, owner.client.post(`${path}/backstage`), 409, 'webinar_state');
    await expectRefused(webinar.id, owner.client.patch(path, { scheduledStart: inHours(5) }), 409, 'webinar_started');

    const live = await owner.client.post(`${path}/start`);
    expect(live.body).toMatchObject({ state: 'live', endedAt: null });
    expect(Date.parse(live.body.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    await expectRefused(webinar.id, owner.client.post(`${path}/start`), 409, 'webinar_state');
    await expectRefused(webinar.id, owner.client.delete(path), 409, 'webinar_live');
    // Its text may still be corrected while it runs.
    expect((await owner.client.patch(path, { description: 'Now with Q&A.' })).body.description).toBe('Now with Q&A.');

    const ended = await owner.client.post(`${path}/end`);
    expect(ended.body).toMatchObject({ state: 'ended', startedAt: live.body.startedAt });
    expect(Date.parse(ended.body.endedAt)).toBeGreaterThanOrEqual(Date.parse(live.body.startedAt));
    for (const action of ['backstage', 'start', 'end'])
      await expectRefused(webinar.id, owner.client.post(`${path}/${action}`), 409, 'webinar_state');
    await expectRefused(webinar.id, owner.client.patch(path, { title: 'Rewrite history' }), 409, 'webinar_ended');

    const upcoming = await anonymous().get(`/api/v1/channels/${slug}/webinars`);
    expect(upcoming.body.items).toEqual([]);
    const past = await anonymous().get(`/api/v1/channels/${slug}/webinars?when=past`);
    expect(past.body.items.map((w: { id: string }) => w.id)).toEqual([webinar.id]);

    expect((await owner.client.delete(path)).status).toBe(204);
    expect(await prisma().webinar.count({ where: { id: webinar.id } })).toBe(0);
  });

  it('takes a cover from the host, replaces and removes it (its file with it), and refuses the rest', async () => {
    const { owner, slug } = await host();
    const { id } = await announce(owner, slug);
    const uploads = platform.config.uploads.dir;
    const fileOf = (url: string) => path.join(uploads, url.replace(/^\/uploads\//, ''));
    const cover = (bytes: Buffer) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'cover.png');
      return form;
    };
    const png = (color: string) =>
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `color=${color}:s=64x36`,
        '-frames:v',
        '1',
        '-f',
        'image2',
        '-c:v',
        'png',
        '-',
      ]);

    const first = await owner.client.request('PUT', `/api/v1/webinars/${id}/cover`, cover(png('red')));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(fs.existsSync(fileOf(first.body.url))).toBe(true);
    expect((await anonymous().get(`/api/v1/webinars/${id}`)).body.coverUrl).toBe(first.body.url);

    // Refused, changing nothing: someone else, a file that is no image, an ended webinar.
    const stranger = await signUp(platform.url, 'stranger');
    await expectRefused(
      id,
      stranger.client.request('PUT', `/api/v1/webinars/${id}/cover`, cover(png('blue'))),
      403,
      'forbidden',
    );
    await expectRefused(
      id,
      owner.client.request('PUT', `/api/v1/webinars/${id}/cover`, cover(Buffer.from('not an image at all'))),
      415,
      'unsupported_media_type',
    );

    const second = await owner.client.request('PUT', `/api/v1/webinars/${id}/cover`, cover(png('green')));
    expect(second.status).toBe(200);
    expect(fs.existsSync(fileOf(first.body.url))).toBe(false);
    expect((await owner.client.delete(`/api/v1/webinars/${id}/cover`)).status).toBe(204);
    expect(fs.existsSync(fileOf(second.body.url))).toBe(false);
    expect((await anonymous().get(`/api/v1/webinars/${id}`)).body.coverUrl).toBeNull();

    // Deleting a webinar deletes its cover.
    const third = await owner.client.request('PUT', `/api/v1/webinars/${id}/cover`, cover(png('white')));
    expect((await owner.client.delete(`/api/v1/webinars/${id}`)).status).toBe(204);
    expect(fs.existsSync(fileOf(third.body.url))).toBe(false);

    const { id: ended } = await announce(owner, slug);
    for (const action of ['start', 'end']) await owner.client.post(`/api/v1/webinars/${ended}/${action}`);
    await expectRefused(
      ended,
      owner.client.request('PUT', `/api/v1/webinars/${ended}/cover`, cover(png('red'))),
      409,
      'webinar_ended',
    );
  });

  it('lets one of two hosts pressing Start at once win; the other is told it is live already', async () => {
    const { owner, slug } = await host();
    const webinar = await announce(owner, slug);
    const path = `/api/v1/webinars/${webinar.id}`;
    const replies = await Promise.all([owner.client.post(`${path}/start`), owner.client.post(`${path}/start`)]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await prisma().webinar.findUniqueOrThrow({ where: { id: webinar.id } })).state).toBe('live');
  });

  it('pages a channel’s upcoming webinars soonest first', async () => {
    const { owner, slug } = await host();
    const made = [];
    for (const hours of [5, 1, 3, 4, 2])
      made.push({ hours, ...(await announce(owner, slug, { scheduledStart: inHours(hours) })) });
    const expected = made.sort((a, b) => a.hours - b.hours).map((w) => w.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await anonymous().get(
        `/api/v1/channels/${slug}/webinars?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((w) => w.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it('keeps a private channel’s webinars to those who may watch it, and out of discovery', async () => {
    const { owner, slug } = await host();
    const hidden = await announce(owner, slug, { scheduledStart: inHours(1) });
    expect((await owner.client.patch(`/api/v1/channels/${slug}`, { private: true })).status).toBe(200);
    const shown = await host();
    const open = await announce(shown.owner, shown.slug, { scheduledStart: inHours(1) });
    const running = await announce(shown.owner, shown.slug, { scheduledStart: inHours(6) });
    expect((await shown.owner.client.post(`/api/v1/webinars/${running.id}/start`)).status).toBe(200);

    expect((await anonymous().get(`/api/v1/webinars/${hidden.id}`)).status).toBe(403);
    expect((await anonymous().get(`/api/v1/channels/${slug}/webinars`)).status).toBe(403);
    expect((await owner.client.get(`/api/v1/webinars/${hidden.id}`)).status).toBe(200);

    const discovered = await anonymous().get('/api/v1/discover/webinars');
    expect(discovered.status).toBe(200);
    const ids = (list: { id: string }[]) => list.map((w) => w.id);
    expect(ids(discovered.body.live)).toContain(running.id);
    expect(ids(discovered.body.upcoming)).toContain(open.id);
    expect([...ids(discovered.body.live), ...ids(discovered.body.upcoming)]).not.toContain(hidden.id);
    expect(ids(discovered.body.upcoming)).not.toContain(running.id);
  });
});
