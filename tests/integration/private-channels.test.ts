// Private channels, through every way a stream or a recording leaves the server: only the
// channel's team and holders of one of its viewer tokens get in (the token as a WHEP bearer token,
// a `token` query parameter, a signaling join's viewerToken, or the access cookie a share link
// is traded for); everyone else gets a 401/403 that changes nothing. Private channels stay out of
// discovery and their followers get no going-live notification. A revoked token stops at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyFollowersOfLiveStream } from '../../api/notifications/follower-fanout.ts';
import type { NotificationPush } from '../../api/notifications/notification-push.ts';
import { channelRoom } from '../../api/chat/chat-broadcast.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { createTestChannel, OWNER_PASSWORD, type TestChannel } from '../support/channels.ts';
import { ChatTestClient } from '../support/chat-client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { waitFor } from '../support/wait.ts';
import { completeOffer, publishOverWhip, type WhipPublication } from '../support/whip-publisher.ts';
import { countReceived, RTCPeerConnection } from '../support/wrtc-media.ts';

let platform: TestPlatform;
let channel: TestChannel;
let owner: ApiClient;
let stranger: TestUser;
let follower: TestUser;
let publication: WhipPublication | undefined;

beforeAll(async () => {
  platform = await startTestPlatform({ STREAM_END_GRACE_MS: '1000', AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  channel = await createTestChannel(platform);
  owner = new ApiClient(platform.url);
  const login = await owner.post('/api/v1/auth/login', { login: channel.ownerEmail, password: OWNER_PASSWORD });
  expect(login.status).toBe(200);
  stranger = await signUp(platform.url, 'stranger');
  follower = await signUp(platform.url, 'follower');
  expect((await follower.client.put(`/api/v1/channels/${channel.slug}/follow`)).status).toBeLessThan(300);
});

afterAll(async () => {
  await publication?.stop().catch(() => undefined);
  await platform?.close();
});

const anonymous = () => new ApiClient(platform.url);

/** A WHEP offer from libwebrtc (video and audio, receive only) and the peer that made it. */
async function whepOffer() {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  return { pc, sdp: await completeOffer(pc) };
}

function postWhep(sdp: string, headers: Record<string, string> = {}) {
  return fetch(`${platform.url}/api/whep/${channel.slug}`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', ...headers },
    body: sdp,
  });
}

describe('private channels', () => {
  let token: string;
  let tokenId: string;

  it('is made private by its owner only, and says so to everyone without telling strangers more', async () => {
    expect((await stranger.client.patch(`/api/v1/channels/${channel.slug}`, { private: true })).status).toBe(403);
    expect((await anonymous().get(`/api/v1/channels/${channel.slug}`)).body.private).toBe(false);

    const made = await owner.patch(`/api/v1/channels/${channel.slug}`, { private: true });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ private: true, canWatch: true });
    expect((await anonymous().get(`/api/v1/channels/${channel.slug}`)).body).toMatchObject({
      private: true,
      canWatch: false,
      slug: channel.slug,
    });
    expect((await stranger.client.get(`/api/v1/channels/${channel.slug}`)).body.canWatch).toBe(false);
  });

  it('issues viewer tokens to the owner only, shows each once, and lists them without the secret', async () => {
    expect(
      (await stranger.client.post(`/api/v1/channels/${channel.slug}/viewer-tokens`, { label: 'mine' })).status,
    ).toBe(403);
    expect((await anonymous().get(`/api/v1/channels/${channel.slug}/viewer-tokens`)).status).toBe(401);
    expect((await owner.post(`/api/v1/channels/${channel.slug}/viewer-tokens`, { label: 'x'.repeat(61) })).status).toBe(
      400,
    );

    const issued = await owner.post(`/api/v1/channels/${channel.slug}/viewer-tokens`, { label: 'Webinar guests' });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(issued.body.token).toMatch(/^view_[A-Za-z0-9_-]{27}$/);
    expect(issued.body.watchUrl).toBe(`${platform.url}/${channel.slug}?token=${issued.body.token}`);
    expect(issued.body.whepUrl).toBe(`${platform.url}/api/whep/${channel.slug}`);
    token = issued.body.token;
    tokenId = issued.body.id;

    const listed = await owner.get(`/api/v1/channels/${channel.slug}/viewer-tokens`);
    expect(listed.body).toEqual([
      {
        id: tokenId,
        label: 'Webinar guests',
        prefix: token.slice(0, 9),
        createdAt: issued.body.createdAt,
        revokedAt: null,
      },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const row = await platform.database!.prisma.viewerToken.findUniqueOrThrow({ where: { id: tokenId } });
    expect(row.tokenHash).not.toContain(token.slice(5));
  });

  it('trades a good token for an access cookie, and refuses a wrong one without setting anything', async () => {
    const wrong = await anonymous().post(`/api/v1/channels/${channel.slug}/viewer-access`, {
      token: 'view_nottherightone',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.getSetCookie()).toEqual([]);

    const browser = anonymous();
    const traded = await browser.post(`/api/v1/channels/${channel.slug}/viewer-access`, { token });
    expect(traded.status).toBe(204);
    const cookie = traded.headers.getSetCookie().find((c) => c.startsWith('aethex_view_'))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const info = await fetch(`${platform.url}/api/v1/channels/${channel.slug}`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(((await info.json()) as { canWatch: boolean }).canWatch).toBe(true);
  });

  it('goes live without notifying followers and stays out of discovery', async () => {
    publication = await publishOverWhip(platform.url, channel.streamKey);
    await waitFor(async () => (await owner.get(`/api/v1/channels/${channel.slug}`)).body.live === true, {
      what: 'the channel to be live',
    });

    const retitled = await owner.patch(`/api/v1/channels/${channel.slug}/live-stream`, { title: 'Secret launch' });
    expect(retitled.status).toBe(200);
    // Its team sees it live; outsiders see its public card only: no stream, no topics, no numbers.
    expect((await owner.get(`/api/v1/channels/${channel.slug}`)).body).toMatchObject({
      live: true,
      canWatch: true,
      title: 'Secret launch',
    });
    for (const outsider of [anonymous(), stranger.client, follower.client]) {
      const card = (await outsider.get(`/api/v1/channels/${channel.slug}`)).body;
      expect(card).toMatchObject({ slug: channel.slug, private: true, canWatch: false, live: false });
      expect(card).toMatchObject({ streamId: null, startedAt: null, viewers: 0, description: '', tags: [] });
      expect(JSON.stringify(card)).not.toContain('Secret launch');
    }
    // A follow from before the channel went private shows the card without its live state.
    const follows = await follower.client.get('/api/v1/me/follows');
    expect(follows.body.items).toEqual([
      expect.objectContaining({ slug: channel.slug, live: false, streamTitle: null, startedAt: null, tags: [] }),
    ]);
    // Following it now takes being allowed to watch it: a stranger is refused, a link holder is not.
    const refused = await stranger.client.put(`/api/v1/channels/${channel.slug}/follow`);
    expect(refused.status).toBe(403);
    expect(await platform.database!.prisma.follow.count({ where: { userId: stranger.id } })).toBe(0);
    const linkHolder = await signUp(platform.url, 'linkholder');
    const followed = await linkHolder.client.request('PUT', `/api/v1/channels/${channel.slug}/follow`, undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(followed.status).toBe(204);

    const live = await anonymous().get('/api/v1/discover/live');
    expect(live.body.items.map((c: { slug: string }) => c.slug)).not.toContain(channel.slug);
    const search = await anonymous().get(`/api/v1/search?q=${encodeURIComponent(channel.slug)}`);
    expect(search.body.items.map((c: { slug: string }) => c.slug)).not.toContain(channel.slug);
    const recommended = await follower.client.get('/api/v1/discover/recommended');
    expect(recommended.body.items.map((c: { slug: string }) => c.slug)).not.toContain(channel.slug);
    // The fan-out that runs when a stream starts, run again here so its answer can be read: a
    // private channel's followers are not told (repeating it is harmless, see follower-fanout.ts).
    const prisma = platform.database!.prisma;
    const stream = await prisma.stream.findFirstOrThrow({ where: { channel: { slug: channel.slug }, state: 'live' } });
    const pushed: unknown[] = [];
    // A recording stand-in for the socket push (NotificationPush is a class over socket.io).
    const push = {
      notification: (...args: unknown[]) => pushed.push(args),
      unreadCount: (...args: unknown[]) => pushed.push(args),
    };
    const fanout = await notifyFollowersOfLiveStream(
      { prisma, push: push as unknown as NotificationPush },
      stream.channelId,
      stream.id,
    );
    expect(fanout).toEqual({ followers: 0, notified: 0 });
    expect(pushed).toEqual([]);
    expect((await follower.client.get('/api/v1/me/notifications')).body.items).toEqual([]);
  });

  it('plays over WHEP only with a viewer token as bearer token', async () => {
    await waitFor(() => platform.rooms!.rooms().find((r) => r.producers().length === 2), { what: 'both producers' });
    const refused = await whepOffer();
    try {
      const none = await postWhep(refused.sdp);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await postWhep(refused.sdp, { authorization: 'Bearer view_wrong' })).status).toBe(401);
      // Another channel's token is no key to this one.
      expect((await postWhep(refused.sdp, { authorization: `Bearer ${channel.streamKey}` })).status).toBe(401);
    } finally {
      refused.pc.close();
    }

    const player = await whepOffer();
    const received = countReceived(player.pc);
    try {
      const response = await postWhep(player.sdp, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(201);
      await player.pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
      await waitFor(() => received.videoFrames > 5, { timeoutMs: 15_000, what: 'decoded video over WHEP' });
      await fetch(`${platform.url}${response.headers.get('location')}`, { method: 'DELETE' });
    } finally {
      received.stop();
      player.pc.close();
    }
  });

  it('lets a socket.io viewer join with a token or as the team, not as a stranger', async () => {
    const plain = await TestSignalingClient.connect(platform.url);
    const asStranger = await TestSignalingClient.connect(platform.url, {
      headers: { origin: platform.url, cookie: stranger.client.cookie! },
    });
    const withToken = await TestSignalingClient.connect(platform.url);
    const asOwner = await TestSignalingClient.connect(platform.url, {
      headers: { origin: platform.url, cookie: owner.cookie! },
    });
    // The owner's cookie from another site's page counts for nothing.
    const ownerElsewhere = await TestSignalingClient.connect(platform.url, {
      headers: { origin: 'https://evil.example', cookie: owner.cookie! },
    });
    try {
      for (const client of [plain, asStranger, ownerElsewhere]) {
        const ack = await client.request('join', { role: 'viewer', channel: channel.slug });
        expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      expect(
        (await plain.request('join', { role: 'viewer', channel: channel.slug, viewerToken: 'view_wrong' })).ok,
      ).toBe(false);
      const joined = await withToken.ok('join', { role: 'viewer', channel: channel.slug, viewerToken: token });
      expect(joined.producers.length).toBe(2);
      await asOwner.ok('join', { role: 'viewer', channel: channel.slug });
    } finally {
      for (const client of [plain, asStranger, withToken, asOwner, ownerElsewhere]) client.close();
    }
  });

  it('lets go of the viewers of a link when it is revoked, over socket.io and WHEP, and of no one else', async () => {
    const temporary = (await owner.post(`/api/v1/channels/${channel.slug}/viewer-tokens`, { label: 'one evening' }))
      .body as { id: string; token: string };
    const room = platform.rooms!.rooms().find((r) => r.producers().length === 2)!;
    const viewersBefore = room.viewerCount();
    const guest = await TestSignalingClient.connect(platform.url);
    const team = await TestSignalingClient.connect(platform.url, {
      headers: { origin: platform.url, cookie: owner.cookie! },
    });
    const player = await whepOffer();
    // The guest's page also chats, with the access cookie the link was traded for.
    const traded = await anonymous().post(`/api/v1/channels/${channel.slug}/viewer-access`, { token: temporary.token });
    const accessCookie = traded.headers.getSetCookie()[0]!.split(';')[0]!;
    const guestChat = await ChatTestClient.connect(platform.url, { cookie: accessCookie });
    const chatRoom = () => platform.io!.of('/chat').adapter.rooms.get(channelRoom(room.id))?.size ?? 0;
    try {
      await guestChat.joined(channel.slug);
      expect(chatRoom()).toBe(1);
      await guest.ok('join', { role: 'viewer', channel: channel.slug, viewerToken: temporary.token });
      await team.ok('join', { role: 'viewer', channel: channel.slug });
      const whep = await postWhep(player.sdp, { authorization: `Bearer ${temporary.token}` });
      expect(whep.status).toBe(201);
      await player.pc.setRemoteDescription({ type: 'answer', sdp: await whep.text() });
      expect(room.viewerCount()).toBe(viewersBefore + 3);

      expect((await owner.delete(`/api/v1/channels/${channel.slug}/viewer-tokens/${temporary.id}`)).status).toBe(204);
      const kicked = await guest.waitForNotification('kicked');
      expect(kicked.reason).toMatch(/access to this private channel ended/);
      await waitFor(() => room.viewerCount() === viewersBefore + 1, { what: "the link's two viewers to be let go" });
      // The WHEP session is gone, the team's viewer stays.
      expect((await fetch(`${platform.url}${whep.headers.get('location')}`, { method: 'DELETE' })).status).toBe(404);
      expect(team.notificationsOf('kicked')).toEqual([]);
      // Out of the chat room too: no more messages reach it, and it can't join again.
      await waitFor(() => chatRoom() === 0, { what: 'the guest to leave the chat room' });
      expect(await guestChat.join(channel.slug)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(
        (await guest.request('join', { role: 'viewer', channel: channel.slug, viewerToken: temporary.token })).ok,
      ).toBe(false);
    } finally {
      player.pc.close();
      guest.close();
      team.close();
      guestChat.close();
    }
  });

  it('lets go of what a team member watches on a session once it ends (log-out), and of no one else', async () => {
    // The owner signed in a second time (another browser), watching over socket.io and WHEP and
    // reading the chat on that session alone.
    const second = new ApiClient(platform.url);
    expect(
      (await second.post('/api/v1/auth/login', { login: channel.ownerEmail, password: OWNER_PASSWORD })).status,
    ).toBe(200);
    const browser = { origin: platform.url, cookie: second.cookie! };
    const room = platform.rooms!.rooms().find((r) => r.producers().length === 2)!;
    const viewersBefore = room.viewerCount();
    const viewer = await TestSignalingClient.connect(platform.url, { headers: browser });
    const team = await TestSignalingClient.connect(platform.url, {
      headers: { origin: platform.url, cookie: owner.cookie! },
    });
    const chat = await ChatTestClient.connect(platform.url, browser);
    const player = await whepOffer();
    const chatRoom = () => platform.io!.of('/chat').adapter.rooms.get(channelRoom(room.id))?.size ?? 0;
    try {
      await viewer.ok('join', { role: 'viewer', channel: channel.slug });
      await team.ok('join', { role: 'viewer', channel: channel.slug });
      const whep = await postWhep(player.sdp, browser);
      expect(whep.status).toBe(201);
      await player.pc.setRemoteDescription({ type: 'answer', sdp: await whep.text() });
      await chat.joined(channel.slug);
      expect(chatRoom()).toBe(1);
      expect(room.viewerCount()).toBe(viewersBefore + 3);

      expect((await second.post('/api/v1/auth/logout', {})).status).toBe(204);

      const kicked = await viewer.waitForNotification('kicked');
      expect(kicked.reason).toMatch(/access to this private channel ended/);
      await waitFor(() => room.viewerCount() === viewersBefore + 1, {
        what: "the ended session's viewers to be let go",
      });
      expect((await fetch(`${platform.url}${whep.headers.get('location')}`, { method: 'DELETE' })).status).toBe(404);
      await waitFor(() => chatRoom() === 0, { what: 'the chat socket to leave the room' });
      // The owner's other session watches on.
      expect(team.notificationsOf('kicked')).toEqual([]);
    } finally {
      player.pc.close();
      viewer.close();
      team.close();
      chat.close();
    }
  });

  it('serves live HLS and chat only to those who may watch', async () => {
    const hls = `${platform.url}/hls/${channel.slug}/index.m3u8`;
    expect((await fetch(hls)).status).toBe(403);
    const playlist = await waitFor(
      async () => {
        const response = await fetch(`${hls}?token=${token}`);
        return response.status === 200 ? response.text() : undefined;
      },
      { timeoutMs: 20_000, what: 'the live playlist with the token' },
    );
    // An external player keeps the token: every file the playlist names carries it.
    expect(playlist).toMatch(new RegExp(`^#EXT-X-MAP:URI="init-\\d+\\.mp4\\?token=${token}"$`, 'm'));
    const tokenized = /^(seg-\d+-\d+\.m4s)\?token=(.+)$/m.exec(playlist)!;
    expect(tokenized[2]).toBe(token);
    expect((await fetch(`${platform.url}/hls/${channel.slug}/${tokenized[1]}?token=${tokenized[2]}`)).status).toBe(200);
    const segment = tokenized[1]!;
    expect((await fetch(`${platform.url}/hls/${channel.slug}/${segment}`)).status).toBe(403);
    const withBearer = await fetch(`${platform.url}/hls/${channel.slug}/${segment}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(withBearer.status).toBe(200);
    // No shared cache (a CDN) may keep a private channel's segment for others.
    expect(withBearer.headers.get('cache-control')).toMatch(/^private/);

    const strangerChat = await ChatTestClient.connect(platform.url, { cookie: stranger.client.cookie! });
    const ownerChat = await ChatTestClient.connect(platform.url, { cookie: owner.cookie! });
    try {
      expect(await strangerChat.join(channel.slug)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await strangerChat.send(channel.slug, 'let me in')).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
      await ownerChat.joined(channel.slug);
      expect((await ownerChat.send(channel.slug, 'welcome, guests')).ok).toBe(true);
    } finally {
      strangerChat.close();
      ownerChat.close();
    }
    expect((await anonymous().get(`/api/v1/channels/${channel.slug}/chat/messages`)).status).toBe(403);
    expect((await owner.get(`/api/v1/channels/${channel.slug}/chat/messages`)).body.items).toHaveLength(1);
  });

  it('keeps the VOD as private as the channel, and a revoked token opens nothing', async () => {
    await publication!.stop();
    publication = undefined;
    const vods = await waitFor(
      async () => {
        const response = await owner.get(`/api/v1/channels/${channel.slug}/vods`);
        return response.body.items?.length ? response.body.items : undefined;
      },
      { timeoutMs: 30_000, what: 'the VOD' },
    );
    const vod = vods[0] as { id: string };
    expect((await anonymous().get(`/api/v1/channels/${channel.slug}/vods`)).status).toBe(403);
    expect((await anonymous().get(`/api/v1/vods/${vod.id}`)).status).toBe(403);
    expect((await fetch(`${platform.url}/vod/${vod.id}/index.m3u8`)).status).toBe(403);
    const withToken = await fetch(`${platform.url}/vod/${vod.id}/index.m3u8?token=${token}`);
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('cache-control')).toMatch(/^private/);
    expect((await anonymous().get(`/api/v1/channels/${channel.slug}/clips`)).status).toBe(403);

    expect((await stranger.client.delete(`/api/v1/channels/${channel.slug}/viewer-tokens/${tokenId}`)).status).toBe(
      403,
    );
    expect(
      (await owner.delete(`/api/v1/channels/${channel.slug}/viewer-tokens/00000000-0000-4000-8000-000000000000`))
        .status,
    ).toBe(404);
    expect((await owner.delete(`/api/v1/channels/${channel.slug}/viewer-tokens/${tokenId}`)).status).toBe(204);
    expect((await fetch(`${platform.url}/vod/${vod.id}/index.m3u8?token=${token}`)).status).toBe(403);
    expect((await anonymous().post(`/api/v1/channels/${channel.slug}/viewer-access`, { token })).status).toBe(403);
    const listed = await owner.get(`/api/v1/channels/${channel.slug}/viewer-tokens`);
    expect(listed.body[0].revokedAt).not.toBeNull();

    // Public again: everything opens to everyone (within the guard's few seconds of caching).
    expect((await owner.patch(`/api/v1/channels/${channel.slug}`, { private: false })).body.private).toBe(false);
    await waitFor(async () => (await fetch(`${platform.url}/vod/${vod.id}/index.m3u8`)).status === 200, {
      timeoutMs: 10_000,
      what: 'the VOD to open up',
    });
    expect((await anonymous().get(`/api/v1/channels/${channel.slug}/vods`)).status).toBe(200);

    // Made private again while a stranger is in the room: the stranger is let go.
    const watcher = await TestSignalingClient.connect(platform.url);
    try {
      await watcher.ok('join', { role: 'viewer', channel: channel.slug });
      expect((await owner.patch(`/api/v1/channels/${channel.slug}`, { private: true })).body.private).toBe(true);
      expect((await watcher.waitForNotification('kicked')).reason).toMatch(/became private/);
    } finally {
      watcher.close();
    }

    // A moderator watches as the channel's team, and is let go when no longer one.
    expect((await owner.put(`/api/v1/channels/${channel.slug}/moderators/${stranger.username}`)).status).toBe(204);
    const moderator = await TestSignalingClient.connect(platform.url, {
      headers: { origin: platform.url, cookie: stranger.client.cookie! },
    });
    try {
      await moderator.ok('join', { role: 'viewer', channel: channel.slug });
      expect((await owner.delete(`/api/v1/channels/${channel.slug}/moderators/${stranger.username}`)).status).toBe(204);
      expect((await moderator.waitForNotification('kicked')).reason).toMatch(/access to this private channel ended/);
    } finally {
      moderator.close();
    }
  });
});
