// Trickle ICE fragments (RFC 8840 as WHIP and WHEP use them): the PATCH bodies clients send, and
// the body we answer an ICE restart with, read back the way clients read it.
import type { types as ms } from 'mediasoup';
import { describe, expect, it } from 'vitest';
import { SdpError } from './sdp-errors.ts';
import { thrown } from './sdp-test-kit.ts';
import { buildIceRestartFragment, formatCandidates, parseCandidate, parseTrickleFragment } from './trickle.ts';

const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

describe('parseTrickleFragment', () => {
  it('reads the RFC 9725 example: media-level credentials, candidates with their mid', () => {
    const fragment = parseTrickleFragment(
      crlf([
        'a=group:BUNDLE 0 1',
        'm=audio 9 UDP/TLS/RTP/SAVPF 111',
        'a=mid:0',
        'a=ice-ufrag:EsAw',
        'a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1',
        'a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1',
        'a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2',
        'a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1',
        'a=candidate:2154773085 1 tcp 1518214911 198.51.100.2 9 typ host tcptype active generation 0 ufrag EsAw network-id 2',
        'a=end-of-candidates',
      ]),
    );
    expect(fragment.iceUfrag).toBe('EsAw');
    expect(fragment.icePwd).toBe('P2uYro0UCOQ4zxjKXaWCBui1');
    expect(fragment.endOfCandidates).toBe(true);
    expect(fragment.candidates).toHaveLength(4);
    expect(fragment.candidates[0]).toEqual({
      foundation: '1387637174',
      component: 1,
      transport: 'udp',
      priority: 2122260223,
      ip: '192.0.2.1',
      port: 61764,
      type: 'host',
      mid: '0',
    });
    expect(fragment.candidates[2]).toMatchObject({ transport: 'tcp', port: 9, tcpType: 'active' });
  });

  it('reads what whip-whep clients send: session-level credentials and an srflx candidate', () => {
    const fragment = parseTrickleFragment(
      [
        'a=ice-ufrag:ZzEd',
        'a=ice-pwd:bk9dT+vBb6bzM0qAdaEwQ1AS',
        'm=video 9 UDP/TLS/RTP/SAVPF 0',
        'a=mid:1',
        'a=candidate:842163049 1 UDP 1677729535 198.51.100.7 52200 typ srflx raddr 10.0.0.2 rport 52200 generation 0',
        'a=candidate:1 1 udp 2113937151 0d4b4c44-1d2a-4a3b-9c51-4f3e2d1c0b0a.local 33192 typ host',
      ].join('\n'),
    );
    expect(fragment).toEqual({
      iceUfrag: 'ZzEd',
      icePwd: 'bk9dT+vBb6bzM0qAdaEwQ1AS',
      endOfCandidates: false,
      candidates: [
        {
          foundation: '842163049',
          component: 1,
          transport: 'udp',
          priority: 1677729535,
          ip: '198.51.100.7',
          port: 52200,
          type: 'srflx',
          relatedAddress: '10.0.0.2',
          relatedPort: 52200,
          mid: '1',
        },
        {
          foundation: '1',
          component: 1,
          transport: 'udp',
          priority: 2113937151,
          ip: '0d4b4c44-1d2a-4a3b-9c51-4f3e2d1c0b0a.local',
          port: 33192,
          type: 'host',
          mid: '1',
        },
      ],
    });
  });

  it('reads a restart request that carries only new credentials', () => {
    expect(
      parseTrickleFragment(
        'a=ice-ufrag:newufrag\r\na=ice-pwd:newpasswordnewpasswordxx\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n',
      ),
    ).toEqual({
      iceUfrag: 'newufrag',
      icePwd: 'newpasswordnewpasswordxx',
      candidates: [],
      endOfCandidates: false,
    });
  });

  it.each([
    ['a body that is not text', undefined],
    ['a body over 64 KiB', `a=end-of-candidates\r\n${'a=x:y\r\n'.repeat(12_000)}`],
    ['a line that is not <type>=<value>', 'candidate:1 1 udp 1 10.0.0.1 5000 typ host'],
    ['two different ufrags', 'a=ice-ufrag:abcd\r\nm=audio 9 RTP/AVP 0\r\na=ice-ufrag:efgh\r\n'],
    ['a ufrag with forbidden characters', 'a=ice-ufrag:ab cd'],
    ['a password too short', 'a=ice-pwd:short'],
    ['a candidate without typ', 'a=candidate:1 1 udp 1 10.0.0.1 5000 host'],
    ['a candidate with a huge priority', 'a=candidate:1 1 udp 99999999999 10.0.0.1 5000 typ host'],
    ['a candidate with component 0', 'a=candidate:1 0 udp 1 10.0.0.1 5000 typ host'],
    ['a candidate with an address that is no address', 'a=candidate:1 1 udp 1 <script> 5000 typ host'],
    ['a candidate with an unknown tcptype', 'a=candidate:1 1 tcp 1 10.0.0.1 9 typ host tcptype sideways'],
    ['an invalid mid', 'm=audio 9 RTP/AVP 0\r\na=mid:not a token'],
  ])('refuses %s with 400 bad_sdp', (_what, body) => {
    const error = thrown(() => parseTrickleFragment(body as string));
    expect(error).toBeInstanceOf(SdpError);
    expect(error).toMatchObject({ status: 400, code: 'bad_sdp' });
  });
});

const CANDIDATES: ms.IceCandidate[] = [
  {
    foundation: 'tcpcandidate',
    priority: 1076302079,
    ip: '203.0.113.7',
    protocol: 'tcp',
    port: 4443,
    type: 'host',
    tcpType: 'passive',
  },
  {
    foundation: 'udpcandidate',
    priority: 1076302079,
    ip: '203.0.113.7',
    protocol: 'udp',
    port: 40000,
    type: 'host',
    tcpType: undefined,
  },
];
const ICE: ms.IceParameters = {
  usernameFragment: 'n3wufrag0123456789',
  password: 'n3wpassword0123456789abcdef',
  iceLite: true,
};

describe('buildIceRestartFragment', () => {
  it('writes our new credentials and candidates in the first bundled m-section (RFC 9725 section 4.4.1)', () => {
    expect(buildIceRestartFragment(ICE, CANDIDATES, { mid: '0', kind: 'audio' })).toBe(
      crlf([
        'a=ice-lite',
        'a=ice-ufrag:n3wufrag0123456789',
        'a=ice-pwd:n3wpassword0123456789abcdef',
        'a=group:BUNDLE 0',
        'm=audio 9 UDP/TLS/RTP/SAVPF 0',
        'a=mid:0',
        'a=candidate:udpcandidate 1 udp 1076302079 203.0.113.7 40000 typ host',
        'a=candidate:tcpcandidate 1 tcp 1076302079 203.0.113.7 4443 typ host tcptype passive',
        'a=end-of-candidates',
      ]),
    );
  });

  it('reads back as the same credentials and candidates', () => {
    for (const tag of [undefined, { mid: 'video0', kind: 'video' as const }]) {
      const fragment = parseTrickleFragment(buildIceRestartFragment(ICE, CANDIDATES, tag));
      expect(fragment.iceUfrag).toBe(ICE.usernameFragment);
      expect(fragment.icePwd).toBe(ICE.password);
      expect(fragment.endOfCandidates).toBe(true);
      expect(fragment.candidates.map((c) => [c.transport, c.ip, c.port, c.tcpType, c.mid])).toEqual([
        ['udp', '203.0.113.7', 40000, undefined, tag?.mid],
        ['tcp', '203.0.113.7', 4443, 'passive', tag?.mid],
      ]);
    }
  });

  it('is found by the patterns the whip-whep client applies to it', () => {
    const body = buildIceRestartFragment(ICE, CANDIDATES);
    expect(body.match(/a=ice-ufrag:(.*)\r\n/)![1]).toBe(ICE.usernameFragment);
    expect(body.match(/a=ice-pwd:(.*)\r\n/)![1]).toBe(ICE.password);
    expect(Array.from(body.matchAll(/(a=candidate:.*\r\n)/gm))).toHaveLength(2);
  });
});

describe('candidate lines', () => {
  it("format mediasoup's candidates so that they parse back", () => {
    const lines = formatCandidates(CANDIDATES);
    expect(lines.map((line) => parseCandidate(line))).toEqual([
      {
        foundation: 'udpcandidate',
        component: 1,
        transport: 'udp',
        priority: 1076302079,
        ip: '203.0.113.7',
        port: 40000,
        type: 'host',
      },
      {
        foundation: 'tcpcandidate',
        component: 1,
        transport: 'tcp',
        priority: 1076302079,
        ip: '203.0.113.7',
        port: 4443,
        type: 'host',
        tcpType: 'passive',
      },
    ]);
  });
});
