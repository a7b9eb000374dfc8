// buildAnswer line by line, with a transport whose values we choose: what a client finds in our
// answer, what it finds for m-sections we do not take, and what we refuse to write.
import type { types as ms } from 'mediasoup';
import * as sdpTransform from 'sdp-transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAnswer, type AnswerMedia, type AnswerTransport } from './answer.ts';
import { SdpError } from './sdp-errors.ts';
import { fixture, startTestMedia, thrown, type TestMedia } from './sdp-test-kit.ts';
import { parseWhipOffer } from './whip-offer.ts';

let media: TestMedia;
beforeAll(async () => {
  media = await startTestMedia();
});
afterAll(() => media?.close());

const SHA256 = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const TRANSPORT: AnswerTransport = {
  iceParameters: { usernameFragment: 'srvufrag0123456789', password: 'srvpassword0123456789abcdef', iceLite: true },
  iceCandidates: [
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
  ],
  dtlsParameters: {
    role: 'auto',
    fingerprints: [
      { algorithm: 'sha-1', value: '66:29:54:16:CE:1B:38:E4:6F:91:D1:B6:D7:97:34:84:C1:D8:16:3E' },
      { algorithm: 'sha-256', value: SHA256 },
    ],
  },
};

function whipAnswer(
  name: string,
  transport = TRANSPORT,
): { offer: string; answer: string; parsed: sdpTransform.SessionDescription } {
  const offer = fixture(name);
  const whip = parseWhipOffer(offer, media.router.rtpCapabilities);
  const answer = buildAnswer(
    offer,
    transport,
    whip.media.map((m) => ({ ...m, direction: 'recvonly' })),
  );
  return { offer, answer, parsed: sdpTransform.parse(answer) };
}

describe('the answer to a WHIP offer', () => {
  it('is ICE-lite with one sha-256 fingerprint, which libwebrtc insists on', () => {
    const { answer, parsed } = whipAnswer('chrome-simulcast');
    expect(parsed.icelite).toBe('ice-lite');
    expect(answer.match(/^a=fingerprint:/gm)).toEqual(['a=fingerprint:']);
    expect(parsed.fingerprint).toEqual({ type: 'sha-256', hash: SHA256 });
    expect(parsed.extmapAllowMixed).toBe('extmap-allow-mixed');
    expect(answer.endsWith('\r\n')).toBe(true);
  });

  it('gives every taken m-section our credentials, candidates (UDP first), rtcp-mux and rtcp-rsize', () => {
    const { parsed } = whipAnswer('chrome-simulcast');
    for (const section of parsed.media) {
      expect(section).toMatchObject({
        port: 40000,
        connection: { version: 4, ip: '203.0.113.7' },
        iceUfrag: 'srvufrag0123456789',
        icePwd: 'srvpassword0123456789abcdef',
        setup: 'passive',
        direction: 'recvonly',
        rtcpMux: 'rtcp-mux',
        rtcpRsize: 'rtcp-rsize',
        endOfCandidates: 'end-of-candidates',
      });
      expect(section.candidates).toEqual([
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
          tcptype: 'passive',
        },
      ]);
    }
  });

  it("echoes the offer's codecs, feedback and extension ids, and receives its simulcast rids", () => {
    const { parsed } = whipAnswer('chrome-simulcast');
    const video = parsed.media[1]!;
    expect(video.rtp).toEqual([
      { payload: 96, codec: 'VP8', rate: 90000 },
      { payload: 97, codec: 'rtx', rate: 90000 },
    ]);
    expect(video.fmtp).toEqual([{ payload: 97, config: 'apt=96' }]);
    expect(video.rtcpFb?.map((fb) => `${fb.payload} ${fb.type}${fb.subtype ? ` ${fb.subtype}` : ''}`)).toEqual([
      '96 goog-remb',
      '96 transport-cc',
      '96 ccm fir',
      '96 nack',
      '96 nack pli',
    ]);
    expect(video.ext?.find((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id')?.value).toBe(10);
    expect(video.rids).toEqual([
      { id: 'q', direction: 'recv' },
      { id: 'h', direction: 'recv' },
      { id: 'f', direction: 'recv' },
    ]);
    expect(video.simulcast).toEqual({ dir1: 'recv', list1: 'q;h;f' });
    expect(video.ssrcs).toBeUndefined();
    expect(video.msid).toBeUndefined();
  });

  it('drops sprop-* parameters, which describe a sender, from what we receive; Opus says stereo', () => {
    const { parsed } = whipAnswer('gstreamer-whipsink');
    expect(parsed.media.map((m) => m.fmtp)).toEqual([
      [
        { payload: 96, config: 'packetization-mode=1;profile-level-id=42c01f' },
        { payload: 97, config: 'apt=96' },
      ],
      [{ payload: 111, config: 'stereo=1;sprop-stereo=1' }],
    ]);
    // The bundle-only section is taken like the others.
    expect(parsed.media.map((m) => m.port)).toEqual([40000, 40000]);
    expect(parsed.groups).toEqual([{ type: 'BUNDLE', mids: 'video0 audio1' }]);
  });

  it('is active toward an offer that wants to be the DTLS server (FFmpeg)', () => {
    const { parsed } = whipAnswer('ffmpeg-8');
    expect(parsed.media.map((m) => m.setup)).toEqual(['active', 'active']);
    // Reduced-size RTCP only where offered: FFmpeg offers it for video, not audio.
    expect(parsed.media.map((m) => m.rtcpRsize)).toEqual([undefined, 'rtcp-rsize']);
  });

  it('puts an IPv6 default candidate in an IP6 c= line', () => {
    const v6: AnswerTransport = {
      ...TRANSPORT,
      iceCandidates: [
        {
          foundation: 'udp6',
          priority: 1,
          ip: '2001:db8::7',
          protocol: 'udp',
          port: 40001,
          type: 'host',
          tcpType: undefined,
        },
      ],
    };
    expect(whipAnswer('obs-30', v6).parsed.media[0]).toMatchObject({
      port: 40001,
      connection: { version: 6, ip: '2001:db8::7' },
    });
  });

  it('mirrors every m-section in order and turns down, on port 0 and outside BUNDLE, what we do not take', () => {
    const offer = fixture('chrome-sendrecv')
      .replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0 1 2')
      .concat(
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n',
      );
    const whip = parseWhipOffer(offer, media.router.rtpCapabilities);
    const videoOnly = whip.media
      .filter((m) => m.kind === 'video')
      .map((m) => ({ ...m, direction: 'recvonly' as const }));
    const parsed = sdpTransform.parse(buildAnswer(offer, TRANSPORT, videoOnly));
    expect(parsed.media.map((m) => [m.type, String(m.mid), m.port])).toEqual([
      ['audio', '0', 0],
      ['video', '1', 40000],
      ['application', '2', 0],
    ]);
    expect(parsed.media[0]).toMatchObject({ direction: 'inactive', protocol: 'UDP/TLS/RTP/SAVPF' });
    expect(parsed.media[0]!.candidates).toBeUndefined();
    expect(parsed.media[2]).toMatchObject({ protocol: 'UDP/DTLS/SCTP', payloads: 'webrtc-datachannel' });
    // sdp-transform reads a lone digit as a number.
    expect(parsed.groups).toEqual([{ type: 'BUNDLE', mids: 1 }]);
  });

  it('has no BUNDLE group when the offer had none', () => {
    const offer = fixture('obs-30')
      .replace(/a=group:.*\r\n/g, '')
      .replace(/m=video[\s\S]*/, '');
    const whip = parseWhipOffer(offer, media.router.rtpCapabilities);
    const parsed = sdpTransform.parse(
      buildAnswer(
        offer,
        TRANSPORT,
        whip.media.map((m) => ({ ...m, direction: 'recvonly' })),
      ),
    );
    expect(parsed.groups).toBeUndefined();
    expect(parsed.media).toHaveLength(1);
  });
});

/** What mediasoup's transport.consume() returns for a player that offered opus 111 and VP8 96/97. */
function consumerParameters(kind: 'audio' | 'video'): ms.RtpParameters {
  return kind === 'audio'
    ? {
        mid: '0',
        codecs: [
          {
            mimeType: 'audio/opus',
            payloadType: 111,
            clockRate: 48000,
            channels: 2,
            parameters: { useinbandfec: 1 },
            rtcpFeedback: [],
          },
        ],
        headerExtensions: [],
        encodings: [{ ssrc: 11111111 }],
        rtcp: { cname: 'Qk4l/6pV+fX', reducedSize: true },
      }
    : {
        mid: '1',
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: 96,
            clockRate: 90000,
            parameters: {},
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          },
          { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
        ],
        headerExtensions: [{ uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2 }],
        encodings: [{ ssrc: 22222222, rtx: { ssrc: 22222223 } }],
        rtcp: { cname: 'Qk4l/6pV+fX', reducedSize: true },
      };
}

const whep = (kind: 'audio' | 'video', rtpParameters = consumerParameters(kind)): AnswerMedia => ({
  mid: kind === 'audio' ? '0' : '1',
  kind,
  rtpParameters,
  direction: 'sendonly',
});

describe('the answer to a WHEP offer', () => {
  it('announces each consumer: its payload types, SSRCs with RTX, one stream for both tracks', () => {
    const parsed = sdpTransform.parse(buildAnswer(fixture('chrome-whep'), TRANSPORT, [whep('audio'), whep('video')]));
    const [audio, video] = parsed.media;
    expect(audio).toMatchObject({
      direction: 'sendonly',
      payloads: 111,
      rtp: [{ payload: 111, codec: 'opus', rate: 48000, encoding: 2 }],
      // Stereo both ways, whatever the consumer's parameters said: the player plays both channels.
      fmtp: [{ payload: 111, config: 'useinbandfec=1;stereo=1;sprop-stereo=1' }],
    });
    expect(video).toMatchObject({
      direction: 'sendonly',
      payloads: '96 97',
      ext: [{ value: 2, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' }],
    });
    expect(video!.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '22222222 22222223' }]);
    const stream = 'aethex-Qk4l6pVfX';
    expect(video!.ssrcs).toEqual([
      { id: 22222222, attribute: 'cname', value: 'Qk4l/6pV+fX' },
      { id: 22222222, attribute: 'msid', value: `${stream} ${stream}-video-1` },
      { id: 22222223, attribute: 'cname', value: 'Qk4l/6pV+fX' },
      { id: 22222223, attribute: 'msid', value: `${stream} ${stream}-video-1` },
    ]);
    expect(audio!.msid).toEqual([{ id: stream, appdata: `${stream}-audio-0` }]);
    expect(video!.msid).toEqual([{ id: stream, appdata: `${stream}-video-1` }]);
    expect(parsed.msidSemantic).toEqual({ semantic: 'WMS', token: '*' });
  });

  it("negotiates no MID the player numbers apart from mediasoup's id 1, so it demultiplexes by the a=ssrc lines", () => {
    // chrome-whep offers MID as id 4; the consumer (parseWhepOffer's capabilities) then has no MID extension.
    const parsed = sdpTransform.parse(buildAnswer(fixture('chrome-whep'), TRANSPORT, [whep('audio'), whep('video')]));
    for (const media of parsed.media) {
      expect((media.ext ?? []).map((e) => e.uri)).not.toContain('urn:ietf:params:rtp-hdrext:sdes:mid');
      expect(media.ssrcs!.some((s) => s.attribute === 'msid')).toBe(true);
    }
  });

  it('refuses a consumer whose payload types the player maps to something else', () => {
    const routerPts = consumerParameters('audio');
    routerPts.codecs[0]!.payloadType = 100;
    const error = thrown(() => buildAnswer(fixture('chrome-whep'), TRANSPORT, [whep('audio', routerPts)]));
    expect(error).toBeInstanceOf(SdpError);
    expect(error).toMatchObject({ status: 422, details: { mid: '0' } });

    const rtx = consumerParameters('video');
    rtx.codecs[1]!.payloadType = 99; // the player's RTX for VP9
    expect(thrown(() => buildAnswer(fixture('chrome-whep'), TRANSPORT, [whep('video', rtx)]))).toMatchObject({
      status: 422,
    });
  });

  it('refuses a consumer whose header extension ids the player maps to something else', () => {
    const ext = consumerParameters('video');
    ext.headerExtensions = [{ uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 4 }];
    expect(thrown(() => buildAnswer(fixture('chrome-whep'), TRANSPORT, [whep('video', ext)]))).toMatchObject({
      status: 422,
      code: 'unsupported_media',
    });
  });
});

describe('buildAnswer called wrongly', () => {
  const offer = fixture('chrome-whep');
  it.each([
    ['a mid the offer does not have', { ...whep('audio'), mid: '7' }],
    ['a kind that is not the m-section’s', { ...whep('audio'), kind: 'video' as const }],
  ])('throws a TypeError for %s', (_what, m) => {
    expect(thrown(() => buildAnswer(offer, TRANSPORT, [m]))).toBeInstanceOf(TypeError);
  });

  it('throws a TypeError for the same mid twice and for a disabled m-section', () => {
    expect(thrown(() => buildAnswer(offer, TRANSPORT, [whep('audio'), whep('audio')]))).toBeInstanceOf(TypeError);
    const disabled = offer.replace('m=audio 9 ', 'm=audio 0 ');
    expect(thrown(() => buildAnswer(disabled, TRANSPORT, [whep('audio')]))).toBeInstanceOf(TypeError);
  });

  it("throws a TypeError for a consumer whose mid is not the player's, when the player reads mediasoup's MID extension", () => {
    const midAtOne = offer
      .replace(
        'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
        'a=extmap:9 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
      )
      .replace('a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid');
    const autoMid = { ...consumerParameters('audio'), mid: '3' };
    expect(thrown(() => buildAnswer(midAtOne, TRANSPORT, [whep('audio', autoMid)]))).toBeInstanceOf(TypeError);
    expect(() => buildAnswer(midAtOne, TRANSPORT, [whep('audio')])).not.toThrow();
    // A player that reads id 1 as something else does not care which mid mediasoup writes there.
    expect(() => buildAnswer(offer, TRANSPORT, [whep('audio', autoMid)])).not.toThrow();
  });

  it('throws a TypeError for a transport without fingerprints', () => {
    const bare = { ...TRANSPORT, dtlsParameters: { fingerprints: [] } };
    expect(thrown(() => buildAnswer(offer, bare, [whep('audio')]))).toBeInstanceOf(TypeError);
  });
});
