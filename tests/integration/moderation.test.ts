// Chat moderation over real HTTP and real sockets on both databases: deleting a message, bans and
// time-outs, chat settings, the moderation log, and who may do each (owner, admin, the channel's
// moderators; nobody else, and no moderator of another channel).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';
import { chatChannel, ChatTestClient, makeModerator } from '../support/chat-client.ts';

describe.each(databaseTargets())('chat moderation on $name', (target) => {
  let platform: TestPlatform;
  const clients: ChatTestClient[] = [];
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '10000' }, (started) => (platform = started));
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  const prisma = () => platform.database!.prisma;
  const connect = async (user?: TestUser) => {
    const client = await ChatTestClient.connect(platform.url, { cookie: user?.client.cookie });
    clients.push(client);
    return client;
  };
  const say = async (user: TestUser, slug: string, body: string) => {
    const reply = await (await connect(user)).send(slug, body);
    if (!reply.ok) throw new Error(`send refused: ${JSON.stringify(reply.error)}`);
    return reply.message;
  };
  const auditOf = (channelId: string) =>
    prisma().moderationAction.findMany({ where: { channelId }, orderBy: { createdAt: 'asc' } });

  it('deletes a message: other clients hear message-deleted, history and the list no longer have it, the log has it', async () => {
    const channel = await chatChannel(platform);
    const [mod, troll] = [await signUp(platform.url, 'mod'), await signUp(platform.url, 'troll')];
    await makeModerator(platform, channel.id, mod.id);
    const reader = await connect();
    await reader.joined(channel.slug);
    const kept = await say(troll, channel.slug, 'a fair point');
    const rude = await say(troll, channel.slug, 'something rude');
    await reader.waitForEvent('message', (m) => m.id === rude.id);

    const reply = await mod.client.delete(`/api/v1/channels/${channel.slug}/chat/messages/${rude.id}`);

    expect(reply.status).toBe(204);
    expect(await reader.waitForEvent('message-deleted', (e) => e.id === rude.id)).toEqual({
      channel: channel.slug,
      id: rude.id,
    });
    const history = (await (await connect()).joined(channel.slug)).history;
    expect(history.map((m) => m.id)).toEqual([kept.id]);
    const page = await new ApiClient(platform.url).get(`/api/v1/channels/${channel.slug}/chat/messages`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((m: { id: string }) => m.id)).toEqual([kept.id]);
    const row = await prisma().chatMessage.findUniqueOrThrow({ where: { id: rude.id } });
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect(row.deletedById).toBe(mod.id);
    expect(await auditOf(channel.id)).toMatchObject([
      {
        kind: 'delete_message',
        moderatorId: mod.id,
        targetUserId: troll.id,
        messageId: rude.id,
        details: { body: 'something rude' },
      },
    ]);

    // Deleting it again changes nothing and logs nothing; a message of another channel is not found.
    expect((await mod.client.delete(`/api/v1/channels/${channel.slug}/chat/messages/${rude.id}`)).status).toBe(204);
    expect(await auditOf(channel.id)).toHaveLength(1);
    const other = await chatChannel(platform);
    const elsewhere = await say(troll, other.slug, 'elsewhere');
    expect((await mod.client.delete(`/api/v1/channels/${channel.slug}/chat/messages/${elsewhere.id}`)).status).toBe(
      404,
    );
    expect((await prisma().chatMessage.findUniqueOrThrow({ where: { id: elsewhere.id } })).deletedAt).toBeNull();
  });

  it('bans a user: the room hears it, their messages are refused, the ban is listed, unban lets them talk again', async () => {
    const channel = await chatChannel(platform);
    const troll = await signUp(platform.url, 'troll');
    const trollSocket = await connect(troll);
    const reader = await connect();
    await Promise.all([trollSocket.joined(channel.slug), reader.joined(channel.slug)]);

    const ban = await channel.owner.client.post(`/api/v1/channels/${channel.slug}/chat/bans`, {
      username: troll.username.toUpperCase(),
      reason: ' spam ',
    });

    expect(ban.status).toBe(201);
    expect(ban.body).toEqual({ userId: troll.id, expiresAt: null });
    expect(await reader.waitForEvent('user-banned')).toEqual({
      channel: channel.slug,
      userId: troll.id,
      expiresAt: null,
    });
    expect(await trollSocket.send(channel.slug, 'let me back')).toMatchObject({ ok: false, error: { code: 'banned' } });
    const list = await channel.owner.client.get(`/api/v1/channels/${channel.slug}/chat/bans`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      {
        user: { id: troll.id, username: troll.username, name: expect.any(String) },
        expiresAt: null,
        reason: 'spam',
        createdAt: expect.any(String),
      },
    ]);

    const unban = await channel.owner.client.delete(`/api/v1/channels/${channel.slug}/chat/bans/${troll.id}`);

    expect(unban.status).toBe(204);
    expect(await reader.waitForEvent('user-unbanned')).toEqual({ channel: channel.slug, userId: troll.id });
    expect((await trollSocket.send(channel.slug, 'I will behave')).ok).toBe(true);
    expect((await channel.owner.client.get(`/api/v1/channels/${channel.slug}/chat/bans`)).body).toEqual([]);
    expect((await channel.owner.client.delete(`/api/v1/channels/${channel.slug}/chat/bans/${troll.id}`)).status).toBe(
      404,
    );
    expect((await auditOf(channel.id)).map((a) => [a.kind, a.targetUserId])).toEqual([
      ['ban', troll.id],
      ['unban', troll.id],
    ]);
  });

  it('times a user out for durationSeconds: the room hears until when, their messages are refused meanwhile', async () => {
    const channel = await chatChannel(platform);
    const [mod, loud] = [await signUp(platform.url, 'mod'), await signUp(platform.url, 'loud')];
    await makeModerator(platform, channel.id, mod.id);
    const reader = await connect();
    await reader.joined(channel.slug);
    const before = Date.now();

    const reply = await mod.client.post(`/api/v1/channels/${channel.slug}/chat/bans`, {
      username: loud.username,
      durationSeconds: 600,
    });

    expect(reply.status).toBe(201);
    const expiresAt = Date.parse(reply.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(expiresAt).toBeLessThan(Date.now() + 600_000 + 1000);
    expect(await reader.waitForEvent('user-timed-out')).toEqual({
      channel: channel.slug,
      userId: loud.id,
      expiresAt: reply.body.expiresAt,
    });
    expect(await (await connect(loud)).send(channel.slug, 'hey')).toMatchObject({
      ok: false,
      error: { code: 'timed_out', expiresAt: reply.body.expiresAt },
    });
    expect(await auditOf(channel.id)).toMatchObject([
      {
        kind: 'timeout',
        moderatorId: mod.id,
        targetUserId: loud.id,
        details: { durationSeconds: 600, expiresAt: reply.body.expiresAt, reason: '' },
      },
    ]);

    // A ban replaces the time-out.
    expect(
      (await mod.client.post(`/api/v1/channels/${channel.slug}/chat/bans`, { username: loud.username })).status,
    ).toBe(201);
    expect(await prisma().channelBan.findMany({ where: { channelId: channel.id } })).toMatchObject([
      { userId: loud.id, expiresAt: null },
    ]);
  });

  it('refuses to ban the owner, an admin or a moderator (403), an unknown user (404) or a bad duration (400)', async () => {
    const channel = await chatChannel(platform);
    const [mod, otherMod, admin] = [
      await signUp(platform.url, 'mod'),
      await signUp(platform.url, 'mod2'),
      await signUp(platform.url, 'admin'),
    ];
    await makeModerator(platform, channel.id, mod.id);
    await makeModerator(platform, channel.id, otherMod.id);
    await prisma().user.update({ where: { id: admin.id }, data: { role: 'admin' } });
    const ban = (username: string, extra: object = {}) =>
      mod.client.post(`/api/v1/channels/${channel.slug}/chat/bans`, { username, ...extra });

    for (const protectedUser of [channel.owner, admin, otherMod, mod]) {
      expect(await ban(protectedUser.username)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    }
    expect(await ban('nobody_by_that_name')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    const viewer = await signUp(platform.url, 'viewer');
    for (const durationSeconds of [0, 1_209_601, 1.5]) {
      expect(await ban(viewer.username, { durationSeconds })).toMatchObject({
        status: 400,
        body: { code: 'bad_request' },
      });
    }
    expect(await ban(viewer.username, { role: 'admin' })).toMatchObject({ status: 400 });
    expect(await prisma().channelBan.count({ where: { channelId: channel.id } })).toBe(0);
    expect(await auditOf(channel.id)).toEqual([]);
  });

  it('changes the settings: the room hears them (banned words only reach moderators), subscribers-only is refused', async () => {
    const channel = await chatChannel(platform);
    const mod = await signUp(platform.url, 'mod');
    await makeModerator(platform, channel.id, mod.id);
    const modSocket = await connect(mod);
    const reader = await connect();
    await Promise.all([modSocket.joined(channel.slug), reader.joined(channel.slug)]);
    const url = `/api/v1/channels/${channel.slug}/chat/settings`;

    const reply = await mod.client.patch(url, {
      slowModeSeconds: 30,
      followersOnly: true,
      bannedWords: [' Spoiler ', 'spoiler', 'leak'],
    });

    const settings = { slowModeSeconds: 30, followersOnly: true, subscribersOnly: false };
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ...settings, bannedWords: ['Spoiler', 'leak'] });
    expect(await reader.waitForEvent('settings')).toEqual({ channel: channel.slug, settings });
    expect(await modSocket.waitForEvent('settings')).toEqual({
      channel: channel.slug,
      settings: { ...settings, bannedWords: ['Spoiler', 'leak'] },
    });
    expect((await channel.owner.client.get(url)).body).toEqual({ ...settings, bannedWords: ['Spoiler', 'leak'] });
    const [logged] = await auditOf(channel.id);
    expect(logged).toMatchObject({
      kind: 'update_chat_settings',
      moderatorId: mod.id,
      details: {
        slowModeSeconds: { from: 0, to: 30 },
        followersOnly: { from: false, to: true },
        bannedWords: { from: [], to: ['Spoiler', 'leak'] },
      },
    });

    expect(await mod.client.patch(url, { subscribersOnly: true })).toMatchObject({
      status: 422,
      body: { code: 'payments_unavailable' },
    });
    expect(await mod.client.patch(url, { slowModeSeconds: 3601 })).toMatchObject({ status: 400 });
    expect(await mod.client.patch(url, { bannedWords: ['   '] })).toMatchObject({
      status: 400,
      body: { code: 'invalid_banned_word' },
    });
    expect(await mod.client.patch(url, { bannedWords: Array.from({ length: 201 }, (_, i) => `w${i}`) })).toMatchObject({
      status: 400,
    });
    expect(await mod.client.patch(url, { slowMode: 5 })).toMatchObject({ status: 400 });
    // Nothing changed: the same values again are no change either.
    expect(await mod.client.patch(url, { slowModeSeconds: 30 })).toMatchObject({
      status: 200,
      body: { ...settings, bannedWords: ['Spoiler', 'leak'] },
    });
    expect(await prisma().channel.findUniqueOrThrow({ where: { id: channel.id } })).toMatchObject({
      ...settings,
      bannedWords: ['Spoiler', 'leak'],
    });
    expect(await auditOf(channel.id)).toHaveLength(1);
    expect(reader.events.filter((e) => e.event === 'settings')).toHaveLength(1);
  });

  it('lists the moderation log newest first, with moderator and target names, a page at a time', async () => {
    const channel = await chatChannel(platform);
    const [mod, troll] = [await signUp(platform.url, 'mod'), await signUp(platform.url, 'troll')];
    await makeModerator(platform, channel.id, mod.id);
    const message = await say(troll, channel.slug, 'bad take');
    const base = `/api/v1/channels/${channel.slug}`;
    expect((await mod.client.delete(`${base}/chat/messages/${message.id}`)).status).toBe(204);
    expect(
      (
        await mod.client.post(`${base}/chat/bans`, {
          username: troll.username,
          durationSeconds: 60,
          reason: 'cool off',
        })
      ).status,
    ).toBe(201);
    expect((await channel.owner.client.post(`${base}/chat/bans`, { username: troll.username })).status).toBe(201);
    expect((await channel.owner.client.delete(`${base}/chat/bans/${troll.id}`)).status).toBe(204);
    expect((await mod.client.patch(`${base}/chat/settings`, { slowModeSeconds: 10 })).status).toBe(200);

    const first = await mod.client.get(`${base}/moderation-log?limit=3`);
    const second = await mod.client.get(`${base}/moderation-log?limit=3&cursor=${first.body.nextCursor}`);

    expect(first.status).toBe(200);
    const entries = [...first.body.items, ...second.body.items];
    expect(entries.map((e: { kind: string }) => e.kind)).toEqual([
      'update_chat_settings',
      'unban',
      'ban',
      'timeout',
      'delete_message',
    ]);
    expect(second.body.nextCursor).toBeNull();
    const summary = (user: TestUser) => ({ id: user.id, username: user.username, name: expect.any(String) });
    expect(entries[4]).toEqual({
      id: expect.any(String),
      kind: 'delete_message',
      moderator: summary(mod),
      target: summary(troll),
      messageId: message.id,
      details: { body: 'bad take' },
      createdAt: expect.any(String),
    });
    expect(entries[3]).toMatchObject({
      kind: 'timeout',
      moderator: summary(mod),
      target: summary(troll),
      details: { reason: 'cool off', durationSeconds: 60 },
    });
    expect(entries[2]).toMatchObject({
      kind: 'ban',
      moderator: summary(channel.owner),
      target: summary(troll),
      messageId: null,
    });
    expect(entries[0]).toMatchObject({
      kind: 'update_chat_settings',
      target: null,
      details: { slowModeSeconds: { from: 0, to: 10 } },
    });
    expect(await mod.client.get(`${base}/moderation-log?cursor=not-a-cursor`)).toMatchObject({ status: 400 });
  });

  it('pages the public message list newest first', async () => {
    const channel = await chatChannel(platform);
    const author = await signUp(platform.url, 'author');
    const start = Date.now() - 60_000;
    await prisma().chatMessage.createMany({
      // Two share a timestamp: the id breaks the tie, so no message is skipped or repeated across pages.
      data: [0, 1, 2, 2, 3].map((s, i) => ({
        channelId: channel.id,
        userId: author.id,
        body: `m${i}`,
        createdAt: new Date(start + s * 1000),
      })),
    });
    const anonymous = new ApiClient(platform.url);

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const reply: { status: number; body: { items: { body: string }[]; nextCursor: string | null } } =
        await anonymous.get(
          `/api/v1/channels/${channel.slug}/chat/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
      expect(reply.status).toBe(200);
      pages.push(reply.body.items.map((m) => m.body));
      cursor = reply.body.nextCursor;
    } while (cursor);

    expect(pages.flat()).toHaveLength(5);
    expect(new Set(pages.flat()).size).toBe(5);
    expect(pages.flat()[0]).toBe('m4');
    expect(pages.flat().at(-1)).toBe('m0');
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect((await anonymous.get(`/api/v1/channels/no-such-channel-x/chat/messages`)).status).toBe(404);
  });

  describe('authorization', () => {
    const routes = (slug: string, ids: { message: string; user: string }) => [
      { method: 'DELETE', path: `/api/v1/channels/${slug}/chat/messages/${ids.message}` },
      { method: 'POST', path: `/api/v1/channels/${slug}/chat/bans`, body: { username: 'someone_else' } },
      { method: 'DELETE', path: `/api/v1/channels/${slug}/chat/bans/${ids.user}` },
      { method: 'GET', path: `/api/v1/channels/${slug}/chat/bans` },
      { method: 'GET', path: `/api/v1/channels/${slug}/chat/settings` },
      { method: 'PATCH', path: `/api/v1/channels/${slug}/chat/settings`, body: { slowModeSeconds: 5 } },
      { method: 'GET', path: `/api/v1/channels/${slug}/moderation-log` },
    ];

    it('answers 403 to a signed-in user who does not moderate the channel, and to moderators of another channel; nothing changes', async () => {
      const [a, b] = [await chatChannel(platform), await chatChannel(platform)];
      const [viewer, modOfB] = [await signUp(platform.url, 'viewer'), await signUp(platform.url, 'modb')];
      await makeModerator(platform, b.id, modOfB.id);
      const victim = await signUp(platform.url, 'victim');
      const message = await say(victim, a.slug, 'keep me');
      await prisma().channelBan.create({
        data: { channelId: a.id, userId: victim.id, createdById: a.owner.id, expiresAt: new Date(Date.now() + 60_000) },
      });

      for (const caller of [viewer, modOfB, b.owner]) {
        for (const route of routes(a.slug, { message: message.id, user: victim.id })) {
          const reply = await caller.client.request(route.method, route.path, route.body);
          expect({ caller: caller.username, ...route, status: reply.status, code: reply.body.code }).toMatchObject({
            status: 403,
            code: 'forbidden',
          });
        }
      }
      expect((await prisma().chatMessage.findUniqueOrThrow({ where: { id: message.id } })).deletedAt).toBeNull();
      expect(await prisma().channelBan.count({ where: { channelId: a.id } })).toBe(1);
      expect((await prisma().channel.findUniqueOrThrow({ where: { id: a.id } })).slowModeSeconds).toBe(0);
      expect(await auditOf(a.id)).toEqual([]);
    });

    it('answers 401 when signed out and 404 for a channel that does not exist', async () => {
      const channel = await chatChannel(platform);
      const ids = { message: randomUUID(), user: randomUUID() };
      const anonymous = new ApiClient(platform.url);
      const someone = await signUp(platform.url, 'someone');

      for (const route of routes(channel.slug, ids)) {
        const reply = await anonymous.request(route.method, route.path, route.body);
        expect({ ...route, status: reply.status, code: reply.body.code }).toMatchObject({
          status: 401,
          code: 'unauthorized',
        });
      }
      for (const route of routes('no-such-channel-here', ids)) {
        const reply = await someone.client.request(route.method, route.path, route.body);
        expect({ ...route, status: reply.status, code: reply.body.code }).toMatchObject({
          status: 404,
          code: 'not_found',
        });
      }
    });

    it('lets an admin moderate any channel', async () => {
      const channel = await chatChannel(platform);
      const [admin, troll] = [await signUp(platform.url, 'admin'), await signUp(platform.url, 'troll')];
      await prisma().user.update({ where: { id: admin.id }, data: { role: 'admin' } });
      const message = await say(troll, channel.slug, 'hmm');

      expect((await admin.client.delete(`/api/v1/channels/${channel.slug}/chat/messages/${message.id}`)).status).toBe(
        204,
      );
      expect(
        (await admin.client.post(`/api/v1/channels/${channel.slug}/chat/bans`, { username: troll.username })).status,
      ).toBe(201);
      expect((await admin.client.get(`/api/v1/channels/${channel.slug}/moderation-log`)).body.items).toHaveLength(2);
    });
  });
});
