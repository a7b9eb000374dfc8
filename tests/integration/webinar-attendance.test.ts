// Attendance and certificates on the real platform: attendees joining a live webinar's room are
// recorded as stretches of presence (named when signed in, counted when anonymous); the webinar's
// end closes them and issues certificates to those at or above the host's threshold only; the
// host's report and CSV say who attended for how long; the PDF's text (pdftotext) holds the
// attendee's name and number; the public verification says genuine, revoked, or not found for a
// tampered number. The 60 s rule for media that stopped runs on the tracker with a moved clock, and
// so does an HLS player, named by its session or join link.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { createWatchGuard } from '../../api/viewer-access/watch-guard.ts';
import { AttendanceTracker } from '../../api/webinars/attendance-tracker.ts';
import { HlsAttendance } from '../../recorder/hls-attendance.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { testLogger } from '../support/logger.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);

let platform: TestPlatform;
let host: TestUser;
let stayer: TestUser;
let leaver: TestUser;
let stranger: TestUser;
let clients: TestSignalingClient[] = [];
const prisma = () => platform.database!.prisma;

async function newWebinar(title: string): Promise<string> {
  const slug = `att-${randomBytes(4).toString('hex')}`;
  expect((await host.client.post('/api/v1/channels', { slug, title: 'Training team' })).status).toBe(201);
  const created = await host.client.post(`/api/v1/channels/${slug}/webinars`, {
    title,
    scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 60,
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function attend(webinarId: string, user?: TestUser): Promise<TestSignalingClient> {
  const client = await TestSignalingClient.connect(platform.url, {
    headers: { origin: platform.url, ...(user ? { cookie: user.client.cookie! } : {}) },
  });
  clients.push(client);
  await client.ok('join', { role: 'attendee', webinar: webinarId });
  return client;
}

async function pdfText(user: TestUser, url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${platform.url}${url}`, { headers: { cookie: user.client.cookie! } });
  if (response.status !== 200) return { status: response.status, text: '' };
  expect(response.headers.get('content-type')).toBe('application/pdf');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certificate-')), 'certificate.pdf');
  fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  const { stdout } = await run('pdftotext', [file, '-']);
  const { stdout: fonts } = await run('pdffonts', [file]);
  // Every font is embedded ("emb" yes).
  expect(
    fonts
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .every((line) => / yes /.test(line)),
  ).toBe(true);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return { status: 200, text: stdout };
}

describe.each(databaseTargets())('webinar attendance on $name', (target) => {
  startPlatformOn(target, { AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, (started) => (platform = started));
  beforeAll(async () => {
    [host, stayer, leaver, stranger] = await Promise.all([
      signUp(platform.url, 'host'),
      signUp(platform.url, 'stayer'),
      signUp(platform.url, 'leaver'),
      signUp(platform.url, 'stranger'),
    ]);
  });
  afterAll(() => {
    for (const client of clients) client.close();
    clients = [];
  });

  describe('attendance of a live webinar', () => {
    let webinarId: string;
    let number: string;

    it('keeps the certificate threshold off by default, and refuses nonsense', async () => {
      webinarId = await newWebinar('Onboarding, part 1');
      const policy = `/api/v1/webinars/${webinarId}/certificate-policy`;
      expect((await host.client.get(policy)).body).toEqual({ thresholdPercent: null });
      for (const bad of [0, 101, 50.5, 'all']) {
        const reply = await host.client.put(policy, { thresholdPercent: bad });
        expect(reply.status, JSON.stringify(bad)).toBe(400);
        expect(reply.body.code).toBe('bad_request');
      }
      expect((await stranger.client.put(policy, { thresholdPercent: 10 })).status).toBe(403);
      expect((await new ApiClient(platform.url).get(policy)).status).toBe(401);
      expect((await host.client.get(policy)).body).toEqual({ thresholdPercent: null });
      expect((await host.client.put(policy, { thresholdPercent: 50 })).body).toEqual({ thresholdPercent: 50 });
    });

    it('records who joins and leaves, and ends the rest with the webinar', async () => {
      expect((await host.client.post(`/api/v1/webinars/${webinarId}/start`)).status).toBe(200);
      await attend(webinarId, stayer);
      const leaving = await attend(webinarId, leaver);
      await attend(webinarId); // anonymous: counted, never named
      const open = await waitFor(
        async () => {
          const rows = await prisma().webinarAttendance.findMany({ where: { webinarId, leftAt: null } });
          return rows.length === 3 && rows;
        },
        { what: 'three open stretches' },
      );
      expect(open.map((row) => row.via)).toEqual(['webrtc', 'webrtc', 'webrtc']);
      expect(open.filter((row) => row.userId === null).map((row) => row.viewer)).toEqual([
        expect.stringMatching(/^anon:/),
      ]);

      leaving.close();
      await waitFor(
        async () => (await prisma().webinarAttendance.findFirst({ where: { webinarId, userId: leaver.id } }))?.leftAt,
        { what: "the leaver's stretch to end" },
      );
      // The stayer answers a poll (the report's participation columns count it).
      const poll = await host.client.post(`/api/v1/webinars/${webinarId}/polls`, {
        question: 'Ready for part 2?',
        options: ['Yes', 'Not yet'],
      });
      expect((await host.client.post(`/api/v1/polls/${poll.body.id}/launch`)).status).toBe(200);
      expect((await stayer.client.put(`/api/v1/polls/${poll.body.id}/vote`, { choices: [0] })).status).toBe(200);
      // The stayer's share must be well above the leaver's (who left at once): a few seconds live.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect((await host.client.post(`/api/v1/webinars/${webinarId}/end`)).status).toBe(200);
      await waitFor(
        async () => (await prisma().webinarAttendance.count({ where: { webinarId, leftAt: null } })) === 0,
        {
          what: 'every stretch to end with the webinar',
        },
      );
    });

    it('issues a certificate at the end to the attendee above the threshold only', async () => {
      const certificate = await waitFor(
        async () => (await stayer.client.get(`/api/v1/webinars/${webinarId}/certificate`)).body.number ?? false,
        { what: "the stayer's certificate" },
      );
      number = certificate;
      expect((await leaver.client.get(`/api/v1/webinars/${webinarId}/certificate`)).status).toBe(404);
      expect(await prisma().webinarCertificate.count({ where: { webinarId } })).toBe(1);
      const mine = await stayer.client.get('/api/v1/me/certificates');
      expect(mine.body.items).toHaveLength(1);
      expect(mine.body.items[0]).toMatchObject({ webinarTitle: 'Onboarding, part 1', status: 'genuine' });
      // Too late to change who gets one.
      const late = await host.client.put(`/api/v1/webinars/${webinarId}/certificate-policy`, { thresholdPercent: 1 });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('webinar_ended');
    });

    it('reports attendance to the host, as JSON and CSV', async () => {
      expect((await stranger.client.get(`/api/v1/webinars/${webinarId}/attendance`)).status).toBe(403);
      expect((await new ApiClient(platform.url).get(`/api/v1/webinars/${webinarId}/attendance.csv`)).status).toBe(401);
      const { body: report } = await host.client.get(`/api/v1/webinars/${webinarId}/attendance`);
      expect(report).toMatchObject({ attended: 2, anonymousViewers: 1, registrants: 0, noShows: 0, peakAttendees: 3 });
      expect(report.participationCounted).toBe(true);
      const [first, second] = report.attendees;
      expect(first).toMatchObject({
        userId: stayer.id,
        role: 'attendee',
        questions: 0,
        votes: 0,
        pollAnswers: 1,
        certificate: { number },
      });
      // From their join (a moment after the start) to the end.
      expect(first.attendedSeconds).toBeGreaterThanOrEqual(report.liveSeconds - 2);
      expect(first.sharePercent).toBeGreaterThan(50);
      expect(second).toMatchObject({ userId: leaver.id, certificate: null, pollAnswers: 0 });
      expect(second.sharePercent).toBeLessThan(25);

      const csv = await host.client.get(`/api/v1/webinars/${webinarId}/attendance.csv`);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = String(csv.body).trim().split('\r\n');
      expect(lines[0]).toContain('"Minutes attended"');
      expect(lines).toHaveLength(3);
      const stayerName = (await prisma().user.findUniqueOrThrow({ where: { id: stayer.id } })).name;
      expect(lines[1]).toContain(`"${stayerName}"`);
      expect(lines[1]).toContain(`"${number}"`);
      expect(lines[1]).not.toContain('"—"'); // every participation column counted
    });

    it('gives the holder and the host a PDF with the name and number, and nobody else', async () => {
      const stayerName = (await prisma().user.findUniqueOrThrow({ where: { id: stayer.id } })).name;
      const url = `/api/v1/certificates/${number}/certificate.pdf`;
      for (const who of [stayer, host]) {
        const { status, text } = await pdfText(who, url);
        expect(status).toBe(200);
        expect(text).toContain(stayerName);
        expect(text).toContain(number);
        expect(text).toContain('Onboarding, part 1');
        expect(text).toContain(`/certificates/${number}`);
      }
      expect((await pdfText(leaver, url)).status).toBe(403);
    });

    it('verifies a number publicly, refuses a tampered one, and says when it was revoked', async () => {
      const anyone = new ApiClient(platform.url);
      const genuine = await anyone.get(`/api/v1/certificates/${number.toLowerCase()}`);
      expect(genuine.status).toBe(200);
      expect(genuine.body).toMatchObject({ status: 'genuine', webinarTitle: 'Onboarding, part 1', revokedAt: null });
      // One character changed (the dashes are at 3, 7, 11...): its check character gives it away.
      const swapped = number.slice(0, 5) + (number[5] === 'A' ? 'B' : 'A') + number.slice(6);
      for (const wrong of [swapped, 'nonsense', `${number}0`]) {
        const reply = await anyone.get(`/api/v1/certificates/${encodeURIComponent(wrong)}`);
        expect(reply.status, wrong).toBe(404);
        expect(reply.body.code).toBe('not_found');
      }

      const revoke = `/api/v1/certificates/${number}/revoke`;
      expect((await stayer.client.post(revoke)).status).toBe(403);
      expect((await anyone.post(revoke)).status).toBe(401);
      expect((await anyone.get(`/api/v1/certificates/${number}`)).body.status).toBe('genuine');
      const revoked = await host.client.post(revoke);
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
      const after = await anyone.get(`/api/v1/certificates/${number}`);
      expect(after.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
      expect((await pdfText(stayer, `/api/v1/certificates/${number}/certificate.pdf`)).status).toBe(410);
    });
  });

  describe('the attendance tracker', () => {
    it('counts media not seen for 60 s as left when it was last seen, and keeps writing while it flows', async () => {
      const webinarId = await newWebinar('Clockwork');
      let now = Date.parse('2026-12-08T10:00:00Z');
      const tracker = new AttendanceTracker({ prisma: prisma(), logger: testLogger, now: () => now, sweepEveryMs: 0 });
      const presence = { webinarId, userId: stayer.id, session: 's1', via: 'hls' as const };
      tracker.seen(presence);
      now += 20_000;
      tracker.seen(presence);
      await tracker.settled();
      const row = await prisma().webinarAttendance.findFirstOrThrow({ where: { webinarId } });
      expect(row.lastSeenAt.getTime()).toBe(Date.parse('2026-12-08T10:00:20Z'));

      now += 59_000; // 59 s without media: still there
      await tracker.sweep();
      expect((await prisma().webinarAttendance.findFirstOrThrow({ where: { webinarId } })).leftAt).toBeNull();
      now += 2_000; // 61 s: left, when last seen
      await tracker.sweep();
      expect((await prisma().webinarAttendance.findFirstOrThrow({ where: { webinarId } })).leftAt?.toISOString()).toBe(
        '2026-12-08T10:00:20.000Z',
      );

      // Seen again: a new stretch. The webinar's end closes it at the end, as it was seen lately.
      tracker.seen(presence);
      await tracker.settled();
      const endedAt = new Date(now + 5_000);
      await tracker.webinarEnded(webinarId, endedAt);
      const rows = await prisma().webinarAttendance.findMany({ where: { webinarId }, orderBy: { joinedAt: 'asc' } });
      expect(rows.map((r) => r.leftAt?.toISOString())).toEqual(['2026-12-08T10:00:20.000Z', endedAt.toISOString()]);
      await tracker.close();
    });

    it('ends what a stopped process left open when it was last seen', async () => {
      const webinarId = await newWebinar('Crash');
      const seen = new Date(Date.now() - 120_000);
      await prisma().webinarAttendance.create({
        data: {
          webinarId,
          userId: leaver.id,
          viewer: `user:${leaver.id}`,
          via: 'webrtc',
          joinedAt: seen,
          lastSeenAt: seen,
        },
      });
      const tracker = new AttendanceTracker({ prisma: prisma(), logger: testLogger, sweepEveryMs: 0 });
      expect(await tracker.closeAbandoned()).toBeGreaterThanOrEqual(1);
      expect((await prisma().webinarAttendance.findFirstOrThrow({ where: { webinarId } })).leftAt).toEqual(seen);
      await tracker.close();
    });
  });

  describe('attendance over HLS', () => {
    it('names a player by its session or join link, and records its stretch as the tracker does', async () => {
      const slug = `hls-${randomBytes(4).toString('hex')}`;
      expect((await host.client.post('/api/v1/channels', { slug, title: 'Training team' })).status).toBe(201);
      const created = await host.client.post(`/api/v1/channels/${slug}/webinars`, {
        title: 'Registered only',
        scheduledStart: new Date(Date.now() + 3_600_000).toISOString(),
        durationMinutes: 60,
        audience: 'registered',
      });
      const webinarId: string = created.body.id;
      const registered = await leaver.client.post(`/api/v1/webinars/${webinarId}/registration`, { answers: [] });
      expect(registered.status).toBe(201);
      const token = new URL(registered.body.joinUrl).searchParams.get('join')!;

      // A request as the HLS routes see it: a session cookie, or the join link's token in the query.
      const guard = createWatchGuard(prisma());
      const request = (user?: TestUser, query: Record<string, string> = {}) =>
        ({
          headers: {},
          query,
          cookies: user?.client.cookie ? { aethex_session: user.client.cookie.split('=')[1] } : {},
          sessionState: null,
          server: { authOptions: { prisma: prisma(), publicUrl: platform.url } },
        }) as unknown as FastifyRequest;
      expect(await guard.attendeeOf(request(stayer), webinarId)).toBe(stayer.id);
      expect(await guard.attendeeOf(request(undefined, { token }), webinarId)).toBe(leaver.id);
      expect(await guard.attendeeOf(request(undefined, { token: 'wreg_guessed' }), webinarId)).toBeUndefined();
      expect(await guard.attendeeOf(request(), webinarId)).toBeUndefined();

      let now = Date.parse('2026-12-08T11:00:00Z');
      const tracker = new AttendanceTracker({ prisma: prisma(), logger: testLogger, now: () => now, sweepEveryMs: 0 });
      const hls = new HlsAttendance(tracker, () => now);
      hls.started('pb-1', webinarId, leaver.id);
      for (let i = 0; i < 4; i++) {
        now += 6_000; // a live playlist every few seconds
        hls.playing('pb-1');
      }
      now += 61_000; // the player stopped asking
      await tracker.sweep();
      const [row] = await prisma().webinarAttendance.findMany({ where: { webinarId } });
      expect(row).toMatchObject({ userId: leaver.id, via: 'hls', viewer: `user:${leaver.id}` });
      expect(row!.leftAt!.getTime() - row!.joinedAt.getTime()).toBe(24_000);
      await tracker.close();
    });
  });
});
