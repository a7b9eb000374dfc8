// What a hostile client sends to the HTTP server as a whole, before any route's own checks: every
// refusal is problem+json from our one error handler, and none echoes the address (a private
// channel's ?token= must never come back in a body or a log line).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { createHttpServer } from '../../common/http/http-server.ts';
import { createLogger } from '../../common/logger.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

describe('hostile requests to the whole server', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ ROLES: 'api,web' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it.each([
    ['a malformed percent-encoding', '/hls/%FF/index.m3u8?token=SECRET-TOKEN-1', 400, 'bad_request'],
    [
      'a path segment of 200 characters',
      `/api/v1/channels/${'a'.repeat(200)}?token=SECRET-TOKEN-1`,
      414,
      'uri_too_long',
    ],
  ])('%s: problem+json, without the address', async (_name, address, status, code) => {
    const response = await fetch(`${platform.url}${address}`);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ status, code });
    expect(body).not.toContain('SECRET-TOKEN');
    expect(body).not.toContain('FST_');
  });
});

describe('request logs', () => {
  it("write a request's address without the credentials in its query", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', pretty: false }, 'test', sink);
    const app = createHttpServer(loadConfig({ NODE_ENV: 'test' }, []), logger);
    app.get('/hls/:slug/index.m3u8', async () => 'ok');
    await app.inject('/hls/some-channel/index.m3u8?token=SECRET-TOKEN-2&x=1');
    await app.close();
    const logged = lines.join('\n');
    expect(logged).toContain('/hls/some-channel/index.m3u8?token=[redacted]&x=1');
    expect(logged).not.toContain('SECRET-TOKEN-2');
  });
});

describe('security headers', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ ROLES: 'api,web' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it.each(['/', '/studio', '/some-channel', '/api/docs/static/index.html'])(
    '%s: a content security policy, no framing by other sites, nosniff, a same-origin referrer',
    async (page) => {
      const response = await fetch(`${platform.url}${page}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(policy).toContain("frame-ancestors 'self'");
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
    },
  );

  it('serves no source maps unless WEB_SOURCE_MAPS is on', async () => {
    const index = await (await fetch(`${platform.url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
    expect((await fetch(`${platform.url}${script}`)).status).toBe(200);
    expect((await fetch(`${platform.url}${script}.map`)).status).toBe(404);
  });
});
