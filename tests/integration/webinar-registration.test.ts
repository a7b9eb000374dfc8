// Webinar registration over real HTTP on both databases: a webinar for registered attendees takes
// registrations (open or approved by the host, with a capacity and the host's questions); the
// registrant gets a personal join link and an .ics file; the host lists, approves, declines and
// exports them; approved registrants (and only they) get a seat on the stage and the composed HLS;
// the 15-minute reminder reaches each approved registrant once, however many processes tick.
// Every refusal answers a stable code and changes nothing.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createWatchGuard } from '../../api/viewer-access/watch-guard.ts';
import { WebinarReminders } from '../../api/webinars/webinar-reminders.ts';
import { createWebinarStageDirectory } from '../../api/webinars/webinar-stage-directory.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { testLogger } from '../support/logger.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

const HOUR = 3_600_000;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

describe.each(databaseTargets())('webinar registration on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, (started) => (platform = started));

  const prisma = () => platform.database!.prisma;
  const anonymous = () => new ApiClient(platform.url);

  async function webinar(change: Record<string, unknown> = {}) {
    const owner = await signUp(platform.url, 'host');
    const slug = `reg-${randomBytes(4).toString('hex')}`;
    expect((await owner.client.post('/api/v1/channels', { slug, title: 'Training, weekly' })).status).toBe(201);
    const reply = await owner.client.post(`/api/v1/channels/${slug}/webinars`, {
      title: 'Onboarding; part 1, basics',
      description: 'Bring questions.\nAnd coffee.',
      scheduledStart: inHours(2),
      durationMinutes: 90,
      audience: 'registered',
      ...change,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return { owner, slug, id: reply.body.id as string, body: reply.body };
  }

  const register = (user: TestUser, id: string, answers: string[] = []) =>
    user.client.post(`/api/v1/webinars/${id}/registration`, { answers });

  /** Asserts a refusal with `status` and `code`, and that no registration or webinar row changed. */
  async function expectRefused(
    id: string,
    request: Promise<{ status: number; body: any }>,
    status: number,
    code: string,
  ) {
    const snapshot = async () => ({
      webinar: await prisma().webinar.findUnique({ where: { id } }),
      registrations: await prisma().webinarRegistration.findMany({ where: { webinarId: id }, orderBy: { id: 'asc' } }),
    });
    const before = await snapshot();
    const reply = await request;
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    expect(reply.body.code).toBe(code);
    expect(await snapshot()).toEqual(before);
  }

  it('keeps the host’s registration settings, within their limits', async () => {
    const questions = [
      { text: 'Your team?', required: true },
      { text: 'What should we cover?', required: false },
    ];
    const { owner, id, body } = await webinar({
      registrationApproval: true,
      registrationCapacity: 500,
      registrationQuestions: questions,
    });
    expect(body.registration).toEqual({ approval: true, capacity: 500, questions, full: false });
    expect((await anonymous().get(`/api/v1/webinars/${id}`)).body.registration.questions).toEqual(questions);

    const patch = (change: Record<string, unknown>) => owner.client.patch(`/api/v1/webinars/${id}`, change);
    const four = Array.from({ length: 4 }, (_, i) => ({ text: `Q${i}`, required: false }));
    await expectRefused(id, patch({ registrationQuestions: four }), 400, 'bad_request');
    await expectRefused(
      id,
      patch({ registrationQuestions: [{ text: 'x'.repeat(201), required: true }] }),
      400,
      'bad_request',
    );
    await expectRefused(id, patch({ registrationQuestions: [{ text: '   ', required: true }] }), 400, 'bad_request');
    await expectRefused(id, patch({ registrationQuestions: [{ text: 'Hi?' }] }), 400, 'bad_request');
    await expectRefused(id, patch({ registrationCapacity: 0 }), 400, 'bad_request');
    await expectRefused(id, patch({ registrationCapacity: 2.5 }), 400, 'bad_request');
    await expectRefused(id, patch({ registrationCapacity: -3 }), 400, 'bad_request');
    await expectRefused(id, patch({ registrationCapacity: 100_001 }), 400, 'bad_request');
    await expectRefused(id, patch({ registrationApproval: 'yes' }), 400, 'bad_request');
    const stranger = await signUp(platform.url, 'stranger');
    await expectRefused(
      id,
      stranger.client.patch(`/api/v1/webinars/${id}`, { registrationCapacity: 1 }),
      403,
      'forbidden',
    );

    // Once someone registered, the questions stay (their answers follow them) and the capacity can't drop below them.
    const a = await signUp(platform.url, 'a');
    const b = await signUp(platform.url, 'b');
    expect((await register(a, id, ['Sales', ''])).status).toBe(201);
    expect((await register(b, id, ['Support', 'Q&A'])).status).toBe(201);
    await expectRefused(id, patch({ registrationQuestions: [] }), 409, 'registrations_exist');
    await expectRefused(id, patch({ registrationCapacity: 1 }), 409, 'capacity_below_registrants');
    const changed = await patch({
      registrationCapacity: 2,
      registrationApproval: false,
      registrationQuestions: questions,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.registration).toEqual({ approval: false, capacity: 2, questions, full: true });
  });

  it('registers a signed-in user with the account’s name and email, once, and lets them cancel', async () => {
    const { id } = await webinar({ registrationQuestions: [{ text: 'Your role?', required: true }] });
    const user = await signUp(platform.url, 'learner');

    await expectRefused(
      id,
      anonymous().post(`/api/v1/webinars/${id}/registration`, { answers: ['x'] }),
      401,
      'unauthorized',
    );
    await expectRefused(id, register(user, id, []), 400, 'answers_mismatch');
    await expectRefused(id, register(user, id, ['a', 'b']), 400, 'answers_mismatch');
    await expectRefused(id, register(user, id, ['   ']), 400, 'answer_required');
    await expectRefused(id, register(user, id, ['x'.repeat(501)]), 400, 'bad_request');
    await expectRefused(
      id,
      user.client.post(`/api/v1/webinars/${id}/registration`, { answers: [{}] }),
      400,
      'bad_request',
    );
    await expectRefused(id, user.client.post(`/api/v1/webinars/${id}/registration`, { extra: 1 }), 400, 'bad_request');
    await expectRefused(id, user.client.get(`/api/v1/webinars/${id}/registration`), 404, 'not_registered');
    await expectRefused(id, user.client.delete(`/api/v1/webinars/${id}/registration`), 409, 'not_registered');

    const created = await register(user, id, ['  Trainer ']);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      status: 'approved',
      name: expect.stringMatching(/^learner /),
      email: user.email,
      answers: ['Trainer'],
    });
    const token = new URL(created.body.joinUrl).searchParams.get('join')!;
    expect(token).toMatch(/^wreg_[A-Za-z0-9_-]{32}$/);
    expect(new URL(created.body.joinUrl).pathname).toBe(`/webinars/${id}`);
    expect((await user.client.get(`/api/v1/webinars/${id}/registration`)).body).toEqual(created.body);
    // Signed out, the join link's token finds the same registration; another token finds none.
    expect((await anonymous().get(`/api/v1/webinars/${id}/registration?token=${token}`)).body).toEqual(created.body);
    await expectRefused(
      id,
      anonymous().get(`/api/v1/webinars/${id}/registration?token=wreg_nope`),
      404,
      'not_registered',
    );
    await expectRefused(id, anonymous().get(`/api/v1/webinars/${id}/registration`), 401, 'unauthorized');

    await expectRefused(id, register(user, id, ['Again']), 409, 'already_registered');
    const cancelled = await user.client.delete(`/api/v1/webinars/${id}/registration`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await expectRefused(id, user.client.delete(`/api/v1/webinars/${id}/registration`), 409, 'not_registered');
    // Registering again renews it, with a new link: the old one no longer admits anybody.
    const again = await register(user, id, ['Back']);
    expect(again.status).toBe(201);
    expect(again.body.joinUrl).not.toBe(created.body.joinUrl);
    await expectRefused(
      id,
      anonymous().get(`/api/v1/webinars/${id}/registration?token=${token}`),
      404,
      'not_registered',
    );

    // Webinars for anyone (or signed-in people) take no registrations; unknown ones are 404.
    const open = await webinar({ audience: 'anyone' });
    await expectRefused(open.id, register(user, open.id), 409, 'registration_not_required');
    const unknown = await register(user, '00000000-0000-4000-8000-000000000000');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
    expect((await register(user, 'not-a-uuid')).status).toBe(404);
  });

  it('holds no more than its capacity, even when the last places are taken at once', async () => {
    const { owner, id } = await webinar({ registrationCapacity: 2 });
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((p) => signUp(platform.url, p)));
    expect((await register(a!, id)).status).toBe(201);
    // Two people for the last place at once: one gets it.
    const race = await Promise.all([register(b!, id), register(c!, id)]);
    expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(race.find((r) => r.status === 409)!.body.code).toBe('webinar_full');
    expect((await anonymous().get(`/api/v1/webinars/${id}`)).body.registration.full).toBe(true);
    await expectRefused(id, register(d!, id), 409, 'webinar_full');
    // A cancellation frees a place.
    expect((await a!.client.delete(`/api/v1/webinars/${id}/registration`)).status).toBe(200);
    expect((await register(d!, id)).status).toBe(201);
    expect(
      await prisma().webinarRegistration.count({ where: { webinarId: id, status: { in: ['pending', 'approved'] } } }),
    ).toBe(2);
    // Ended webinars take no more registrations.
    await owner.client.post(`/api/v1/webinars/${id}/start`);
    await owner.client.post(`/api/v1/webinars/${id}/end`);
    await expectRefused(id, register(a!, id), 409, 'webinar_ended');
  });

  it('lets the host and co-hosts list, approve, decline and export registrants when approval is on', async () => {
    const questions = [{ text: 'Company, team', required: true }];
    const { owner, id } = await webinar({
      registrationApproval: true,
      registrationCapacity: 2,
      registrationQuestions: questions,
    });
    const [a, b, c, cohost, stranger] = await Promise.all(
      ['a', 'b', 'c', 'cohost', 'stranger'].map((p) => signUp(platform.url, p)),
    );
    expect(
      (await owner.client.post(`/api/v1/webinars/${id}/members`, { username: cohost!.username, role: 'cohost' }))
        .status,
    ).toBe(201);
    const pending = await register(a!, id, ['=HYPERLINK("http://evil.example","x")']);
    expect(pending.body.status).toBe('pending');
    expect((await register(b!, id, ['Acme, "R&D"'])).body.status).toBe('pending');
    // A pending registrant has no calendar yet.
    await expectRefused(
      id,
      a!.client.get(`/api/v1/webinars/${id}/registration/calendar.ics`),
      409,
      'registration_not_approved',
    );

    const listed = await cohost!.client.get(`/api/v1/webinars/${id}/registrants`);
    expect(listed.status).toBe(200);
    expect(listed.body.counts).toEqual({ pending: 2, approved: 0, declined: 0, cancelled: 0 });
    expect(listed.body.items.map((r: any) => [r.username, r.email, r.status, r.answers])).toEqual([
      [a!.username, a!.email, 'pending', ['=HYPERLINK("http://evil.example","x")']],
      [b!.username, b!.email, 'pending', ['Acme, "R&D"']],
    ]);
    await expectRefused(id, stranger!.client.get(`/api/v1/webinars/${id}/registrants`), 403, 'forbidden');
    await expectRefused(id, a!.client.get(`/api/v1/webinars/${id}/registrants.csv`), 403, 'forbidden');
    await expectRefused(id, anonymous().get(`/api/v1/webinars/${id}/registrants`), 401, 'unauthorized');

    const [ra, rb] = listed.body.items as { id: string }[];
    const decide = (who: TestUser, rid: string, status: unknown) =>
      who.client.patch(`/api/v1/webinars/${id}/registrants/${rid}`, { status });
    const approved = await decide(owner, ra!.id, 'approved');
    expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
    expect((await decide(cohost!, rb!.id, 'declined')).body.status).toBe('declined');
    await expectRefused(id, register(b!, id, ['again']), 409, 'registration_declined');
    await expectRefused(id, decide(owner, rb!.id, 'cancelled'), 400, 'bad_request');
    await expectRefused(id, decide(owner, '00000000-0000-4000-8000-000000000000', 'approved'), 404, 'not_found');
    await expectRefused(id, decide(owner, 'nope', 'approved'), 404, 'not_found');
    await expectRefused(id, decide(stranger!, ra!.id, 'declined'), 403, 'forbidden');
    // The declined place went back: c takes it, and approving b again would pass the capacity.
    expect((await register(c!, id, ['Initech'])).status).toBe(201);
    await expectRefused(id, decide(owner, rb!.id, 'approved'), 409, 'webinar_full');
    expect((await c!.client.delete(`/api/v1/webinars/${id}/registration`)).status).toBe(200);
    const rc = (await owner.client.get(`/api/v1/webinars/${id}/registrants`)).body.items[2].id;
    await expectRefused(id, decide(owner, rc, 'approved'), 409, 'registration_cancelled');
    expect((await decide(owner, rb!.id, 'approved')).body.status).toBe('approved');

    const csv = await owner.client.get(`/api/v1/webinars/${id}/registrants.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = (csv.body as string).split('\r\n');
    expect(lines[0]).toBe('"Name","Username","Email","Status","Registered at (UTC)","Company, team"');
    expect(lines[1]).toContain(`"${a!.email}","approved"`);
    expect(lines[1]).toMatch(/,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)"$/);
    expect(lines[2]).toMatch(/,"Acme, ""R&D"""$/);
    expect(lines[3]).toContain('"cancelled"');
    expect(lines[4]).toBe('');
  });

  it('hands an approved registrant an RFC 5545 calendar file with UTC times and the join link', async () => {
    const { id, body } = await webinar();
    const user = await signUp(platform.url, 'cal');
    const reg = (await register(user, id)).body;
    const ics = await anonymous().get(reg.calendarUrl);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = ics.body as string;
    expect(text.endsWith('\r\n')).toBe(true);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const unfolded = text.replace(/\r\n /g, '');
    const field = (name: string) => new RegExp(`^${name}[:;](.*)$`, 'm').exec(unfolded)?.[1];
    const utc = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    expect(field('DTSTART')).toBe(utc(body.scheduledStart));
    expect(field('DTEND')).toBe(utc(new Date(Date.parse(body.scheduledStart) + 90 * 60_000).toISOString()));
    expect(field('DTSTAMP')).toMatch(/^\d{8}T\d{6}Z$/);
    expect(field('UID')).toBe(`${reg.id}@webinars.aethex-live`);
    expect(field('SUMMARY')).toBe('Onboarding\\; part 1\\, basics');
    expect(field('URL')).toBe(reg.joinUrl);
    expect(field('DESCRIPTION')).toContain('Bring questions.\\nAnd coffee.');
    expect(unfolded).toMatch(/^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\nPRODID:/);
    // Signed in, no token needed; someone else's session gets their own (none).
    expect((await user.client.get(`/api/v1/webinars/${id}/registration/calendar.ics`)).status).toBe(200);
    const other = await signUp(platform.url, 'other');
    await expectRefused(
      id,
      other.client.get(`/api/v1/webinars/${id}/registration/calendar.ics`),
      404,
      'not_registered',
    );
  });

  it('seats approved registrants on the stage and the composed HLS, signed in or by their join link', async () => {
    const { owner, id } = await webinar({ registrationApproval: true });
    const [approved, waiting, outsider] = await Promise.all(['ok', 'wait', 'out'].map((p) => signUp(platform.url, p)));
    const reg = (await register(approved!, id)).body;
    await register(waiting!, id);
    const rid = (await owner.client.get(`/api/v1/webinars/${id}/registrants`)).body.items[0].id;
    await owner.client.patch(`/api/v1/webinars/${id}/registrants/${rid}`, { status: 'approved' });
    const token = new URL(reg.joinUrl).searchParams.get('join')!;

    const directory = createWebinarStageDirectory(prisma(), { publicUrl: platform.url });
    const handshake = (user?: TestUser) => ({
      origin: platform.url,
      host: new URL(platform.url).host,
      cookie: user?.client.cookie,
    });
    const seat = (user?: TestUser, viewerToken?: string) =>
      directory.seatAt(id, { handshake: handshake(user), token: viewerToken });
    expect(await seat(approved)).toMatchObject({ role: 'attendee', onStage: false, userId: approved!.id });
    expect(await seat(undefined, token)).toMatchObject({
      role: 'attendee',
      userId: approved!.id,
      name: expect.stringMatching(/^ok /),
    });
    expect(await seat(waiting)).toBe('registration_required');
    expect(await seat(outsider)).toBe('registration_required');
    expect(await seat(outsider, 'wreg_guessed')).toBe('registration_required');
    expect(await seat()).toBe('sign_in');
    expect(await seat(owner)).toMatchObject({ role: 'host' });

    // The composed HLS's guard agrees.
    const guard = createWatchGuard(prisma());
    const request = (user?: TestUser, query: Record<string, string> = {}) =>
      ({
        headers: {},
        query,
        cookies: user?.client.cookie ? { aethex_session: user.client.cookie.split('=')[1] } : {},
        sessionState: null,
        server: { authOptions: { prisma: prisma(), publicUrl: platform.url } },
      }) as unknown as FastifyRequest;
    const attend = async (r: FastifyRequest) => {
      try {
        return await guard.assertMayAttend(r, id);
      } catch (error) {
        return (error as { code?: string }).code ?? String(error);
      }
    };
    expect(await attend(request(approved))).toEqual({ restricted: true });
    expect(await attend(request(undefined, { token }))).toEqual({ restricted: true });
    expect(await attend(request(owner))).toEqual({ restricted: true });
    expect(await attend(request(waiting))).toBe('registration_required');
    expect(await attend(request(undefined, { token: 'wreg_guessed' }))).toBe('registration_required');
    expect(await attend(request())).toBe('unauthorized');

    // Opened in a browser, the link becomes an HttpOnly cookie that the stage's socket and HLS carry.
    await expectRefused(
      id,
      anonymous().post(`/api/v1/webinars/${id}/registration/join`, { token: 'wreg_x' }),
      404,
      'not_registered',
    );
    const traded = await anonymous().post(`/api/v1/webinars/${id}/registration/join`, { token });
    expect(traded.status).toBe(200);
    expect(traded.body.id).toBe(reg.id);
    const setCookie = traded.headers.getSetCookie()[0]!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const joinCookie = setCookie.split(';')[0]!;
    const byCookie = await anonymous().request('GET', `/api/v1/webinars/${id}/registration`, undefined, {
      cookie: joinCookie,
    });
    expect(byCookie.body.id).toBe(reg.id);
    expect(await directory.seatAt(id, { handshake: { ...handshake(), cookie: joinCookie } })).toMatchObject({
      role: 'attendee',
      userId: approved!.id,
    });
    // Only from our own pages: another site's page can't use the cookie.
    expect(
      await directory.seatAt(id, {
        handshake: { origin: 'https://evil.example', host: new URL(platform.url).host, cookie: joinCookie },
      }),
    ).toBe('sign_in');
    const [name, value] = joinCookie.split('=') as [string, string];
    const cookieRequest = { ...request(), cookies: { [name]: value } } as unknown as FastifyRequest;
    expect(await attend(cookieRequest)).toEqual({ restricted: true });

    // Declined, the link admits nobody any more.
    await owner.client.patch(`/api/v1/webinars/${id}/registrants/${reg.id}`, { status: 'declined' });
    expect(await seat(undefined, token)).toBe('registration_required');
    expect(await seat(approved)).toBe('registration_required');
    expect(await attend(request(undefined, { token }))).toBe('registration_required');
    expect(await directory.seatAt(id, { handshake: { ...handshake(), cookie: joinCookie } })).toBe(
      'registration_required',
    );
    await expectRefused(
      id,
      anonymous().post(`/api/v1/webinars/${id}/registration/join`, { token }),
      404,
      'not_registered',
    );
  });

  it('reminds approved registrants 15 minutes before the start, once, whichever process ticks', async () => {
    // Later than every other test's webinars, so only this one is due at the clock below.
    const { owner, id, body } = await webinar({ registrationApproval: true, scheduledStart: inHours(6) });
    const [yes, no] = await Promise.all(['yes', 'no'].map((p) => signUp(platform.url, p)));
    await register(yes!, id);
    await register(no!, id);
    const rid = (await owner.client.get(`/api/v1/webinars/${id}/registrants`)).body.items[0].id;
    await owner.client.patch(`/api/v1/webinars/${id}/registrants/${rid}`, { status: 'approved' });

    const start = Date.parse(body.scheduledStart);
    let now = new Date(start - 20 * 60_000);
    // Two "processes", each with its own scheduler on the same database.
    const processes = [0, 1].map(() =>
      WebinarReminders.manual({ prisma: prisma(), logger: testLogger, now: () => now }),
    );
    expect(await processes[0]!.tick()).toBe(0); // 20 minutes ahead: not yet
    now = new Date(start - 14 * 60_000);
    const sent = await Promise.all(processes.map((p) => p.tick()));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await processes[1]!.tick()).toBe(0);

    const bell = await yes!.client.get('/api/v1/me/notifications');
    expect(bell.body.unreadCount).toBe(1);
    expect(bell.body.items[0]).toMatchObject({
      kind: 'webinar_reminder',
      webinarId: id,
      title: 'Onboarding; part 1, basics starts in 14 minutes',
      read: false,
    });
    expect((await no!.client.get('/api/v1/me/notifications')).body.items).toEqual([]);

    // A moved start earns a new reminder at the new time.
    const moved = new Date(start + HOUR).toISOString();
    expect((await owner.client.patch(`/api/v1/webinars/${id}`, { scheduledStart: moved })).status).toBe(200);
    expect(await processes[0]!.tick()).toBe(0);
    now = new Date(start + HOUR - 15 * 60_000);
    expect(await processes[1]!.tick()).toBe(1);
    await Promise.all(processes.map((p) => p.close()));
    expect(await processes[0]!.tick()).toBe(0); // closed: ticks nothing
  });
});
