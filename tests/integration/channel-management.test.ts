// Creating and editing channels over real HTTP on both databases: a signed-in viewer creates a
// channel and becomes a creator; reserved, malformed and taken slugs are refused with stable codes;
// the owner edits title, description, category and tags, and retitles the stream that is live;
// the Channel answer tells each caller what they may do. Every refusal changes nothing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUser } from '../../api/accounts/users.ts';
import { ApiClient, signUp, type TestUser } from '../support/api-client.ts';
import { databaseTargets } from '../support/databases.ts';
import { startPlatformOn, type TestPlatform } from '../support/platform.ts';

describe.each(databaseTargets())('channel management on $name', (target) => {
  let platform: TestPlatform;
  startPlatformOn(target, { ROLES: 'api', AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, (started) => (platform = started));

  const prisma = () => platform.database!.prisma;
  const newSlug = () => `chan-${randomBytes(4).toString('hex')}`;

  async function ownerWithChannel(): Promise<{ owner: TestUser; slug: string }> {
    const owner = await signUp(platform.url, 'owner');
    const slug = newSlug();
    const reply = await owner.client.post('/api/v1/channels', { slug, title: 'My channel' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return { owner, slug };
  }

  /** Asserts the write was refused with `status`/`code` and that the channel reads the same after. */
  async function expectRefusedWrite(
    client: ApiClient,
    slug: string,
    method: string,
    path: string,
    body: unknown,
    status: number,
    code: string,
  ) {
    const before = await prisma().channel.findUniqueOrThrow({ where: { slug }, include: { streams: true } });
    const reply = await client.request(method, path, body);
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, code });
    expect(await prisma().channel.findUniqueOrThrow({ where: { slug }, include: { streams: true } })).toEqual(before);
    return reply;
  }

  describe('create', () => {
    it('creates a channel owned by the caller, who becomes a creator and sees it as theirs', async () => {
      const user = await signUp(platform.url, 'newbie');
      const slug = newSlug();

      const reply = await user.client.post('/api/v1/channels', {
        slug: ` ${slug.toUpperCase()} `,
        title: '  Late night synths ',
        category: 'music',
      });

      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(reply.body).toMatchObject({
        slug,
        title: 'Late night synths',
        category: 'music',
        categoryName: 'Music',
        live: false,
        owner: { id: user.id, username: user.username },
        canManage: true,
        canModerate: true,
        following: false,
        followers: 0,
      });
      const me = await user.client.get('/api/v1/auth/me');
      expect(me.body.user.role).toBe('creator');
      expect(me.body.channels).toEqual([{ slug, title: 'Late night synths' }]);
    });

    it('uses the slug as the title when none is given', async () => {
      const user = await signUp(platform.url, 'notitle');
      const slug = newSlug();

      const reply = await user.client.post('/api/v1/channels', { slug });

      expect(reply.status).toBe(201);
      expect(reply.body.title).toBe(slug);
    });

    it('keeps an admin an admin when they create a channel', async () => {
      const password = 'correct horse battery staple';
      const admin = await createUser(prisma(), {
        email: `admin-${randomBytes(3).toString('hex')}@example.test`,
        password,
        role: 'admin',
      });
      const client = new ApiClient(platform.url);
      expect((await client.post('/api/v1/auth/login', { login: admin.email, password })).status).toBe(200);

      expect((await client.post('/api/v1/channels', { slug: newSlug() })).status).toBe(201);

      expect((await client.get('/api/v1/auth/me')).body.user.role).toBe('admin');
    });

    it('lets an account own 5 channels (MAX_CHANNELS_PER_USER), even when it asks for more at once', async () => {
      const user = await signUp(platform.url, 'collector');
      for (let i = 0; i < 3; i++) {
        expect((await user.client.post('/api/v1/channels', { slug: newSlug() })).status).toBe(201);
      }

      // Three at once with room for two: the owner's row is locked while one is counted and made.
      const replies = await Promise.all([1, 2, 3].map(() => user.client.post('/api/v1/channels', { slug: newSlug() })));
      expect(replies.map((reply) => reply.status).sort()).toEqual([201, 201, 409]);
      const refused = replies.find((reply) => reply.status === 409)!;
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({
        status: 409,
        code: 'channel_limit_reached',
        detail: 'An account may own at most 5 channels, and yours has reached that limit.',
      });

      expect((await user.client.post('/api/v1/channels', { slug: newSlug() })).body.code).toBe('channel_limit_reached');
      expect(await prisma().channel.count({ where: { ownerId: user.id } })).toBe(5);
    });

    it('lets an admin own more channels than the limit', async () => {
      const password = 'correct horse battery staple';
      const admin = await createUser(prisma(), {
        email: `admin-${randomBytes(3).toString('hex')}@example.test`,
        password,
        role: 'admin',
      });
      const client = new ApiClient(platform.url);
      expect((await client.post('/api/v1/auth/login', { login: admin.email, password })).status).toBe(200);

      for (let i = 0; i < 6; i++) {
        expect((await client.post('/api/v1/channels', { slug: newSlug() })).status).toBe(201);
      }
      expect(await prisma().channel.count({ where: { ownerId: admin.id } })).toBe(6);
    });

    it('refuses reserved, malformed and taken slugs, unknown categories and unknown fields, creating nothing', async () => {
      const { slug: taken } = await ownerWithChannel();
      const user = await signUp(platform.url, 'refused');
      const countBefore = await prisma().channel.count();
      const cases: [unknown, number, string][] = [
        [{ slug: 'admin' }, 400, 'bad_request'],
        [{ slug: 'API' }, 400, 'bad_request'],
        [{ slug: 'studio' }, 400, 'bad_request'],
        [{ slug: 'ab' }, 400, 'bad_request'],
        [{ slug: 'has space' }, 400, 'bad_request'],
        [{ slug: 'x'.repeat(65) }, 400, 'bad_request'],
        [{ slug: taken }, 409, 'slug_taken'],
        [{ slug: taken.toUpperCase() }, 409, 'slug_taken'],
        [{ slug: newSlug(), category: 'no-such-category' }, 400, 'unknown_category'],
        [{ slug: newSlug(), title: 't'.repeat(141) }, 400, 'bad_request'],
        [{ slug: newSlug(), ownerId: user.id }, 400, 'bad_request'],
        [{}, 400, 'bad_request'],
      ];

      for (const [body, status, code] of cases) {
        const reply = await user.client.post('/api/v1/channels', body);
        expect(reply.status, JSON.stringify(body)).toBe(status);
        expect(reply.body.code, JSON.stringify(body)).toBe(code);
      }

      expect(await prisma().channel.count()).toBe(countBefore);
      expect((await user.client.get('/api/v1/auth/me')).body.user.role).toBe('viewer');
    });

    it('refuses a signed-out caller with 401', async () => {
      const reply = await new ApiClient(platform.url).post('/api/v1/channels', { slug: newSlug() });

      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('unauthorized');
    });
  });

  describe('edit', () => {
    it('changes title, description, category and tags, and answers with the channel', async () => {
      const { owner, slug } = await ownerWithChannel();

      const reply = await owner.client.patch(`/api/v1/channels/${slug}`, {
        title: ' Synth nights ',
        description: 'Modular synths, live.\nEvery Friday.',
        category: 'dj-sets',
        tags: ['synth', 'modular', 'synth', 'live-music'],
      });

      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body).toMatchObject({
        slug,
        title: 'Synth nights',
        description: 'Modular synths, live.\nEvery Friday.',
        category: 'dj-sets',
        categoryName: 'DJ Sets',
        tags: ['synth', 'modular', 'live-music'],
        canManage: true,
      });
      expect((await new ApiClient(platform.url).get(`/api/v1/channels/${slug}`)).body).toMatchObject({
        title: 'Synth nights',
        category: 'dj-sets',
      });
    });

    it('changes only the fields given, and clears the category with null', async () => {
      const { owner, slug } = await ownerWithChannel();
      await owner.client.patch(`/api/v1/channels/${slug}`, { category: 'music', tags: ['a1'] });

      const reply = await owner.client.patch(`/api/v1/channels/${slug}`, { category: null });

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ title: 'My channel', category: null, categoryName: null, tags: ['a1'] });
    });

    it('switches DJ mode (studio-quality stereo music) and its bitrate, and back', async () => {
      const { owner, slug } = await ownerWithChannel();

      const dj = await owner.client.patch(`/api/v1/channels/${slug}`, { mode: 'dj', audioKbps: 384 });
      expect(dj.status).toBe(200);
      expect(dj.body).toMatchObject({ mode: 'dj', audioKbps: 384 });

      const back = await owner.client.patch(`/api/v1/channels/${slug}`, { mode: 'default' });
      expect(back.body).toMatchObject({ mode: 'default', audioKbps: 384 });
    });

    it.each([
      ['a blank title', { title: '   ' }, 'bad_request'],
      ['an empty title', { title: '' }, 'bad_request'],
      ['a title over 140 characters', { title: 't'.repeat(141) }, 'bad_request'],
      ['a description over 2000 characters', { description: 'd'.repeat(2001) }, 'bad_request'],
      ['an unknown category', { category: 'knitting' }, 'unknown_category'],
      ['eleven tags', { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'bad_request'],
      ['an uppercase tag', { tags: ['Synth'] }, 'bad_request'],
      ['a tag with a space', { tags: ['two words'] }, 'bad_request'],
      ['a tag over 24 characters', { tags: ['t'.repeat(25)] }, 'bad_request'],
      ['an empty tag', { tags: [''] }, 'bad_request'],
      ['a tag that is not a string', { tags: [{ name: 'synth' }] }, 'bad_request'],
      ['a field that is not editable', { slug: 'renamed' }, 'bad_request'],
      ['a sneaked-in owner', { ownerId: '00000000-0000-0000-0000-000000000000' }, 'bad_request'],
      ['a mode that does not exist', { mode: 'karaoke' }, 'bad_request'],
      ['a DJ bitrate Opus cannot carry', { mode: 'dj', audioKbps: 600 }, 'bad_request'],
      ['a DJ bitrate too thin for music', { audioKbps: 64 }, 'bad_request'],
    ])('refuses %s with 400 %s, changing nothing', async (_, body, code) => {
      const { owner, slug } = await ownerWithChannel();

      await expectRefusedWrite(owner.client, slug, 'PATCH', `/api/v1/channels/${slug}`, body, 400, code);
    });
  });

  describe('live stream', () => {
    async function goLive(slug: string) {
      const channel = await prisma().channel.findUniqueOrThrow({ where: { slug } });
      return prisma().stream.create({
        data: { channelId: channel.id, state: 'live', startedAt: new Date(), title: channel.title },
      });
    }

    it('retitles and recategorizes the stream that is live, which the channel then shows', async () => {
      const { owner, slug } = await ownerWithChannel();
      const stream = await goLive(slug);

      const reply = await owner.client.patch(`/api/v1/channels/${slug}/live-stream`, {
        title: 'Q&A at the end',
        category: 'talk-shows',
      });

      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body).toEqual({ id: stream.id, title: 'Q&A at the end', category: 'talk-shows' });
      const channel = (await new ApiClient(platform.url).get(`/api/v1/channels/${slug}`)).body;
      expect(channel).toMatchObject({
        live: true,
        streamId: stream.id,
        title: 'Q&A at the end',
        category: 'talk-shows',
        categoryName: 'Talk Shows & Podcasts',
      });
      // The channel's own settings are untouched.
      expect(await prisma().channel.findUniqueOrThrow({ where: { slug } })).toMatchObject({
        title: 'My channel',
        category: null,
      });
    });

    it('refuses with 409 not_live when the channel is offline, and 400 unknown_category for a category that does not exist', async () => {
      const { owner, slug } = await ownerWithChannel();

      await expectRefusedWrite(
        owner.client,
        slug,
        'PATCH',
        `/api/v1/channels/${slug}/live-stream`,
        { title: 'Nobody hears this' },
        409,
        'not_live',
      );
      await goLive(slug);
      await expectRefusedWrite(
        owner.client,
        slug,
        'PATCH',
        `/api/v1/channels/${slug}/live-stream`,
        { category: 'knitting' },
        400,
        'unknown_category',
      );
    });
  });

  describe('what the channel tells each caller', () => {
    it('says who may manage and moderate, and whether the caller follows', async () => {
      const { owner, slug } = await ownerWithChannel();
      const moderator = await signUp(platform.url, 'mod');
      const follower = await signUp(platform.url, 'fan');
      const channel = await prisma().channel.findUniqueOrThrow({ where: { slug } });
      await prisma().channelModerator.create({ data: { channelId: channel.id, userId: moderator.id } });
      await prisma().follow.create({ data: { channelId: channel.id, userId: follower.id } });

      const as = async (client: ApiClient) => {
        const reply = await client.get(`/api/v1/channels/${slug}`);
        expect(reply.headers.get('cache-control')).toMatch(/private/);
        const { canManage, canModerate, following, followers } = reply.body;
        return { canManage, canModerate, following, followers };
      };

      expect(await as(owner.client)).toEqual({ canManage: true, canModerate: true, following: false, followers: 1 });
      expect(await as(moderator.client)).toEqual({
        canManage: false,
        canModerate: true,
        following: false,
        followers: 1,
      });
      expect(await as(follower.client)).toEqual({
        canManage: false,
        canModerate: false,
        following: true,
        followers: 1,
      });
      expect(await as(new ApiClient(platform.url))).toEqual({
        canManage: false,
        canModerate: false,
        following: false,
        followers: 1,
      });
    });

    it('shows the chat settings the channel has', async () => {
      const { owner, slug } = await ownerWithChannel();
      await prisma().channel.update({ where: { slug }, data: { slowModeSeconds: 30, followersOnly: true } });

      const reply = await owner.client.get(`/api/v1/channels/${slug}`);

      expect(reply.body.chat).toEqual({ slowModeSeconds: 30, followersOnly: true, subscribersOnly: false });
    });
  });
});
