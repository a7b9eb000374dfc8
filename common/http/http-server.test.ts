import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createHttpServer } from './http-server.ts';

/** The client address the server settles on for a request from a proxy at 127.0.0.1. */
async function clientAddress(trustProxy: string, forwardedFor: string): Promise<string> {
  const app = createHttpServer(loadConfig({ TRUST_PROXY: trustProxy }, []), pino({ level: 'silent' }));
  app.get('/ip', async (request) => request.ip);
  const reply = await app.inject({
    url: '/ip',
    remoteAddress: '127.0.0.1',
    headers: { 'x-forwarded-for': forwardedFor },
  });
  await app.close();
  return reply.body;
}

describe('the client address behind proxies', () => {
  // A client may send its own X-Forwarded-For; each proxy appends the address it saw.
  const forged = '6.6.6.6, 203.0.113.7';

  it('is the address the one proxy saw, not what the client wrote before it, with TRUST_PROXY=true', async () => {
    expect(await clientAddress('true', forged)).toBe('203.0.113.7');
  });

  it('goes as many hops back as there are proxies, and no further', async () => {
    expect(await clientAddress('2', `${forged}, 10.0.0.2`)).toBe('203.0.113.7');
  });

  it('trusts only the proxies listed by address', async () => {
    expect(await clientAddress('127.0.0.1', forged)).toBe('203.0.113.7');
    expect(await clientAddress('10.0.0.0/8', forged)).toBe('127.0.0.1');
  });

  it('ignores the header without TRUST_PROXY', async () => {
    expect(await clientAddress('false', forged)).toBe('127.0.0.1');
  });
});
