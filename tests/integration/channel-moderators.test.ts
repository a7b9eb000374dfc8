// A channel's moderators over real HTTP on both databases: the owner adds and removes them by
// username, every real change is in the moderation log (and a repeated one is not logged twice),
// a moderator then moderates the chat (the Channel and /auth/me say so), and the owner can't be
// made a moderator of their own channel.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

describe.each(databaseTargets())('channel moderators on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, (started) => (platform = started));

  const prisma = () => platform.database!.prisma;

  async function ownerWithChannel(): Promise<{ owner: TestUser; slug: string }> {
    const owner = await signUp(platform.url, 'owner');
    const slug = `mods-${randomBytes(4).toString('hex')}`;
    expect((await owner.client.post('/api/v1/channels', { slug })).status).toBe(201);
    return { owner, slug };
  }

  const logOf = async (slug: string) =>
    (await prisma().moderationAction.findMany({ where: { channel: { slug } }, orderBy: { createdAt: 'asc' } })).map(
      (a) => ({
        kind: a.kind,
        moderatorId: a.moderatorId,
        targetUserId: a.targetUserId,
      }),
    );

  it('adds a moderator by username, lists them, and the moderator may moderate', async () => {
    const { owner, slug } = await ownerWithChannel();
    const helper = await signUp(platform.url, 'helper');

    // Usernames are case-insensitive, as at log-in.
    const added = await owner.client.put(`/api/v1/channels/${slug}/moderators/${helper.username.toUpperCase()}`);

    expect(added.status, JSON.stringify(added.body)).toBe(204);
    const list = await owner.client.get(`/api/v1/channels/${slug}/moderators`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      { id: helper.id, username: helper.username, name: expect.any(String), addedAt: expect.any(String) },
    ]);
    expect((await helper.client.get(`/api/v1/channels/${slug}`)).body).toMatchObject({
      canModerate: true,
      canManage: false,
    });
    expect((await helper.client.get('/api/v1/auth/me')).body.moderates).toEqual([{ slug, title: slug }]);
    expect(await logOf(slug)).toEqual([{ kind: 'add_moderator', moderatorId: owner.id, targetUserId: helper.id }]);
  });

  it('adding twice or removing twice is fine, and logged once each', async () => {
    const { owner, slug } = await ownerWithChannel();
    const helper = await signUp(platform.url, 'twice');
    const url = `/api/v1/channels/${slug}/moderators/${helper.username}`;

    expect((await owner.client.put(url)).status).toBe(204);
    expect((await owner.client.put(url)).status).toBe(204);
    expect((await owner.client.get(`/api/v1/channels/${slug}/moderators`)).body).toHaveLength(1);
    expect((await owner.client.delete(url)).status).toBe(204);
    expect((await owner.client.delete(url)).status).toBe(204);

    expect((await owner.client.get(`/api/v1/channels/${slug}/moderators`)).body).toEqual([]);
    expect((await helper.client.get(`/api/v1/channels/${slug}`)).body.canModerate).toBe(false);
    expect((await logOf(slug)).map((entry) => entry.kind)).toEqual(['add_moderator', 'remove_moderator']);
  });

  it('adds the same moderator from two requests at once without an error, logging it once', async () => {
    const { owner, slug } = await ownerWithChannel();
    const helper = await signUp(platform.url, 'race');

    const replies = await Promise.all(
      [1, 2, 3].map(() => owner.client.put(`/api/v1/channels/${slug}/moderators/${helper.username}`)),
    );

    expect(replies.map((r) => r.status)).toEqual([204, 204, 204]);
    expect(await logOf(slug)).toEqual([{ kind: 'add_moderator', moderatorId: owner.id, targetUserId: helper.id }]);
  });

  it('refuses to make the owner a moderator of their own channel (400), and an unknown user (404), changing nothing', async () => {
    const { owner, slug } = await ownerWithChannel();

    const self = await owner.client.put(`/api/v1/channels/${slug}/moderators/${owner.username}`);
    const unknown = await owner.client.put(
      `/api/v1/channels/${slug}/moderators/nobody_${randomBytes(3).toString('hex')}`,
    );
    const malformed = await owner.client.put(`/api/v1/channels/${slug}/moderators/no%20spaces`);

    expect(self.status).toBe(400);
    expect(self.body.code).toBe('owner_cannot_be_moderator');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    expect(malformed.status).toBe(400);
    expect((await owner.client.get(`/api/v1/channels/${slug}/moderators`)).body).toEqual([]);
    expect(await logOf(slug)).toEqual([]);
  });

  it('lists moderators oldest first', async () => {
    const { owner, slug } = await ownerWithChannel();
    const first = await signUp(platform.url, 'first');
    const second = await signUp(platform.url, 'second');
    await owner.client.put(`/api/v1/channels/${slug}/moderators/${first.username}`);
    await owner.client.put(`/api/v1/channels/${slug}/moderators/${second.username}`);

    const list = await owner.client.get(`/api/v1/channels/${slug}/moderators`);

    expect(list.body.map((m: { username: string }) => m.username)).toEqual([first.username, second.username]);
  });
});
