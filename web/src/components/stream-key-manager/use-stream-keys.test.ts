import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useStreamKeys, type StreamKeyInfo } from './use-stream-keys.ts';

function reply(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const key = (id: string, revokedAt: string | null = null): StreamKeyInfo => ({
  id,
  prefix: `live_${id}`,
  createdAt: '2026-03-12T18:04:00Z',
  revokedAt,
});

describe('useStreamKeys', () => {
  let replies: Response[];
  let asked: string[];

  beforeEach(() => {
    replies = [];
    asked = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push(`${init?.method ?? 'GET'} ${url}`);
      const next = replies.shift();
      if (!next) throw new Error(`unexpected request ${url}`);
      return next;
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('shows a new key once, lists keys without it, and forgets it when revoked', async () => {
    const keys = useStreamKeys(() => 'ada');
    replies.push(reply(200, []));
    await keys.load();
    expect(keys.state.value).toBe('loaded');

    const issued = {
      id: 'k1',
      key: 'live_k1_secret',
      prefix: 'live_k1',
      createdAt: '2026-03-12T18:05:00Z',
      whipUrl: 'http://x/api/whip',
    };
    replies.push(reply(201, issued), reply(200, [key('k1')]));
    await keys.issue(false);
    expect(keys.issued.value?.key).toBe('live_k1_secret');
    expect(keys.keys.value).toEqual([key('k1')]);

    replies.push(reply(204), reply(200, [key('k1', '2026-03-12T18:06:00Z')]));
    await keys.revoke('k1');
    expect(keys.issued.value).toBeNull();
    expect(keys.keys.value[0]!.revokedAt).not.toBeNull();
    expect(asked).toEqual([
      'GET /api/v1/channels/ada/stream-keys',
      'POST /api/v1/channels/ada/stream-keys',
      'GET /api/v1/channels/ada/stream-keys',
      'DELETE /api/v1/channels/ada/stream-keys/k1',
      'GET /api/v1/channels/ada/stream-keys',
    ]);
  });

  it('rotates through its own route', async () => {
    const keys = useStreamKeys(() => 'ada');
    replies.push(
      reply(201, {
        id: 'k2',
        key: 'live_k2_s',
        prefix: 'live_k2',
        createdAt: '2026-03-12T18:05:00Z',
        whipUrl: 'http://x/api/whip',
      }),
      reply(200, []),
    );
    await keys.issue(true);
    expect(asked[0]).toBe('POST /api/v1/channels/ada/stream-keys/rotate');
  });

  it('keeps nothing issued when the server refuses', async () => {
    const keys = useStreamKeys(() => 'ada');
    replies.push(reply(409, { status: 409, code: 'too_many_stream_keys', detail: 'revoke one' }));
    await expect(keys.issue(false)).rejects.toMatchObject({ code: 'too_many_stream_keys' });
    expect(keys.issued.value).toBeNull();
  });
});
