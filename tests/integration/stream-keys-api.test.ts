// Stream keys from the studio over real HTTP on both databases: a key is shown once with the WHIP
// URL and works at once; the list never shows a key (nor its hash); rotation issues a new key and
// revokes every older one together; revoking one key leaves the others working.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { channelForStreamKey, hashStreamKey } from '../../api/stream-keys/stream-keys.ts';
import { signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

describe.each(databaseTargets())('stream keys API on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, (started) => (platform = started));

  const prisma = () => platform.database!.prisma;
  const publishesTo = async (key: string) => (await channelForStreamKey(prisma(), key))?.slug;

  async function ownerWithChannel(): Promise<{ owner: TestUser; slug: string; keys: string }> {
    const owner = await signUp(platform.url, 'keys');
    const slug = `keys-${owner.username.slice(-8)}`;
    expect((await owner.client.post('/api/v1/channels', { slug })).status).toBe(201);
    return { owner, slug, keys: `/api/v1/channels/${slug}/stream-keys` };
  }

  it('issues a key once, with the WHIP URL, and it publishes to the channel at once', async () => {
    const { owner, slug, keys } = await ownerWithChannel();

    const reply = await owner.client.post(keys);

    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toEqual({
      id: expect.any(String),
      key: expect.stringMatching(/^live_[A-Za-z0-9_-]{27}$/),
      prefix: reply.body.key.slice(0, 9),
      createdAt: expect.any(String),
      whipUrl: `${platform.url}/api/whip`,
    });
    expect(await publishesTo(reply.body.key)).toBe(slug);
    // Only the hash is stored.
    const row = await prisma().streamKey.findUniqueOrThrow({ where: { id: reply.body.id } });
    expect(row.keyHash).toBe(hashStreamKey(reply.body.key));
  });

  it('lists keys newest first without the key or its hash', async () => {
    const { owner, keys } = await ownerWithChannel();
    const first = (await owner.client.post(keys)).body;
    const second = (await owner.client.post(keys)).body;

    const list = await owner.client.get(keys);

    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      { id: second.id, prefix: second.prefix, createdAt: second.createdAt, revokedAt: null },
      { id: first.id, prefix: first.prefix, createdAt: first.createdAt, revokedAt: null },
    ]);
    const text = JSON.stringify(list.body);
    for (const issued of [first, second]) {
      expect(text).not.toContain(issued.key);
      expect(text).not.toContain(hashStreamKey(issued.key));
    }
  });

  it('rotates: a new key, and every older one revoked', async () => {
    const { owner, slug, keys } = await ownerWithChannel();
    const old = [(await owner.client.post(keys)).body, (await owner.client.post(keys)).body];

    const rotated = await owner.client.post(`${keys}/rotate`);

    expect(rotated.status).toBe(201);
    expect(rotated.body.whipUrl).toBe(`${platform.url}/api/whip`);
    expect(await publishesTo(rotated.body.key)).toBe(slug);
    for (const key of old) expect(await publishesTo(key.key)).toBeUndefined();
    const list = (await owner.client.get(keys)).body as { id: string; revokedAt: string | null }[];
    expect(list.map((k) => [k.id, k.revokedAt === null])).toEqual([
      [rotated.body.id, true],
      [old[1].id, false],
      [old[0].id, false],
    ]);
  });

  it('revokes one key and leaves the others working; revoking it again is fine', async () => {
    const { owner, slug, keys } = await ownerWithChannel();
    const keep = (await owner.client.post(keys)).body;
    const drop = (await owner.client.post(keys)).body;

    expect((await owner.client.delete(`${keys}/${drop.id}`)).status).toBe(204);

    expect(await publishesTo(drop.key)).toBeUndefined();
    expect(await publishesTo(keep.key)).toBe(slug);
    expect((await owner.client.delete(`${keys}/${drop.id}`)).status).toBe(204);
    const revokedAt = (await owner.client.get(keys)).body.find((k: { id: string }) => k.id === drop.id).revokedAt;
    expect(Date.parse(revokedAt)).toBeGreaterThan(0);
  });

  it("answers 404 for a key id the channel doesn't have, another channel's included, and 400 for one that is not an id", async () => {
    const first = await ownerWithChannel();
    const second = await ownerWithChannel();
    const theirs = (await second.owner.client.post(second.keys)).body;

    const unknown = await first.owner.client.delete(`${first.keys}/${randomUUID()}`);
    const foreign = await first.owner.client.delete(`${first.keys}/${theirs.id}`);
    const malformed = await first.owner.client.delete(`${first.keys}/not-an-id`);

    expect(unknown.status).toBe(404);
    expect(foreign.status).toBe(404);
    expect(malformed.status).toBe(400);
    expect(await publishesTo(theirs.key)).toBe(second.slug);
  });

  it('holds a channel to 10 active keys (409 too_many_stream_keys); rotating is always possible', async () => {
    const { owner, slug, keys } = await ownerWithChannel();
    for (let i = 0; i < 10; i++) expect((await owner.client.post(keys)).status).toBe(201);

    const eleventh = await owner.client.post(keys);

    expect(eleventh.status).toBe(409);
    expect(eleventh.body.code).toBe('too_many_stream_keys');
    expect(await prisma().streamKey.count({ where: { channel: { slug } } })).toBe(10);
    expect((await owner.client.post(`${keys}/rotate`)).status).toBe(201);
    expect(await prisma().streamKey.count({ where: { channel: { slug }, revokedAt: null } })).toBe(1);
  });
});
