// Who may change a channel, over real HTTP on both databases, with the media roles running (WHIP
// and socket.io publishing are part of what a stream key unlocks). For a channel owned by A: every
// write is 401 signed out and 403 for another user, and then nothing has changed; an admin may do
// every one; a signed-in write without our Origin is refused even from the owner; an unknown
// channel is 404. A revoked or rotated-out key no longer publishes, whichever way it was made.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../api/accounts/users.ts';
import { channelForStreamKey } from '../../api/stream-keys/stream-keys.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { createTestChannel } from '../support/channels.ts';
import { databaseTargets } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';
import { completeOffer, publishOverWhip } from '../support/whip-publisher.ts';
import { RTCPeerConnection } from '../support/wrtc-media.ts';

/** A real 1x1 PNG: uploads are checked by their bytes. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PASSWORD = 'correct horse battery staple';

function imageForm(fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'image.png');
  return form;
}

/** A channel with something of everything a write could change. */
interface World {
  owner: TestUser;
  slug: string;
  keyId: string;
  emoteId: string;
  moderator: TestUser;
  /** A user nobody has made a moderator yet. */
  candidate: TestUser;
}

interface Write {
  name: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';
  path: string;
  body?: () => unknown;
  /** What the owner or an admin gets. */
  allowed: number;
}

/** Every owner-only request on the channel, reads of secrets included. */
function writesOn(slug: string, world: World): Write[] {
  const channel = `/api/v1/channels/${slug}`;
  return [
    { name: 'edit the channel', method: 'PATCH', path: channel, body: () => ({ title: 'Taken over' }), allowed: 200 },
    {
      name: 'retitle the live stream',
      method: 'PATCH',
      path: `${channel}/live-stream`,
      body: () => ({ title: 'Taken over' }),
      allowed: 200,
    },
    { name: 'upload the avatar', method: 'PUT', path: `${channel}/avatar`, body: () => imageForm(), allowed: 200 },
    { name: 'remove the avatar', method: 'DELETE', path: `${channel}/avatar`, allowed: 204 },
    { name: 'upload the banner', method: 'PUT', path: `${channel}/banner`, body: () => imageForm(), allowed: 200 },
    { name: 'remove the banner', method: 'DELETE', path: `${channel}/banner`, allowed: 204 },
    { name: 'list the stream keys', method: 'GET', path: `${channel}/stream-keys`, allowed: 200 },
    { name: 'issue a stream key', method: 'POST', path: `${channel}/stream-keys`, allowed: 201 },
    { name: 'rotate the stream keys', method: 'POST', path: `${channel}/stream-keys/rotate`, allowed: 201 },
    { name: 'revoke a stream key', method: 'DELETE', path: `${channel}/stream-keys/${world.keyId}`, allowed: 204 },
    { name: 'list the moderators', method: 'GET', path: `${channel}/moderators`, allowed: 200 },
    { name: 'add a moderator', method: 'PUT', path: `${channel}/moderators/${world.candidate.username}`, allowed: 204 },
    {
      name: 'remove a moderator',
      method: 'DELETE',
      path: `${channel}/moderators/${world.moderator.username}`,
      allowed: 204,
    },
    {
      name: 'add an emote',
      method: 'POST',
      path: `${channel}/emotes`,
      body: () => imageForm({ name: 'intruder' }),
      allowed: 201,
    },
    { name: 'remove an emote', method: 'DELETE', path: `${channel}/emotes/${world.emoteId}`, allowed: 204 },
  ];
}

describe.each(databaseTargets())('channel authorization on $name', (target) => {
  let platform: TestPlatform;
  let dispose: () => Promise<void>;
  const signaling: TestSignalingClient[] = [];

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    const env: Record<string, string> = { ROLES: 'api,signaling,sfu', AUTH_RATE_LIMIT_PER_MINUTE: '1000' };
    if (created.options.kind === 'postgresql') env.DATABASE_URL = created.options.url;
    platform = await startTestPlatform(env);
  });
  afterEach(() => {
    for (const client of signaling.splice(0)) client.close();
  });
  afterAll(async () => {
    await platform?.close();
    await dispose?.();
  });

  const prisma = () => platform.database!.prisma;

  async function makeWorld(): Promise<World> {
    const owner = await signUp(platform.url, 'owner');
    const slug = `authz-${randomBytes(4).toString('hex')}`;
    const moderator = await signUp(platform.url, 'mod');
    const candidate = await signUp(platform.url, 'cand');
    const ok = async (reply: Promise<{ status: number; body: any }>, status: number) => {
      const { status: got, body } = await reply;
      expect(got, JSON.stringify(body)).toBe(status);
      return body;
    };
    await ok(owner.client.post('/api/v1/channels', { slug, title: 'Owned by A' }), 201);
    const key = await ok(owner.client.post(`/api/v1/channels/${slug}/stream-keys`), 201);
    await ok(owner.client.put(`/api/v1/channels/${slug}/avatar`, imageForm()), 200);
    await ok(owner.client.put(`/api/v1/channels/${slug}/banner`, imageForm()), 200);
    const emote = await ok(owner.client.post(`/api/v1/channels/${slug}/emotes`, imageForm({ name: 'owned' })), 201);
    await ok(owner.client.put(`/api/v1/channels/${slug}/moderators/${moderator.username}`), 204);
    // Live, so that retitling the live stream is possible for those allowed to.
    const channel = await prisma().channel.findUniqueOrThrow({ where: { slug } });
    await prisma().stream.create({
      data: { channelId: channel.id, state: 'live', startedAt: new Date(), title: 'Owned by A' },
    });
    return { owner, slug, keyId: key.id, emoteId: emote.id, moderator, candidate };
  }

  /** Everything a write could have changed: rows, files, and the public answer. */
  async function snapshot(slug: string) {
    const channel = await prisma().channel.findUniqueOrThrow({
      where: { slug },
      include: {
        streamKeys: { orderBy: { id: 'asc' } },
        moderators: { orderBy: { userId: 'asc' } },
        emotes: { orderBy: { id: 'asc' } },
        moderationActions: { orderBy: { id: 'asc' } },
        streams: true,
      },
    });
    const files = fs.readdirSync(platform.config.uploads.dir).sort();
    const api = (await new ApiClient(platform.url).get(`/api/v1/channels/${slug}`)).body;
    return { channel, files, api };
  }

  async function adminClient(): Promise<ApiClient> {
    const admin = await createUser(prisma(), {
      email: `admin-${randomBytes(4).toString('hex')}@example.test`,
      password: PASSWORD,
      role: 'admin',
    });
    const client = new ApiClient(platform.url);
    expect((await client.post('/api/v1/auth/login', { login: admin.email, password: PASSWORD })).status).toBe(200);
    return client;
  }

  /** A request as a browser on another site (or a script) would send it: the cookie, but `origin` as given or none. */
  async function withOrigin(client: ApiClient, write: Write, origin: string | undefined) {
    const body = write.body?.();
    const response = await fetch(`${platform.url}${write.path}`, {
      method: write.method,
      headers: {
        cookie: client.cookie!,
        ...(origin ? { origin } : {}),
        ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as { code: string } };
  }

  it('refuses every write by another signed-in user with 403 forbidden, and nothing changes', async () => {
    const world = await makeWorld();
    const stranger = await signUp(platform.url, 'stranger');
    const before = await snapshot(world.slug);

    for (const write of writesOn(world.slug, world)) {
      const reply = await stranger.client.request(write.method, write.path, write.body?.());
      expect(reply.status, write.name).toBe(403);
      expect(reply.body.code, write.name).toBe('forbidden');
    }

    expect(await snapshot(world.slug)).toEqual(before);
  });

  it("doesn't show another user the stream keys, not even their prefixes", async () => {
    const world = await makeWorld();
    const stranger = await signUp(platform.url, 'peeker');
    const prefix = (await world.owner.client.get(`/api/v1/channels/${world.slug}/stream-keys`)).body[0]
      .prefix as string;

    const reply = await stranger.client.get(`/api/v1/channels/${world.slug}/stream-keys`);

    expect(reply.status).toBe(403);
    expect(JSON.stringify(reply.body)).not.toContain(prefix);
  });

  it('refuses every write signed out with 401 unauthorized, and nothing changes', async () => {
    const world = await makeWorld();
    const anonymous = new ApiClient(platform.url);
    const before = await snapshot(world.slug);

    for (const write of writesOn(world.slug, world)) {
      const reply = await anonymous.request(write.method, write.path, write.body?.());
      expect(reply.status, write.name).toBe(401);
      expect(reply.body.code, write.name).toBe('unauthorized');
    }

    expect(await snapshot(world.slug)).toEqual(before);
  });

  it("refuses the owner's own signed-in writes without our Origin (CSRF) with 403, and nothing changes", async () => {
    const world = await makeWorld();
    const before = await snapshot(world.slug);

    for (const write of writesOn(world.slug, world).filter((w) => w.method !== 'GET')) {
      for (const origin of [undefined, 'https://evil.example', 'null']) {
        const reply = await withOrigin(world.owner.client, write, origin);
        expect(reply.status, `${write.name} from ${origin ?? 'no origin'}`).toBe(403);
        expect(reply.body.code).toBe('forbidden');
      }
    }

    expect(await snapshot(world.slug)).toEqual(before);
  });

  it('answers 404 for every write on a channel that does not exist', async () => {
    const world = await makeWorld();
    const missing = `missing-${randomBytes(4).toString('hex')}`;

    for (const write of writesOn(missing, world)) {
      const reply = await world.owner.client.request(write.method, write.path, write.body?.());
      expect(reply.status, write.name).toBe(404);
      expect(reply.body.code, write.name).toBe('not_found');
    }
  });

  it('lets an admin do every write', async () => {
    const world = await makeWorld();
    const admin = await adminClient();

    for (const write of writesOn(world.slug, world)) {
      const reply = await admin.request(write.method, write.path, write.body?.());
      expect(reply.status, `${write.name}: ${JSON.stringify(reply.body)}`).toBe(write.allowed);
    }

    const after = await snapshot(world.slug);
    expect(after.channel.title).toBe('Taken over');
    expect(after.channel.moderators.map((m) => m.userId)).toEqual([world.candidate.id]);
    expect(after.channel.emotes.map((e) => e.name)).toEqual(['intruder']);
  });

  it('lets the owner do every write', async () => {
    const world = await makeWorld();

    for (const write of writesOn(world.slug, world)) {
      const reply = await world.owner.client.request(write.method, write.path, write.body?.());
      expect(reply.status, `${write.name}: ${JSON.stringify(reply.body)}`).toBe(write.allowed);
    }
  });

  describe('stream keys that no longer publish', () => {
    /** POSTs a real WebRTC offer to WHIP with the key; the status tells whether the key let it in. */
    async function whipStatus(key: string): Promise<number> {
      const pc = new RTCPeerConnection();
      try {
        pc.addTransceiver('audio', { direction: 'sendonly' });
        const response = await fetch(`${platform.url}/api/whip`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp', authorization: `Bearer ${key}` },
          body: await completeOffer(pc),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status === 201) {
          // Let in: end the session at once.
          await fetch(`${platform.url}${response.headers.get('location')}`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${key}` },
          });
        } else {
          expect((await response.json()).code).toBe('unauthorized');
        }
        return response.status;
      } finally {
        pc.close();
      }
    }

    async function signalingJoin(streamKey: string) {
      const client = await TestSignalingClient.connect(platform.url);
      signaling.push(client);
      const ack = await client.request('join', { role: 'publisher', streamKey });
      client.close();
      return ack.ok ? 'ok' : ack.error.code;
    }

    it('a key revoked in the studio: WHIP 401, no channel for it, while the other key still publishes', async () => {
      const { owner, slug } = await makeWorld();
      const keys = `/api/v1/channels/${slug}/stream-keys`;
      const revoked = (await owner.client.post(keys)).body;
      const kept = (await owner.client.post(keys)).body;
      expect(await whipStatus(revoked.key)).toBe(201);

      expect((await owner.client.delete(`${keys}/${revoked.id}`)).status).toBe(204);

      expect(await whipStatus(revoked.key)).toBe(401);
      expect(await channelForStreamKey(prisma(), revoked.key)).toBeUndefined();
      expect(await signalingJoin(revoked.key)).toBe('unauthorized');
      expect(await whipStatus(kept.key)).toBe(201);
    });

    it('a key made with the CLI, rotated out from the studio: no channel for it, WHIP 401, socket.io unauthorized; the new key publishes', async () => {
      const channel = await createTestChannel(platform);
      const owner = new ApiClient(platform.url);
      expect(
        (await owner.post('/api/v1/auth/login', { login: channel.ownerEmail, password: 'correct horse battery' }))
          .status,
      ).toBe(200);
      expect((await channelForStreamKey(prisma(), channel.streamKey))?.slug).toBe(channel.slug);

      const rotated = await owner.post(`/api/v1/channels/${channel.slug}/stream-keys/rotate`);

      expect(rotated.status).toBe(201);
      expect(await channelForStreamKey(prisma(), channel.streamKey)).toBeUndefined();
      expect(await whipStatus(channel.streamKey)).toBe(401);
      expect(await signalingJoin(channel.streamKey)).toBe('unauthorized');
      // The new key really publishes: media over WHIP into the channel's room.
      const publication = await publishOverWhip(platform.url, rotated.body.key);
      try {
        const room = platform.rooms!.get((await channelForStreamKey(prisma(), rotated.body.key))!.id);
        expect(room?.producers().length).toBe(2);
      } finally {
        await publication.stop();
      }
    });
  });
});
