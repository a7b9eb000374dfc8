import { describe, expect, it } from 'vitest';
import {
  applyRestartFragment,
  buildRestartFragment,
  parseIceFragment,
  parseLinkIceServers,
  withStereoOpus,
} from './http-media-sdp.ts';

const sdp = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;

// A browser's offer, cut down to what matters here: BUNDLE, two sections sharing one transport.
const OFFER = sdp(
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host generation 0',
  'a=end-of-candidates',
  'a=ice-ufrag:NEWu',
  'a=ice-pwd:newpasswordnewpassword12',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 AA:BB',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendonly',
  'a=rid:r0 send',
  'a=simulcast:send r0;r1;r2',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:NEWu',
  'a=ice-pwd:newpasswordnewpassword12',
  'a=mid:1',
  'a=sendonly',
);

const ANSWER = sdp(
  'v=0',
  'o=mediasoup 1 1 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'a=ice-lite',
  'a=group:BUNDLE 0 1',
  'm=video 7 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 127.0.0.1',
  'a=ice-ufrag:oldserver',
  'a=ice-pwd:oldserverpassword',
  'a=candidate:udpcandidate 1 udp 1076302079 127.0.0.1 40000 typ host',
  'a=end-of-candidates',
  'a=mid:0',
  'a=recvonly',
  'm=audio 7 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 127.0.0.1',
  'a=ice-ufrag:oldserver',
  'a=ice-pwd:oldserverpassword',
  'a=candidate:udpcandidate 1 udp 1076302079 127.0.0.1 40000 typ host',
  'a=end-of-candidates',
  'a=mid:1',
  'a=recvonly',
);

describe('parseLinkIceServers', () => {
  it('reads STUN and TURN servers with their credentials', () => {
    const header =
      '<stun:stun.example.net:3478>; rel="ice-server", ' +
      '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="pa;ss,word"; credential-type="password"';
    expect(parseLinkIceServers(header)).toEqual([
      { urls: 'stun:stun.example.net:3478' },
      { urls: 'turn:turn.example.net?transport=udp', username: 'user', credential: 'pa;ss,word' },
    ]);
  });

  it('skips links of other relations and URLs that are no ICE server', () => {
    const header =
      '</api/whip/sessions/x>; rel="self", <https://example.net>; rel="ice-server", <stun:a.example>; rel=ice-server';
    expect(parseLinkIceServers(header)).toEqual([{ urls: 'stun:a.example' }]);
  });

  it('gives nothing for no header', () => {
    expect(parseLinkIceServers(null)).toEqual([]);
    expect(parseLinkIceServers('')).toEqual([]);
  });
});

describe('parseIceFragment', () => {
  it('finds credentials and candidates at session or media level', () => {
    const fragment = parseIceFragment(
      sdp(
        'a=ice-lite',
        'a=ice-ufrag:u1',
        'a=ice-pwd:p1',
        'm=audio 9 UDP/TLS/RTP/SAVPF 0',
        'a=mid:0',
        'a=candidate:c 1 udp 1 10.0.0.1 5000 typ host',
        'a=end-of-candidates',
      ),
    );
    expect(fragment).toEqual({
      ufrag: 'u1',
      pwd: 'p1',
      candidates: ['c 1 udp 1 10.0.0.1 5000 typ host'],
      endOfCandidates: true,
    });
  });
});

describe('buildRestartFragment', () => {
  it('sends the new credentials and candidates on the first section, with the BUNDLE group', () => {
    expect(buildRestartFragment(OFFER)).toBe(
      sdp(
        'a=group:BUNDLE 0 1',
        'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
        'a=mid:0',
        'a=ice-ufrag:NEWu',
        'a=ice-pwd:newpasswordnewpassword12',
        'a=candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host generation 0',
        'a=end-of-candidates',
      ),
    );
  });

  it('refuses an offer without credentials', () => {
    expect(() => buildRestartFragment(sdp('v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 0', 'a=mid:0'))).toThrow(/credentials/);
  });
});

describe('applyRestartFragment', () => {
  it('puts the new credentials in every section and keeps the rest of the answer', () => {
    const rebuilt = applyRestartFragment(ANSWER, parseIceFragment(sdp('a=ice-ufrag:fresh', 'a=ice-pwd:freshpassword')));
    expect(rebuilt).toBe(ANSWER.replaceAll('oldserverpassword', 'freshpassword').replaceAll('oldserver', 'fresh'));
  });

  it('replaces the candidates when the server sent new ones', () => {
    const fragment = parseIceFragment(
      sdp(
        'a=ice-lite',
        'm=video 9 UDP/TLS/RTP/SAVPF 96',
        'a=mid:0',
        'a=ice-ufrag:fresh',
        'a=ice-pwd:freshpassword',
        'a=candidate:new 1 udp 1 127.0.0.2 40002 typ host',
        'a=end-of-candidates',
      ),
    );
    const rebuilt = applyRestartFragment(ANSWER, fragment);
    expect(rebuilt).not.toContain('udpcandidate');
    expect(rebuilt.match(/a=candidate:new 1 udp 1 127\.0\.0\.2 40002 typ host\r\na=end-of-candidates/g)).toHaveLength(
      2,
    );
    // Each section keeps its own attributes, in order, before the candidates.
    expect(rebuilt).toContain('a=mid:0\r\na=recvonly\r\na=candidate:new');
    expect(
      rebuilt.endsWith(
        'a=mid:1\r\na=recvonly\r\na=candidate:new 1 udp 1 127.0.0.2 40002 typ host\r\na=end-of-candidates\r\n',
      ),
    ).toBe(true);
  });

  it('refuses a fragment without credentials', () => {
    expect(() => applyRestartFragment(ANSWER, parseIceFragment('a=candidate:x 1 udp 1 1.2.3.4 1 typ host'))).toThrow(
      /credentials/,
    );
  });
});

describe('withStereoOpus', () => {
  it('asks for stereo on every Opus format, leaves other formats and an explicit choice alone', () => {
    const offer = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9',
      'a=rtpmap:111 opus/48000/2',
      'a=fmtp:111 minptime=10;useinbandfec=1',
      'a=rtpmap:63 red/48000/2',
      'a=fmtp:63 111/111',
      'a=rtpmap:9 G722/8000',
      'm=audio 9 UDP/TLS/RTP/SAVPF 109',
      'a=rtpmap:109 opus/48000/2',
      'a=fmtp:109 stereo=0;useinbandfec=1',
      '',
    ].join('\r\n');
    const lines = withStereoOpus(offer).split('\r\n');
    expect(lines.filter((line) => line.startsWith('a=fmtp'))).toEqual([
      'a=fmtp:111 minptime=10;useinbandfec=1;stereo=1',
      'a=fmtp:63 111/111',
      'a=fmtp:109 stereo=0;useinbandfec=1',
    ]);
    expect(lines).toHaveLength(offer.split('\r\n').length);
  });
});
