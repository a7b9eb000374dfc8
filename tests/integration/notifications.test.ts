// Go-live notifications end to end: a channel goes live through the real LiveStreams on the real
// stream directory, its followers get a Notification row each and, on their open /notifications
// sockets (real socket.io clients with the session cookie), the `notification` and `unread-count`
// events. Then the REST side: the list, the unread filter, marking read, cursor pages, and that
// nobody sees or marks anyone else's notifications.
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  NOTIFICATIONS_NAMESPACE,
  type NotificationServerEvents,
  type NotificationView,
} from '../../common/protocol/notifications.ts';
import { notifyFollowersOfLiveStream } from '../../api/notifications/follower-fanout.ts';
import { notifyFollowersWhenLive } from '../../api/notifications/live-notifications.ts';
import { NotificationPush } from '../../api/notifications/notification-push.ts';
import { createStreamDirectory } from '../../api/streams/stream-directory.ts';
import type { ChannelRef } from '../../common/live/channel-directory.ts';
import { LiveStreams } from '../../signaling/live-streams.ts';
import { ApiClient, signUp, type ApiReply, type TestUser } from '../support/api-client.ts';
import { createTestChannel } from '../support/channels.ts';
import { databaseTargets } from '../support/databases.ts';
import { testLogger } from '../support/logger.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

/** A /notifications connection and everything it received, in order. */
interface NotificationSocket {
  socket: Socket<NotificationServerEvents>;
  notifications: NotificationView[];
  unreadCounts: number[];
}

/** Connects like a browser page of the signed-in client; rejects with the server's refusal. */
async function connectNotifications(
  baseUrl: string,
  options: { cookie?: string | undefined; origin?: string } = {},
): Promise<NotificationSocket> {
  const headers: Record<string, string> = { origin: options.origin ?? baseUrl };
  if (options.cookie) headers.cookie = options.cookie;
  const socket: Socket<NotificationServerEvents> = io(`${baseUrl}${NOTIFICATIONS_NAMESPACE}`, {
    forceNew: true,
    transports: ['websocket'],
    reconnection: false,
    timeout: 10_000,
    extraHeaders: headers,
  });
  const received: NotificationSocket = { socket, notifications: [], unreadCounts: [] };
  socket.on('notification', (notification) => received.notifications.push(notification));
  socket.on('unread-count', ({ unreadCount }) => received.unreadCounts.push(unreadCount));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
  } catch (error) {
    socket.disconnect();
    throw error;
  }
  return received;
}

describe.each(databaseTargets())('notifications on $name', (target) => {
  let platform: TestPlatform;
  let dispose: () => Promise<void>;
  let live: LiveStreams;
  const sockets: NotificationSocket[] = [];

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    // More sign-ups and log-ins than the default 10 a minute from one address.
    const env: Record<string, string> = { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' };
    if (created.options.kind === 'postgresql') env.DATABASE_URL = created.options.url;
    platform = await startTestPlatform(env);
    // What platform.ts wires in the signaling role, on this platform's database and socket.io.
    live = new LiveStreams(
      createStreamDirectory(platform.database!.prisma),
      { endGraceMs: 60_000, viewerWriteIntervalMs: 50 },
      testLogger,
    );
    notifyFollowersWhenLive(live, { prisma: platform.database!.prisma, io: platform.io!, logger: testLogger });
  });
  afterEach(() => {
    for (const { socket } of sockets.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await live?.close();
    await platform?.close();
    await dispose?.();
  });

  const prisma = () => platform.database!.prisma;

  async function connect(user: TestUser): Promise<NotificationSocket> {
    const connection = await connectNotifications(platform.url, { cookie: user.client.cookie });
    sockets.push(connection);
    // The first unread count arrives once the socket is in the user's room: from then on nothing is missed.
    await waitFor(() => connection.unreadCounts.length > 0, { what: 'the unread count on connect' });
    return connection;
  }

  async function newChannel(): Promise<ChannelRef & { title: string }> {
    const { slug } = await createTestChannel(platform);
    const row = await prisma().channel.findUniqueOrThrow({ where: { slug } });
    return { id: row.id, slug: row.slug, title: row.title };
  }

  /** Starts the channel's stream as a publisher would: claim, then media flows. */
  async function goLive(channel: ChannelRef): Promise<string> {
    expect(await live.claimPublisher(channel, `publisher-${channel.slug}`)).toBe(true);
    await live.mediaStarted(channel);
    const streamId = live.status(channel).streamId;
    expect(streamId).toBeTruthy();
    return streamId!;
  }

  async function follow(user: TestUser, channel: ChannelRef): Promise<void> {
    expect((await user.client.put(`/api/v1/channels/${channel.slug}/follow`)).status).toBe(204);
  }

  it('refuses a signed-out connection with unauthorized', async () => {
    await expect(connectNotifications(platform.url)).rejects.toThrow('unauthorized');
    await expect(connectNotifications(platform.url, { cookie: `aethex_session=${'a'.repeat(32)}` })).rejects.toThrow(
      'unauthorized',
    );
  });

  it('closes the sockets of a session that signs out, and of the sessions a password change ends', async () => {
    const user = await signUp(platform.url, 'fan');
    const laptop = await connect(user);
    const phoneClient = new ApiClient(platform.url);
    expect(
      (await phoneClient.post('/api/v1/auth/login', { login: user.username, password: user.password })).status,
    ).toBe(200);
    const phone = await connect({ ...user, client: phoneClient });
    const closed = (connection: NotificationSocket) =>
      new Promise<string>((resolve) => connection.socket.once('disconnect', resolve));

    const phoneClosed = closed(phone);
    expect(
      (
        await user.client.post('/api/v1/auth/password', {
          currentPassword: user.password,
          newPassword: 'a new password, longer',
        })
      ).status,
    ).toBe(204);
    expect(await phoneClosed).toBe('io server disconnect');
    expect(laptop.socket.connected).toBe(true);

    const laptopClosed = closed(laptop);
    expect((await user.client.post('/api/v1/auth/logout')).status).toBe(204);
    expect(await laptopClosed).toBe('io server disconnect');
  });

  it("refuses a connection from another site's page, even with the user's cookie", async () => {
    const user = await signUp(platform.url, 'fan');

    await expect(
      connectNotifications(platform.url, { cookie: user.client.cookie, origin: 'https://evil.example' }),
    ).rejects.toThrow('forbidden');
  });

  it('notifies followers when a channel goes live, in real time, and only them', async () => {
    const channel = await newChannel();
    const [follower, other] = [await signUp(platform.url, 'fan'), await signUp(platform.url, 'other')];
    await follow(follower, channel);
    const [followerSocket, otherSocket] = [await connect(follower), await connect(other)];
    expect(followerSocket.unreadCounts).toEqual([0]);

    const streamId = await goLive(channel);

    const pushed = await waitFor(() => followerSocket.notifications[0], {
      what: 'the notification on the follower socket',
    });
    expect(pushed).toEqual({
      id: expect.any(String),
      kind: 'channel_live',
      title: `${channel.title} is live`,
      channel: { slug: channel.slug, title: channel.title, avatarUrl: null },
      streamId,
      webinarId: null,
      read: false,
      createdAt: expect.any(String),
    });
    await waitFor(() => followerSocket.unreadCounts.at(-1) === 1, { what: 'unread-count 1' });

    const list = await follower.client.get('/api/v1/me/notifications');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [pushed], nextCursor: null, unreadCount: 1 });

    // The other user's page heard nothing and their list is empty.
    expect(otherSocket.notifications).toEqual([]);
    expect((await other.client.get('/api/v1/me/notifications')).body).toEqual({
      items: [],
      nextCursor: null,
      unreadCount: 0,
    });
  });

  it('names the stream in the title when it has its own', async () => {
    const channel = await newChannel();
    const follower = await signUp(platform.url, 'fan');
    await follow(follower, channel);
    await prisma().channel.update({ where: { id: channel.id }, data: { title: 'Speedrun Club' } });
    const titles = async () =>
      ((await follower.client.get('/api/v1/me/notifications')).body.items as NotificationView[]).map((n) => n.title);

    // A stream starts with its channel's title: the notification says it once.
    const streamId = await goLive(channel);
    expect(await waitFor(async () => (await titles()).length > 0 && titles(), { what: 'the notification' })).toEqual([
      'Speedrun Club is live',
    ]);

    // With a title of its own (the fan-out reads the current one), it says both.
    await prisma().stream.update({ where: { id: streamId }, data: { title: 'Any% tonight' } });
    await prisma().notification.deleteMany({ where: { streamId } });
    const push = new NotificationPush(platform.io!);
    await notifyFollowersOfLiveStream({ prisma: prisma(), push }, channel.id, streamId);

    expect(await titles()).toEqual(['Speedrun Club is live: Any% tonight']);
    await live.publisherEnded(channel, `publisher-${channel.slug}`);
  });

  it('does not notify twice for the same stream', async () => {
    const channel = await newChannel();
    const follower = await signUp(platform.url, 'fan');
    await follow(follower, channel);
    const socket = await connect(follower);
    const streamId = await goLive(channel);
    await waitFor(() => socket.notifications.length === 1, { what: 'the first notification' });

    // Media starting again on the live stream is no new stream...
    await live.mediaStarted(channel);
    // ...and the same start reported again (by LiveStreams, or a fan-out run again) finds every
    // follower already notified: the unique (user, kind, stream) lets nothing through to push.
    live.emit('started', channel, streamId);
    const push = new NotificationPush(platform.io!);
    const again = await notifyFollowersOfLiveStream({ prisma: prisma(), push }, channel.id, streamId);

    expect(again).toEqual({ followers: 1, notified: 0 });
    expect(await prisma().notification.count({ where: { streamId } })).toBe(1);
    // A later stream of the same channel is news again: it arrives, and it is the second one.
    await live.publisherEnded(channel, `publisher-${channel.slug}`);
    const secondStreamId = await goLive(channel);
    await waitFor(() => socket.notifications.length === 2, { what: 'the notification of the second stream' });
    expect(socket.notifications.map((n) => n.streamId)).toEqual([streamId, secondStreamId]);
    await live.publisherEnded(channel, `publisher-${channel.slug}`);
  });

  it('writes the notifications of a channel with many followers in batches', async () => {
    const channel = await newChannel();
    const followers = 2_345;
    const suffix = randomBytes(4).toString('hex');
    // Real rows, written directly: signing up 2,345 users through the API would only time scrypt.
    await prisma().user.createMany({
      data: Array.from({ length: followers }, (_, i) => ({
        email: `bulk-${suffix}-${i}@example.test`,
        username: `bulk_${suffix}_${i}`,
        name: `Bulk ${i}`,
        passwordHash: 'x',
      })),
    });
    const users = await prisma().user.findMany({
      where: { username: { startsWith: `bulk_${suffix}_` } },
      select: { id: true },
    });
    await prisma().follow.createMany({ data: users.map((user) => ({ userId: user.id, channelId: channel.id })) });
    const streamId = await goLive(channel);

    // Half-done before (a crash mid fan-out): a later run completes it without duplicates.
    await waitFor(async () => (await prisma().notification.count({ where: { streamId } })) === followers, {
      timeoutMs: 30_000,
      what: 'every follower notified',
    });
    await prisma().notification.deleteMany({
      where: { streamId, userId: { in: users.slice(0, 700).map((u) => u.id) } },
    });
    const push = new NotificationPush(platform.io!);
    const result = await notifyFollowersOfLiveStream({ prisma: prisma(), push, batchSize: 1000 }, channel.id, streamId);

    expect(result).toEqual({ followers, notified: 700 });
    expect(await prisma().notification.count({ where: { streamId } })).toBe(followers);
    await live.publisherEnded(channel, `publisher-${channel.slug}`);
  });

  it('lists unread only, marks some or all read, and tells the open pages the new count', async () => {
    const follower = await signUp(platform.url, 'fan');
    const channels = [await newChannel(), await newChannel(), await newChannel()];
    for (const channel of channels) await follow(follower, channel);
    const socket = await connect(follower);
    for (const channel of channels) await goLive(channel);
    await waitFor(() => socket.notifications.length === 3, { what: 'three notifications' });
    const [oldest, middle, newest] = socket.notifications.toSorted(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    );

    const marked = await follower.client.post('/api/v1/me/notifications/read', { ids: [middle!.id] });
    expect(marked.status).toBe(200);
    expect(marked.body).toEqual({ unreadCount: 2 });
    await waitFor(() => socket.unreadCounts.at(-1) === 2, { what: 'unread-count 2 pushed' });

    const unread = await follower.client.get('/api/v1/me/notifications?unread=true');
    expect(unread.body.items.map((n: NotificationView) => n.id).sort()).toEqual([oldest!.id, newest!.id].sort());
    expect(unread.body.unreadCount).toBe(2);
    const all = await follower.client.get('/api/v1/me/notifications');
    expect(all.body.items.find((n: NotificationView) => n.id === middle!.id)?.read).toBe(true);

    const allRead = await follower.client.post('/api/v1/me/notifications/read', { all: true });
    expect(allRead.body).toEqual({ unreadCount: 0 });
    await waitFor(() => socket.unreadCounts.at(-1) === 0, { what: 'unread-count 0 pushed' });
    expect((await follower.client.get('/api/v1/me/notifications?unread=true')).body).toEqual({
      items: [],
      nextCursor: null,
      unreadCount: 0,
    });
    for (const channel of channels) await live.publisherEnded(channel, `publisher-${channel.slug}`);
  });

  it("never reads nor marks another user's notifications", async () => {
    const channel = await newChannel();
    const [owner, intruder] = [await signUp(platform.url, 'fan'), await signUp(platform.url, 'intruder')];
    await follow(owner, channel);
    const streamId = await goLive(channel);
    const notification = await waitFor(
      () =>
        prisma()
          .notification.findFirst({ where: { streamId, userId: owner.id } })
          .then((n) => n ?? undefined),
      {
        what: 'the notification row',
      },
    );

    const marked = await intruder.client.post('/api/v1/me/notifications/read', { ids: [notification.id] });
    expect(marked.body).toEqual({ unreadCount: 0 });
    await intruder.client.post('/api/v1/me/notifications/read', { all: true });

    expect((await prisma().notification.findUniqueOrThrow({ where: { id: notification.id } })).readAt).toBeNull();
    expect((await intruder.client.get('/api/v1/me/notifications')).body.items).toEqual([]);
    expect((await owner.client.get('/api/v1/me/notifications')).body.unreadCount).toBe(1);
    await live.publisherEnded(channel, `publisher-${channel.slug}`);
  });

  it('pages the list with cursors, without loss or repeats, and refuses a tampered cursor', async () => {
    const user = await signUp(platform.url, 'fan');
    const channel = await newChannel();
    const sameMoment = new Date(Date.now() - 1000);
    // Seven rows, three of them in the same millisecond: the id breaks the tie.
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const row = await prisma().notification.create({
        data: {
          userId: user.id,
          kind: 'channel_live',
          channelId: channel.id,
          title: `n${i}`,
          createdAt: i < 3 ? sameMoment : new Date(Date.now() - 100_000 + i),
        },
      });
      ids.push(row.id);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply: ApiReply = await user.client.get(
        `/api/v1/me/notifications?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(reply.status).toBe(200);
      expect(reply.body.unreadCount).toBe(7);
      seen.push(...reply.body.items.map((n: NotificationView) => n.id));
      cursor = reply.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);

    expect(pages).toBe(3);
    expect(seen.toSorted()).toEqual(ids.toSorted());
    expect(seen.slice(0, 3).toSorted()).toEqual(ids.slice(0, 3).toSorted()); // the newest three first

    const bad = Buffer.from(JSON.stringify({ t: 'now', id: ids[0] })).toString('base64url');
    const reply = await user.client.get(`/api/v1/me/notifications?cursor=${bad}`);
    expect([reply.status, reply.body.code]).toEqual([400, 'invalid_cursor']);
  });

  it('answers 400 to a mark-read request that names nothing or something malformed, and 401 signed out', async () => {
    const user = await signUp(platform.url, 'fan');
    const cases: [unknown, number, string][] = [
      [{}, 400, 'nothing_to_mark'],
      [{ ids: [] }, 400, 'bad_request'],
      [{ ids: ['not-a-uuid'] }, 400, 'bad_request'],
      [{ all: false }, 400, 'bad_request'],
      [{ all: true, extra: 1 }, 400, 'bad_request'],
    ];
    for (const [body, status, code] of cases) {
      const reply = await user.client.post('/api/v1/me/notifications/read', body);
      expect([body, reply.status, reply.body.code]).toEqual([body, status, code]);
    }
    const anonymous = new ApiClient(platform.url);
    expect((await anonymous.post('/api/v1/me/notifications/read', { all: true })).status).toBe(401);
    expect((await anonymous.get('/api/v1/me/notifications')).status).toBe(401);
  });
});

// Two processes' worth of platform on one PostgreSQL database and one Redis: the stream starts on
// one (signaling), the follower's page is connected to the other (api), and the notification
// crosses over through the socket.io Redis adapter.
const sharedServices =
  process.env.DATABASE_URL && process.env.REDIS_URL
    ? { databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL }
    : undefined;

describe.skipIf(!sharedServices)(
  'notifications across processes (PostgreSQL + Redis; skipped without DATABASE_URL and REDIS_URL)',
  () => {
    let apiNode: TestPlatform;
    let signalingNode: TestPlatform;
    let live: LiveStreams;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      const target = databaseTargets().find((t) => t.name === 'postgresql')!;
      const created = await target.create();
      dispose = created.dispose;
      const url = (created.options as { url: string }).url;
      apiNode = await startTestPlatform({ ROLES: 'api', DATABASE_URL: url, REDIS_URL: sharedServices!.redisUrl });
      signalingNode = await startTestPlatform({ ROLES: 'api', DATABASE_URL: url, REDIS_URL: sharedServices!.redisUrl });
      const prisma = signalingNode.database!.prisma;
      live = new LiveStreams(
        createStreamDirectory(prisma),
        { endGraceMs: 60_000, viewerWriteIntervalMs: 50 },
        testLogger,
      );
      notifyFollowersWhenLive(live, { prisma, io: signalingNode.io!, logger: testLogger });
    });
    afterAll(async () => {
      await live?.close();
      await signalingNode?.close();
      await apiNode?.close();
      await dispose?.();
    });

    it('reaches a page connected to another process', async () => {
      const { slug } = await createTestChannel(apiNode);
      const channel = await apiNode.database!.prisma.channel.findUniqueOrThrow({
        where: { slug },
        select: { id: true, slug: true },
      });
      const follower = await signUp(apiNode.url, 'fan');
      expect((await follower.client.put(`/api/v1/channels/${slug}/follow`)).status).toBe(204);
      const page = await connectNotifications(apiNode.url, { cookie: follower.client.cookie });
      try {
        await waitFor(() => page.unreadCounts.length > 0, { what: 'the unread count on connect' });

        await live.claimPublisher(channel, 'publisher');
        await live.mediaStarted(channel);

        const pushed = await waitFor(() => page.notifications[0], { what: 'the notification from the other process' });
        expect(pushed).toMatchObject({
          kind: 'channel_live',
          streamId: live.status(channel).streamId,
          channel: { slug },
        });
        await waitFor(() => page.unreadCounts.at(-1) === 1, { what: 'unread-count 1 from the other process' });
      } finally {
        page.socket.disconnect();
      }
    });
  },
);
