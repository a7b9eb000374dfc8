// Every route of the API, found in its own OpenAPI document, fed hostile strings (NUL, lone
// surrogates, bidi overrides, control characters, encodings, megabytes) in its path parameters,
// query and JSON body, as the channel's signed-in owner: the answer is never a 500, and every
// refusal is problem+json. The socket.io joins of chat and media get the same strings as slugs.
// fast-check draws the values; a failure prints the request that broke it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../support/api-client.ts';
import { ChatTestClient } from '../support/chat-client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TestSignalingClient } from '../support/signaling-client.ts';

const HOSTILE = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\u202Egnp.exe',
  '%00',
  '%FF',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '\r\n\t',
  ' ',
  '',
  'e\u0301',
  '\u0085',
  '\uFEFF\u200B',
  '𝕏'.repeat(300),
  'a'.repeat(5000),
  '{"$gt":""}',
];

const hostileString = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 64 }));
/** Anything at all where the schema wants one kind: strings mostly, other JSON too. */
const hostileValue = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: string[];
  body: Record<string, unknown> | undefined;
}

/** Routes that would end the test's own session, or need a multipart body (tested in uploads). */
const LEFT_OUT = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/password']);

describe('hostile input to every route', () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let slug: string;
  let operations: Operation[];

  beforeAll(async () => {
    platform = await startTestPlatform({ AUTH_RATE_LIMIT_PER_MINUTE: '100000' });
    owner = await signUp(platform.url, 'hostile');
    slug = `hostile-${owner.id.slice(0, 8)}`;
    const created = await owner.client.post('/api/v1/channels', { slug, title: 'Hostile input' });
    expect(created.status).toBe(201);
    operations = await apiOperations(platform.url);
  });
  afterAll(async () => {
    await platform?.close();
  });

  /** A value that gets past the route's own lookups, so the hostile one meets deeper code. */
  function plausible(name: string): string {
    if (name === 'slug' || name === 'channel') return slug;
    if (name === 'username') return owner.username;
    return '00000000-0000-4000-8000-000000000000';
  }

  async function send(
    operation: Operation,
    hostile: { where: 'path' | 'query' | 'body'; name: string; value: unknown },
  ) {
    let path = operation.path;
    for (const name of operation.pathParams) {
      const value = hostile.where === 'path' && hostile.name === name ? String(hostile.value) : plausible(name);
      path = path.replace(`{${name}}`, percentEncode(value));
    }
    if (hostile.where === 'query') path += `?${new URLSearchParams({ [hostile.name]: String(hostile.value) })}`;
    let body: Record<string, unknown> | undefined;
    if (operation.body) {
      body = { ...operation.body };
      if (hostile.where === 'body') body[hostile.name] = hostile.value;
    }
    const reply = await owner.client.request(operation.method, path, body);
    return { reply, request: `${operation.method} ${path} ${body ? JSON.stringify(body).slice(0, 300) : ''}` };
  }

  it('answers every route 2xx or a 4xx problem, never a 500', async () => {
    expect(operations.length).toBeGreaterThan(30);
    let requests = 0;
    for (const operation of operations) {
      const targets = [
        ...operation.pathParams.map((name) => ({ where: 'path' as const, name })),
        ...operation.query.map((name) => ({ where: 'query' as const, name })),
        ...Object.keys(operation.body ?? {}).map((name) => ({ where: 'body' as const, name })),
      ];
      if (targets.length === 0) continue;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...targets), hostileValue, async (target, value) => {
          const hostile = {
            ...target,
            value: target.where === 'body' || typeof value === 'string' ? value : JSON.stringify(value),
          };
          const { reply, request } = await send(operation, hostile);
          requests++;
          expect(reply.status, request).toBeLessThan(500);
          if (reply.status >= 400) expect(reply.headers.get('content-type'), request).toContain('problem+json');
        }),
        { numRuns: 25 },
      );
    }
    expect(requests).toBeGreaterThan(500);
  });

  it('stores text by the one rule: NFC, trimmed, bidi overrides removed, NUL refused', async () => {
    const url = `/api/v1/channels/${slug}`;
    const edited = await owner.client.patch(url, {
      title: '  Cafe\u0301 \u202Elive  ',
      description: 'line one\r\nline \u2066two\u2069',
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const channel = (await owner.client.get(url)).body;
    expect([channel.title, channel.description]).toEqual(['Café live', 'line one\nline two']);

    for (const title of ['a\u0000b', 'x\ud800', '\u200B \u3164']) {
      const refused = await owner.client.patch(url, { title });
      expect([JSON.stringify(title), refused.status, refused.body.code]).toEqual([
        JSON.stringify(title),
        400,
        'bad_request',
      ]);
    }
    expect((await owner.client.get(url)).body.title).toBe('Café live');

    const chat = await ChatTestClient.connect(platform.url, { cookie: owner.client.cookie });
    try {
      await chat.joined(slug);
      const sent = await chat.send(slug, '\u202Etxet desrever');
      expect(sent.ok && sent.message.body).toBe('txet desrever');
    } finally {
      chat.close();
    }
  });

  it('refuses a hostile slug in the chat and media joins with bad_request, not a failure', async () => {
    const chat = await ChatTestClient.connect(platform.url, { cookie: owner.client.cookie });
    const media = await TestSignalingClient.connect(platform.url);
    try {
      for (const value of HOSTILE) {
        const chatAck = await chat.join(value);
        expect(chatAck.ok, JSON.stringify(value)).toBe(false);
        expect(chatAck.ok === false && chatAck.error.code, JSON.stringify(value)).toMatch(/bad_request|not_found/);
        const mediaAck = await media.send({ method: 'join', data: { role: 'viewer', channel: value } });
        expect(mediaAck.ok === false && mediaAck.error.code, JSON.stringify(value)).toMatch(/bad_request|not_found/);
      }
    } finally {
      chat.close();
      media.close();
    }
  });
});

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is sent as the bytes a
 * careless client would send for it (WTF-8: %ED%A0%80 for U+D800), invalid UTF-8 for the server.
 */
function percentEncode(value: string): string {
  return [...value]
    .map((char) => {
      const unit = char.charCodeAt(0);
      if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
        const bytes = [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)];
        return bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
      }
      return encodeURIComponent(char);
    })
    .join('');
}

/** The API's operations as its OpenAPI document describes them, with a plausible JSON body each. */
async function apiOperations(baseUrl: string): Promise<Operation[]> {
  const document = (await (await fetch(`${baseUrl}/api/docs/json`)).json()) as OpenApi;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const upper = method.toUpperCase();
      if (LEFT_OUT.has(`${upper} ${path}`) || !path.startsWith('/api/')) continue;
      const content = operation.requestBody?.content ?? {};
      if (Object.keys(content).some((type) => type !== 'application/json')) continue;
      const parameters = operation.parameters ?? [];
      const schema = content['application/json']?.schema;
      operations.push({
        method: upper,
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        body: schema ? plausibleBody(schema) : undefined,
      });
    }
  }
  return operations;
}

function plausibleBody(schema: JsonSchema): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const type = property.type ?? property.anyOf?.[0]?.type;
    body[name] =
      type === 'integer' || type === 'number'
        ? 1
        : type === 'boolean'
          ? false
          : type === 'array'
            ? []
            : type === 'null'
              ? null
              : 'plain text';
  }
  return body;
}

interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string }[];
        requestBody?: { content: Record<string, { schema?: JsonSchema }> };
      }
    >
  >;
}
