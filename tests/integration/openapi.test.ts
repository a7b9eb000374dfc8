// The API documents itself: /api/docs/json is an OpenAPI 3.1 document in which every route of the
// contract appears, each operation has tags, a summary and a schema for every answer (errors are
// problem+json), every $ref resolves, and /api/docs serves the browsable UI. The document is built
// from the routes' schemas alone, so one database (PGlite) is enough here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

/** Every operation of the API contract (docs/contract), plus the media and health routes. */
const CONTRACT = [
  // Accounts
  'POST /api/v1/auth/signup',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'POST /api/v1/auth/password',
  // Channels
  'GET /api/v1/channels/{slug}',
  'POST /api/v1/channels',
  'PATCH /api/v1/channels/{slug}',
  'PATCH /api/v1/channels/{slug}/live-stream',
  'PUT /api/v1/channels/{slug}/avatar',
  'DELETE /api/v1/channels/{slug}/avatar',
  'PUT /api/v1/channels/{slug}/banner',
  'DELETE /api/v1/channels/{slug}/banner',
  'GET /api/v1/channels/{slug}/stream-keys',
  'POST /api/v1/channels/{slug}/stream-keys',
  'POST /api/v1/channels/{slug}/stream-keys/rotate',
  'DELETE /api/v1/channels/{slug}/stream-keys/{id}',
  'GET /api/v1/channels/{slug}/moderators',
  'PUT /api/v1/channels/{slug}/moderators/{username}',
  'DELETE /api/v1/channels/{slug}/moderators/{username}',
  'GET /api/v1/channels/{slug}/emotes',
  'POST /api/v1/channels/{slug}/emotes',
  'DELETE /api/v1/channels/{slug}/emotes/{id}',
  'GET /api/v1/categories',
  // Chat and moderation
  'GET /api/v1/channels/{slug}/chat/messages',
  'DELETE /api/v1/channels/{slug}/chat/messages/{id}',
  'POST /api/v1/channels/{slug}/chat/bans',
  'DELETE /api/v1/channels/{slug}/chat/bans/{userId}',
  'GET /api/v1/channels/{slug}/chat/bans',
  'GET /api/v1/channels/{slug}/chat/settings',
  'PATCH /api/v1/channels/{slug}/chat/settings',
  'GET /api/v1/channels/{slug}/moderation-log',
  // Follows, notifications, discovery
  'PUT /api/v1/channels/{slug}/follow',
  'DELETE /api/v1/channels/{slug}/follow',
  'GET /api/v1/me/follows',
  'GET /api/v1/me/notifications',
  'POST /api/v1/me/notifications/read',
  'POST /api/v1/me/watched',
  'GET /api/v1/discover/live',
  'GET /api/v1/search',
  'GET /api/v1/discover/recommended',
  // VODs and clips
  'GET /api/v1/channels/{slug}/vods',
  'GET /api/v1/vods/{id}',
  'POST /api/v1/channels/{slug}/clips',
  'GET /api/v1/channels/{slug}/clips',
  'POST /api/v1/vods/{id}/clips',
  'GET /api/v1/clips/{id}',
  // Media over HTTP, and health
  'POST /api/whip',
  'POST /api/whep/{channel}',
  'PATCH /api/whip/sessions/{id}',
  'DELETE /api/whip/sessions/{id}',
  'PATCH /api/whep/sessions/{id}',
  'DELETE /api/whep/sessions/{id}',
  'GET /healthz',
];

/** Successes without a body: 204s, and the 200 that ends a WHIP/WHEP session (RFC 9725 section 4.3). */
const BODYLESS_SUCCESS = new Set(['DELETE /api/whip/sessions/{id} 200', 'DELETE /api/whep/sessions/{id} 200']);

/** Errors whose body is not a problem: an unhealthy /healthz answers with the same report as a healthy one. */
const NOT_PROBLEMS = new Set(['GET /healthz 503']);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Json = Record<string, any>;

describe('OpenAPI document', () => {
  let platform: TestPlatform;
  let doc: Json;

  beforeAll(async () => {
    // Every role that adds API routes: api, and signaling (WHIP/WHEP) with the recorder (clips).
    platform = await startTestPlatform({ ROLES: 'api,signaling,sfu,recorder' });
    const response = await fetch(`${platform.url}/api/docs/json`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await response.json()) as Json;
  });
  afterAll(async () => {
    await platform?.close();
  });

  /** Every operation of the document as "METHOD /path". */
  const operations = () =>
    Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      Object.entries(item as Json)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, operation: operation as Json })),
    );

  /** Follows a local $ref ('#/components/schemas/x') to what it names. */
  function resolve(ref: string): unknown {
    expect(ref, `a $ref outside the document: ${ref}`).toMatch(/^#\//);
    return ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Json)[part] : undefined), doc);
  }

  const deref = (schema: Json): Json =>
    typeof schema.$ref === 'string' ? deref(resolve(schema.$ref) as Json) : schema;

  it('is OpenAPI 3.1 with a title, a version and paths', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    for (const path of Object.keys(doc.paths)) expect(path).toMatch(/^\//);
  });

  it('documents every operation of the contract', () => {
    const documented = new Set(operations().map((o) => o.key));

    expect(CONTRACT.filter((key) => !documented.has(key))).toEqual([]);
  });

  it('documents nothing but the API: no pages, files or socket.io', () => {
    for (const { path } of operations()) expect(path).toMatch(/^\/(api\/|healthz$)/);
  });

  it('gives every operation tags, a summary, and its path parameters', () => {
    for (const { key, path, operation } of operations()) {
      expect(operation.tags, key).toEqual(expect.arrayContaining([expect.any(String)]));
      expect(typeof operation.summary === 'string' && operation.summary.length > 10, `${key} has a summary`).toBe(true);
      const declared = new Set(
        (operation.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name),
      );
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g))
        expect(declared.has(name), `${key} declares {${name}}`).toBe(true);
    }
  });

  it('gives every answer a schema: a success of each operation, and problem+json for every error', () => {
    for (const { key, operation } of operations()) {
      const responses = Object.entries((operation.responses ?? {}) as Json);
      expect(
        responses.some(([status]) => /^2\d\d$/.test(status)),
        `${key} documents a success`,
      ).toBe(true);
      for (const [status, response] of responses) {
        const where = `${key} ${status}`;
        const content = (response as Json).content as Json | undefined;
        if (/^2\d\d$/.test(status) && content === undefined) {
          expect(status === '204' || BODYLESS_SUCCESS.has(where), `${where} has no body`).toBe(true);
          continue;
        }
        expect(content, `${where} has content`).toBeDefined();
        for (const [mediaType, media] of Object.entries(content!)) {
          expect((media as Json).schema, `${where} ${mediaType} has a schema`).toBeDefined();
        }
        if (/^[45]\d\d$/.test(status) && !NOT_PROBLEMS.has(where)) {
          const problem = deref(content!['application/json'].schema as Json);
          expect(problem.properties, `${where} is a problem`).toMatchObject({
            status: expect.anything(),
            code: expect.anything(),
            detail: expect.anything(),
          });
        }
      }
    }
  });

  it('documents the bodies uploads and WHIP take: multipart with a file, SDP', () => {
    const avatar = doc.paths['/api/v1/channels/{slug}/avatar'].put.requestBody.content['multipart/form-data'].schema;
    expect(avatar.properties.file).toBeDefined();
    expect(avatar.required).toContain('file');
    const emote = doc.paths['/api/v1/channels/{slug}/emotes'].post.requestBody.content['multipart/form-data'].schema;
    expect(emote.required).toEqual(expect.arrayContaining(['file', 'name']));
    expect(doc.paths['/api/whip'].post.requestBody.content['application/sdp'].schema).toMatchObject({ type: 'string' });
    expect(doc.paths['/api/whip'].post.responses['201'].content['application/sdp'].schema).toMatchObject({
      type: 'string',
    });
    expect(doc.paths['/api/whip'].post.tags).toEqual(['whip']);
    expect(doc.paths['/api/whep/{channel}'].post.tags).toEqual(['whep']);
  });

  it('describes the Channel with every field of the contract', () => {
    const channel = deref(doc.paths['/api/v1/channels/{slug}'].get.responses['200'].content['application/json'].schema);

    expect(new Set(channel.required)).toEqual(
      new Set([
        'slug',
        'title',
        'description',
        'category',
        'categoryName',
        'tags',
        'live',
        'viewers',
        'streamId',
        'startedAt',
        'avatarUrl',
        'bannerUrl',
        'owner',
        'followers',
        'following',
        'canManage',
        'canModerate',
        'chat',
        'emotes',
        'private',
        'canWatch',
        'webrtcSeats',
        'mode',
        'audioKbps',
      ]),
    );
  });

  it('has no $ref that leads nowhere', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [field, value] of Object.entries(node)) {
          if (field === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
      }
    };
    walk(doc);

    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolve(ref), ref).toEqual(expect.any(Object));
  });

  it('serves the browsable UI at /api/docs', async () => {
    const response = await fetch(`${platform.url}/api/docs`, { signal: AbortSignal.timeout(10_000) });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/swagger/i);
  });
});
