// The HTTP side of a WHIP/WHEP session against a fake server and a fake RTCPeerConnection: what
// goes on the wire for the offer, an ICE restart and the end, and what the connection is told.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpMediaError } from './http-media-error.ts';
import { HttpMediaSession } from './http-media-session.ts';
import type { Log } from './log.ts';

const OFFER =
  'v=0\r\na=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=ice-ufrag:aaaa\r\na=ice-pwd:aaaaaaaaaaaaaaaaaaaaaa\r\n';
const RESTART_OFFER = OFFER.replace('ice-ufrag:aaaa', 'ice-ufrag:bbbb').replace(
  'ice-pwd:aaaaaaaaaaaaaaaaaaaaaa',
  'ice-pwd:bbbbbbbbbbbbbbbbbbbbbb',
);
const ANSWER =
  'v=0\r\na=ice-lite\r\nm=video 40000 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=ice-ufrag:server1\r\na=ice-pwd:serverpassword1\r\na=candidate:c 1 udp 1 127.0.0.1 40000 typ host\r\na=end-of-candidates\r\n';

class FakePeerConnection extends EventTarget {
  static last: FakePeerConnection;
  connectionState: RTCPeerConnectionState = 'new';
  iceGatheringState: RTCIceGatheringState = 'complete';
  signalingState: RTCSignalingState = 'stable';
  localDescription: { type: string; sdp: string } | null = null;
  remote: { type: string; sdp: string }[] = [];
  configuration: RTCConfiguration;
  closed = false;

  constructor(configuration: RTCConfiguration) {
    super();
    this.configuration = configuration;
    FakePeerConnection.last = this;
  }
  async createOffer(options?: RTCOfferOptions) {
    return { type: 'offer', sdp: options?.iceRestart ? RESTART_OFFER : OFFER };
  }
  async setLocalDescription(description: { type: string; sdp?: string }) {
    if (description.type === 'rollback') {
      this.signalingState = 'stable';
      this.localDescription = null;
      return;
    }
    this.localDescription = { type: description.type, sdp: description.sdp ?? '' };
    this.signalingState = 'have-local-offer';
  }
  async setRemoteDescription(description: { type: string; sdp: string }) {
    this.remote.push(description);
    this.signalingState = 'stable';
  }
  getConfiguration() {
    return this.configuration;
  }
  setConfiguration(configuration: RTCConfiguration) {
    this.configuration = configuration;
  }
  getTransceivers() {
    return [];
  }
  close() {
    this.closed = true;
  }
}

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const quietLog: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('HttpMediaSession', () => {
  let calls: Call[];
  let answer: (call: Call) => Response;

  beforeEach(() => {
    calls = [];
    vi.stubGlobal('window', { location: { href: 'http://live.test/studio' } });
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const call = {
        url,
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        body: init.body as string | undefined,
      };
      calls.push(call);
      return answer(call);
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  const created = () =>
    new Response(ANSWER, {
      status: 201,
      headers: {
        'content-type': 'application/sdp',
        location: '/api/whip/sessions/abc',
        etag: '"e1"',
        link: '<stun:stun.live.test:3478>; rel="ice-server", <turn:turn.live.test>; rel="ice-server"; username="u"; credential="c"',
      },
    });

  it('posts the complete offer with the bearer token and applies the answer', async () => {
    answer = created;
    const session = new HttpMediaSession({ endpoint: '/api/whip', token: 'live_key', log: quietLog });
    await session.negotiate();

    expect(calls).toEqual([
      {
        url: '/api/whip',
        method: 'POST',
        headers: { 'content-type': 'application/sdp', accept: 'application/sdp', authorization: 'Bearer live_key' },
        body: OFFER,
      },
    ]);
    expect(session.resource).toBe('http://live.test/api/whip/sessions/abc');
    expect(session.etag).toBe('"e1"');
    expect(session.iceServers).toEqual([
      { urls: 'stun:stun.live.test:3478' },
      { urls: 'turn:turn.live.test', username: 'u', credential: 'c' },
    ]);
    expect(FakePeerConnection.last.remote).toEqual([{ type: 'answer', sdp: ANSWER }]);
    expect(FakePeerConnection.last.configuration).toMatchObject({ bundlePolicy: 'max-bundle' });
  });

  it('fails with the problem code of a refusal', async () => {
    answer = () =>
      new Response(JSON.stringify({ status: 404, code: 'not_live', detail: 'Not live.' }), {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      });
    const session = new HttpMediaSession({ endpoint: '/api/whep/demo', log: quietLog });
    const error = await session.negotiate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpMediaError);
    expect(error).toMatchObject({ code: 'not_live', status: 404 });
    expect(calls[0]?.headers.authorization).toBeUndefined();
  });

  it('restarts ICE with a PATCH and applies the new credentials to the previous answer', async () => {
    answer = created;
    const session = new HttpMediaSession({ endpoint: '/api/whip', token: 'live_key', log: quietLog });
    await session.negotiate();
    answer = () =>
      new Response(
        'a=ice-lite\r\na=ice-ufrag:server2\r\na=ice-pwd:serverpassword2\r\na=candidate:c 1 udp 1 127.0.0.1 40000 typ host\r\na=end-of-candidates\r\n',
        {
          status: 200,
          headers: { 'content-type': 'application/trickle-ice-sdpfrag', etag: '"e2"' },
        },
      );
    await session.restartIce();

    const patch = calls[1]!;
    expect(patch).toMatchObject({
      url: 'http://live.test/api/whip/sessions/abc',
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': '*', authorization: 'Bearer live_key' },
    });
    expect(patch.body).toContain('a=ice-ufrag:bbbb\r\na=ice-pwd:bbbbbbbbbbbbbbbbbbbbbb');
    const pc = FakePeerConnection.last;
    // The advertised servers are used from the restart on.
    expect(pc.configuration.iceServers).toHaveLength(2);
    expect(pc.remote[1]?.sdp).toBe(ANSWER.replace('server1', 'server2').replace('serverpassword1', 'serverpassword2'));
    expect(session.etag).toBe('"e2"');
  });

  it('rolls the offer back when the server refuses the restart', async () => {
    answer = created;
    const session = new HttpMediaSession({ endpoint: '/api/whip', token: 'live_key', log: quietLog });
    await session.negotiate();
    answer = () => new Response('', { status: 404 });
    await expect(session.restartIce()).rejects.toMatchObject({ code: 'not_found' });
    expect(FakePeerConnection.last.signalingState).toBe('stable');
    expect(FakePeerConnection.last.remote).toHaveLength(1);
  });

  it('deletes the session before closing the connection, once', async () => {
    answer = created;
    const session = new HttpMediaSession({ endpoint: '/api/whip', token: 'live_key', log: quietLog });
    await session.negotiate();
    answer = () => {
      // The connection is still open while the DELETE is on its way.
      expect(FakePeerConnection.last.closed).toBe(false);
      return new Response(null, { status: 200 });
    };
    await Promise.all([session.close(), session.close()]);
    expect(calls.slice(1).map((c) => [c.method, c.url, c.headers.authorization])).toEqual([
      ['DELETE', 'http://live.test/api/whip/sessions/abc', 'Bearer live_key'],
    ]);
    expect(FakePeerConnection.last.closed).toBe(true);
  });

  it('remembers when the server says another publisher took the channel over', async () => {
    answer = created;
    const session = new HttpMediaSession({ endpoint: '/api/whip', token: 'live_key', log: quietLog });
    await session.negotiate();
    expect(session.takenOver).toBe(false);
    answer = () =>
      new Response(
        JSON.stringify({ status: 409, code: 'taken_over', detail: 'Another publisher took this channel over.' }),
        {
          status: 409,
          headers: { 'content-type': 'application/problem+json' },
        },
      );
    await session.close();
    expect(session.takenOver).toBe(true);
  });

  it('deletes a session the server created after close() was called', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    answer = created;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({
        url,
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        body: init.body as string | undefined,
      });
      if (init.method === 'POST') await held;
      return init.method === 'POST' ? created() : new Response(null, { status: 200 });
    });
    const session = new HttpMediaSession({ endpoint: '/api/whip', token: 'live_key', log: quietLog });
    const negotiating = session.negotiate();
    await session.close();
    release();
    await expect(negotiating).rejects.toMatchObject({ code: 'closed' });
    await vi.waitFor(() => expect(calls.map((c) => c.method)).toEqual(['POST', 'DELETE']));
  });
});
