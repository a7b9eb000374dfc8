// The /chat socket.io namespace over real connections on both databases: joining (history,
// settings, emotes, what I may do), two signed-in users talking, and every refusal of a message
// with its stable code, leaving nothing stored. Moderation over REST is in moderation.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { chatChannel, ChatTestClient, makeModerator, type ChatChannelFixture } from '../support/chat-client.ts';

describe.each(databaseTargets())('chat on $name', (target) => {
  let platform: TestPlatform;
  const clients: ChatTestClient[] = [];
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '10000' }, (started) => (platform = started));
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  const prisma = () => platform.database!.prisma;
  const connect = async (user?: TestUser, origin?: string) => {
    const client = await ChatTestClient.connect(platform.url, {
      cookie: user?.client.cookie,
      ...(origin ? { origin } : {}),
    });
    clients.push(client);
    return client;
  };
  const messageCount = (channel: ChatChannelFixture) =>
    prisma().chatMessage.count({ where: { channelId: channel.id } });

  it('gives a joining reader the last 50 messages that are not deleted, oldest first, the settings and the emotes', async () => {
    const channel = await chatChannel(platform);
    const author = await signUp(platform.url, 'author');
    const start = Date.now() - 3_600_000;
    await prisma().chatMessage.createMany({
      data: Array.from({ length: 55 }, (_, i) => ({
        channelId: channel.id,
        userId: author.id,
        body: `message ${i}`,
        createdAt: new Date(start + i * 1000),
        ...(i === 53 ? { deletedAt: new Date(), deletedById: channel.owner.id } : {}),
      })),
    });
    await prisma().channel.update({ where: { id: channel.id }, data: { slowModeSeconds: 5, bannedWords: ['secret'] } });
    await prisma().emote.create({ data: { channelId: channel.id, name: 'wave', imagePath: 'emotes/wave-abc.png' } });

    const reader = await connect();
    const joined = await reader.joined(channel.slug.toUpperCase());

    const expected = Array.from({ length: 55 }, (_, i) => `message ${i}`)
      .filter((_, i) => i !== 53)
      .slice(-50);
    expect(joined.history.map((m) => m.body)).toEqual(expected);
    expect(joined.history[0]).toEqual({
      id: expect.any(String),
      channel: channel.slug,
      body: 'message 4',
      createdAt: new Date(start + 4000).toISOString(),
      user: { id: author.id, username: author.username, name: expect.stringMatching(/^author /) },
      badges: [],
    });
    // The banned words are for moderators' eyes only.
    expect(joined.settings).toEqual({ slowModeSeconds: 5, followersOnly: false, subscribersOnly: false });
    expect(joined.emotes).toEqual([{ name: 'wave', url: '/uploads/emotes/wave-abc.png' }]);
    expect(joined.me).toEqual({
      canChat: false,
      reason: 'unauthorized',
      canModerate: false,
      timedOutUntil: null,
      banned: false,
    });

    const owner = await connect(channel.owner);
    const ownerJoin = await owner.joined(channel.slug);
    expect(ownerJoin.settings.bannedWords).toEqual(['secret']);
    expect(ownerJoin.me).toEqual({ canChat: true, canModerate: true, timedOutUntil: null, banned: false });
  });

  it('answers not_found for a channel that does not exist', async () => {
    const reader = await connect();
    const reply = await reader.join('no-such-channel-here');
    expect(reply).toMatchObject({ ok: false, error: { status: 404, code: 'not_found' } });
  });

  it('delivers a message from one signed-in user to another, stored as plain text on the live stream', async () => {
    const channel = await chatChannel(platform);
    const stream = await prisma().stream.create({
      data: { channelId: channel.id, state: 'live', startedAt: new Date() },
    });
    const [alice, bob] = [await signUp(platform.url, 'alice'), await signUp(platform.url, 'bob')];
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);
    const reader = await connect();
    await Promise.all([aliceSocket.joined(channel.slug), bobSocket.joined(channel.slug), reader.joined(channel.slug)]);
    // Markup is just text to the server: it is stored and sent back exactly as typed.
    const body = '  hi Bob <img src=x onerror=alert(1)> :wave: 日本語 😀  ';

    const reply = await aliceSocket.send(channel.slug, body);

    expect(reply).toMatchObject({
      ok: true,
      message: {
        body: body.trim(),
        channel: channel.slug,
        user: { id: alice.id, username: alice.username },
        badges: [],
      },
    });
    const sent = reply.ok ? reply.message : undefined;
    const atBob = await bobSocket.waitForEvent('message', (m) => m.id === sent!.id);
    expect(atBob).toEqual(sent);
    await reader.waitForEvent('message', (m) => m.id === sent!.id);
    await aliceSocket.waitForEvent('message', (m) => m.id === sent!.id); // the sender's room copy too
    const row = await prisma().chatMessage.findUniqueOrThrow({ where: { id: sent!.id } });
    expect(row).toMatchObject({
      channelId: channel.id,
      userId: alice.id,
      streamId: stream.id,
      body: body.trim(),
      deletedAt: null,
    });

    const answer = await bobSocket.send(channel.slug, 'hello Alice');
    expect(answer.ok).toBe(true);
    await aliceSocket.waitForEvent('message', (m) => m.body === 'hello Alice' && m.user.id === bob.id);
    // A reader of another channel hears nothing of this one.
    const other = await chatChannel(platform);
    const elsewhere = await connect();
    await elsewhere.joined(other.slug);
    await bobSocket.send(channel.slug, 'still here');
    await aliceSocket.waitForEvent('message', (m) => m.body === 'still here');
    expect(elsewhere.messagesReceived()).toEqual([]);
  });

  it('badges messages of the owner, a moderator and an admin', async () => {
    const channel = await chatChannel(platform);
    const [mod, admin] = [await signUp(platform.url, 'mod'), await signUp(platform.url, 'admin')];
    await makeModerator(platform, channel.id, mod.id);
    await prisma().user.update({ where: { id: admin.id }, data: { role: 'admin' } });

    const badges = async (user: TestUser) => {
      const socket = await connect(user);
      const reply = await socket.send(channel.slug, `from ${user.username}`);
      if (!reply.ok) throw new Error(JSON.stringify(reply.error));
      return reply.message.badges;
    };

    expect(await badges(channel.owner)).toEqual(['owner']);
    expect(await badges(mod)).toEqual(['moderator']);
    expect(await badges(admin)).toEqual(['admin']);
    const reader = await connect();
    const history = (await reader.joined(channel.slug)).history;
    expect(history.map((m) => m.badges)).toEqual([['owner'], ['moderator'], ['admin']]);
  });

  describe('refuses a message with a stable code and stores nothing', () => {
    it('unauthorized: an anonymous socket', async () => {
      const channel = await chatChannel(platform);
      const reader = await connect();
      await reader.joined(channel.slug);

      const reply = await reader.send(channel.slug, 'let me in');

      expect(reply).toMatchObject({ ok: false, error: { status: 401, code: 'unauthorized' } });
      expect(await messageCount(channel)).toBe(0);
    });

    it('unauthorized: a session cookie sent from another site (cross-site WebSocket hijacking)', async () => {
      const channel = await chatChannel(platform);
      const victim = await signUp(platform.url, 'victim');
      const hijacked = await connect(victim, 'https://evil.example');

      const joined = await hijacked.joined(channel.slug);
      const reply = await hijacked.send(channel.slug, 'sent by a hostile page');

      expect(joined.me).toMatchObject({ canChat: false, reason: 'unauthorized' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect(await messageCount(channel)).toBe(0);
    });

    it('unauthorized: a session that ended after the socket connected, within seconds', async () => {
      const channel = await chatChannel(platform);
      const user = await signUp(platform.url, 'leaver');
      const socket = await connect(user);
      expect((await socket.send(channel.slug, 'before')).ok).toBe(true);

      expect((await user.client.post('/api/v1/auth/logout')).status).toBe(204);
      const loggedOutAt = Date.now();

      // The socket re-checks its session every few seconds, not for every message.
      await waitFor(async () => (await socket.send(channel.slug, 'after')).ok === false || undefined, {
        timeoutMs: 10_000,
        intervalMs: 1100,
        what: 'sends to be refused',
      });
      expect(Date.now() - loggedOutAt).toBeLessThan(8000);
      const count = await messageCount(channel);
      expect(await socket.send(channel.slug, 'still after')).toMatchObject({
        ok: false,
        error: { code: 'unauthorized' },
      });
      expect(await messageCount(channel)).toBe(count);
    });

    it('banned', async () => {
      const channel = await chatChannel(platform);
      const user = await signUp(platform.url, 'banned');
      await prisma().channelBan.create({
        data: { channelId: channel.id, userId: user.id, createdById: channel.owner.id },
      });
      const socket = await connect(user);

      const joined = await socket.joined(channel.slug);
      const reply = await socket.send(channel.slug, 'hello?');

      expect(joined.me).toMatchObject({ canChat: false, reason: 'banned', banned: true, timedOutUntil: null });
      expect(reply).toMatchObject({ ok: false, error: { status: 403, code: 'banned' } });
      expect(await messageCount(channel)).toBe(0);
    });

    it('timed_out, until the time-out has run out', async () => {
      const channel = await chatChannel(platform);
      const user = await signUp(platform.url, 'timedout');
      const until = new Date(Date.now() + 600_000);
      await prisma().channelBan.create({
        data: { channelId: channel.id, userId: user.id, createdById: channel.owner.id, expiresAt: until },
      });
      const socket = await connect(user);

      const joined = await socket.joined(channel.slug);
      const reply = await socket.send(channel.slug, 'hello?');

      expect(joined.me).toMatchObject({
        canChat: false,
        reason: 'timed_out',
        banned: false,
        timedOutUntil: until.toISOString(),
      });
      expect(reply).toMatchObject({
        ok: false,
        error: { status: 403, code: 'timed_out', expiresAt: until.toISOString() },
      });
      expect(reply.ok === false && reply.error.retryAfterSeconds).toBeGreaterThan(590);
      expect(await messageCount(channel)).toBe(0);

      await prisma().channelBan.update({
        where: { channelId_userId: { channelId: channel.id, userId: user.id } },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      expect((await socket.send(channel.slug, 'back again')).ok).toBe(true);
    });

    it('empty, too_long and bad_request for the body; 500 characters (code points) pass', async () => {
      const channel = await chatChannel(platform);
      const user = await signUp(platform.url, 'typist');
      const socket = await connect(user);

      expect(await socket.send(channel.slug, '   ')).toMatchObject({
        ok: false,
        error: { status: 400, code: 'empty' },
      });
      expect(await socket.send(channel.slug, 'x'.repeat(501))).toMatchObject({
        ok: false,
        error: { status: 400, code: 'too_long' },
      });
      expect(await socket.send(channel.slug, 'two\nlines')).toMatchObject({
        ok: false,
        error: { status: 400, code: 'bad_request' },
      });
      expect(await messageCount(channel)).toBe(0);

      const longest = await socket.send(channel.slug, `  ${'😀'.repeat(500)}  `);
      expect(longest).toMatchObject({ ok: true, message: { body: '😀'.repeat(500) } });
    });

    it('banned_word, as a whole word whatever its case', async () => {
      const channel = await chatChannel(platform);
      await prisma().channel.update({ where: { id: channel.id }, data: { bannedWords: ['spoiler'] } });
      const user = await signUp(platform.url, 'talker');
      const socket = await connect(user);

      const reply = await socket.send(channel.slug, 'big SPOILER: the butler did it');

      expect(reply).toMatchObject({ ok: false, error: { status: 400, code: 'banned_word' } });
      expect(JSON.stringify(reply)).not.toMatch(/spoiler/i);
      expect(await messageCount(channel)).toBe(0);
      expect((await socket.send(channel.slug, 'no spoilers please')).ok).toBe(true);
    });

    it('followers_only, until the user follows; the owner and moderators are exempt', async () => {
      const channel = await chatChannel(platform);
      await prisma().channel.update({ where: { id: channel.id }, data: { followersOnly: true } });
      const [user, mod] = [await signUp(platform.url, 'newcomer'), await signUp(platform.url, 'mod')];
      await makeModerator(platform, channel.id, mod.id);
      const socket = await connect(user);

      const joined = await socket.joined(channel.slug);
      const reply = await socket.send(channel.slug, 'first!');

      expect(joined.me).toMatchObject({ canChat: false, reason: 'followers_only' });
      expect(reply).toMatchObject({ ok: false, error: { status: 403, code: 'followers_only' } });
      expect(await messageCount(channel)).toBe(0);
      expect((await (await connect(mod)).send(channel.slug, 'mods may')).ok).toBe(true);
      expect((await (await connect(channel.owner)).send(channel.slug, 'owners may')).ok).toBe(true);

      await prisma().follow.create({ data: { userId: user.id, channelId: channel.id } });
      expect((await socket.send(channel.slug, 'now I follow')).ok).toBe(true);
    });

    it('subscribers_only for everyone but moderators, since there are no subscriptions yet', async () => {
      const channel = await chatChannel(platform);
      await prisma().channel.update({ where: { id: channel.id }, data: { subscribersOnly: true } });
      const [user, mod] = [await signUp(platform.url, 'fan'), await signUp(platform.url, 'mod')];
      await makeModerator(platform, channel.id, mod.id);
      await prisma().follow.create({ data: { userId: user.id, channelId: channel.id } });

      const reply = await (await connect(user)).send(channel.slug, 'can I?');

      expect(reply).toMatchObject({ ok: false, error: { status: 403, code: 'subscribers_only' } });
      expect(await messageCount(channel)).toBe(0);
      expect((await (await connect(mod)).send(channel.slug, 'mods may')).ok).toBe(true);
    });

    it('slow_mode, with the seconds to wait; moderators are exempt', async () => {
      const channel = await chatChannel(platform);
      await prisma().channel.update({ where: { id: channel.id }, data: { slowModeSeconds: 120 } });
      const [user, mod] = [await signUp(platform.url, 'slowpoke'), await signUp(platform.url, 'mod')];
      await makeModerator(platform, channel.id, mod.id);
      const socket = await connect(user);

      expect((await socket.send(channel.slug, 'one')).ok).toBe(true);
      const reply = await socket.send(channel.slug, 'two');

      expect(reply).toMatchObject({ ok: false, error: { status: 429, code: 'slow_mode' } });
      const wait = reply.ok ? 0 : (reply.error.retryAfterSeconds as number);
      expect(wait).toBeGreaterThan(100);
      expect(wait).toBeLessThanOrEqual(120);
      expect(await messageCount(channel)).toBe(1);
      const modSocket = await connect(mod);
      expect((await modSocket.send(channel.slug, 'mod one')).ok).toBe(true);
      expect((await modSocket.send(channel.slug, 'mod two')).ok).toBe(true);

      // The last message is read from the database, not from this connection: a new one waits too.
      const again = await (await connect(user)).send(channel.slug, 'three');
      expect(again).toMatchObject({ ok: false, error: { code: 'slow_mode' } });
    });

    it('rate_limited: a sixth message within five seconds', async () => {
      const channel = await chatChannel(platform);
      const user = await signUp(platform.url, 'chatty');
      const socket = await connect(user);

      const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => socket.send(channel.slug, `burst ${i}`)));

      expect(replies.slice(0, 5).every((r) => r.ok)).toBe(true);
      expect(replies[5]).toMatchObject({
        ok: false,
        error: { status: 429, code: 'rate_limited', retryAfterSeconds: 1 },
      });
      expect(await messageCount(channel)).toBe(5);
      // Per channel: the same user can still talk elsewhere.
      const other = await chatChannel(platform);
      expect((await socket.send(other.slug, 'elsewhere')).ok).toBe(true);
    });
  });

  it('answers malformed payloads with bad_request and keeps the connection usable', async () => {
    const channel = await chatChannel(platform);
    const user = await signUp(platform.url, 'fuzzy');
    const socket = await connect(user);

    for (const args of [
      [42],
      [null],
      ['just a string'],
      [{ channel: 7 }],
      [{ channel: 'x'.repeat(65) }],
      [[channel.slug]],
    ]) {
      expect(await socket.emit('join', ...args)).toMatchObject({
        ok: false,
        error: { status: 400, code: 'bad_request' },
      });
    }
    for (const args of [
      [{ channel: channel.slug }],
      [{ channel: channel.slug, body: 42 }],
      [{ channel: channel.slug, body: { text: 'hi' } }],
      [undefined],
    ]) {
      expect(await socket.emit('send', ...args)).toMatchObject({
        ok: false,
        error: { status: 400, code: 'bad_request' },
      });
    }
    expect(await messageCount(channel)).toBe(0);
    expect(socket.connected).toBe(true);
    expect((await socket.joined(channel.slug)).me.canChat).toBe(true);
    expect((await socket.send(channel.slug, 'still works')).ok).toBe(true);
  });

  it('stops sending room events after leave', async () => {
    const channel = await chatChannel(platform);
    const user = await signUp(platform.url, 'speaker');
    const [speaker, reader, stayer] = [await connect(user), await connect(), await connect()];
    await reader.joined(channel.slug);
    await stayer.joined(channel.slug);

    expect(await reader.leave(channel.slug)).toEqual({ ok: true });
    await speaker.send(channel.slug, 'anyone?');

    await stayer.waitForEvent('message', (m) => m.body === 'anyone?');
    expect(reader.messagesReceived()).toEqual([]);
  });
});
