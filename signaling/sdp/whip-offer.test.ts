// parseWhipOffer rule by rule, on a small offer edited one line at a time: what it takes from an
// offer, and the 400 or 422 each broken or unacceptable offer gets.
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, toProblem } from '../../common/errors.ts';
import { SdpError } from './sdp-errors.ts';
import { startTestMedia, thrown, type TestMedia } from './sdp-test-kit.ts';
import { parseWhipOffer } from './whip-offer.ts';

let media: TestMedia;
let caps: ms.RtpCapabilities;
beforeAll(async () => {
  media = await startTestMedia();
  caps = media.router.rtpCapabilities;
});
afterAll(() => media?.close());

const FP = '23:CD:B3:16:4E:7E:58:98:67:84:53:90:2F:1D:4A:AE:76:BD:3D:82:DF:71:05:DD:73:CF:E1:2B:31:A5:84:E5';
const TRANSPORT = [
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  `a=fingerprint:sha-256 ${FP}`,
  'a=setup:actpass',
];

const BASE = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
  'c=IN IP4 0.0.0.0',
  ...TRANSPORT,
  'a=mid:0',
  'a=sendonly',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:0 PCMU/8000',
  'a=ssrc:1001 cname:pub',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99',
  'c=IN IP4 0.0.0.0',
  ...TRANSPORT,
  'a=mid:1',
  'a=sendonly',
  'a=rtcp-mux',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtcp-fb:96 goog-lntf',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:98 H264/90000',
  'a=fmtp:98 packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:99 rtx/90000',
  'a=fmtp:99 apt=98',
  'a=ssrc-group:FID 2001 2002',
  'a=ssrc:2001 cname:pub',
  'a=ssrc:2002 cname:pub',
];

const sdp = (lines: readonly string[]) => `${lines.join('\r\n')}\r\n`;
const base = sdp(BASE);
/** The base offer with every line matching `from` replaced (or removed, when `to` is omitted). */
const edit = (from: string | RegExp, to?: string, text = base) =>
  text.replace(typeof from === 'string' ? new RegExp(`^${escape(from)}$`, 'gm') : from, to ?? '');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** The base offer without the video SSRC lines. */
const noVideoSsrc = base.replace(/^a=ssrc(-group:FID)?:? ?200[12].*\r\n/gm, '');
const videoOf = (text: string) => parseWhipOffer(text, caps).media.find((m) => m.kind === 'video')!.rtpParameters;

function errorOf(text: unknown): SdpError {
  const error = thrown(() => parseWhipOffer(text as string, caps));
  expect(error).toBeInstanceOf(SdpError);
  return error as SdpError;
}

describe('what parseWhipOffer takes from an offer', () => {
  it('reads transport, codecs, feedback, extensions and SSRCs', () => {
    const offer = parseWhipOffer(base, caps);
    expect(offer.iceUfrag).toBe('abcd');
    expect(offer.icePwd).toBe('abcdefghijklmnopqrstuvwx');
    expect(offer.remoteDtlsParameters).toEqual({ role: 'client', fingerprints: [{ algorithm: 'sha-256', value: FP }] });
    expect(offer.media.map((m) => [m.mid, m.kind])).toEqual([
      ['0', 'audio'],
      ['1', 'video'],
    ]);
    const [audio, video] = offer.media.map((m) => m.rtpParameters);
    expect(audio).toEqual({
      mid: '0',
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: 111,
          clockRate: 48000,
          channels: 2,
          // Stereo, since the answer asks for it: consumers then decode both channels.
          parameters: { minptime: 10, useinbandfec: 1, 'sprop-stereo': 1 },
          rtcpFeedback: [],
        },
      ],
      headerExtensions: [],
      encodings: [{ ssrc: 1001 }],
      rtcp: { cname: 'pub', reducedSize: true },
    });
    expect(video).toEqual({
      mid: '1',
      codecs: [
        // goog-lntf is not something the router does.
        {
          mimeType: 'video/VP8',
          payloadType: 96,
          clockRate: 90000,
          parameters: {},
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        },
        { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
      ],
      headerExtensions: [
        { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2, encrypt: false, parameters: {} },
        { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} },
      ],
      encodings: [{ ssrc: 2001, rtx: { ssrc: 2002 } }],
      rtcp: { cname: 'pub', reducedSize: true },
    });
  });

  it("follows the offerer's codec order, and pairs only the chosen codec with its RTX", () => {
    const h264First = edit('m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99', 'm=video 9 UDP/TLS/RTP/SAVPF 98 99 96 97');
    expect(videoOf(h264First).codecs.map((c) => `${c.mimeType}/${c.payloadType}`)).toEqual([
      'video/H264/98',
      'video/rtx/99',
    ]);
    expect(videoOf(h264First).codecs[0]!.parameters).toEqual({ 'packetization-mode': 1, 'profile-level-id': '42e01f' });
  });

  it('applies H.264 rules as mediasoup does: packetization-mode 1 and a profile the router has', () => {
    const h264 = (fmtp: string) =>
      videoOf(
        edit(
          'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99',
          'm=video 9 UDP/TLS/RTP/SAVPF 98 99 96 97',
          edit('a=fmtp:98 packetization-mode=1;profile-level-id=42e01f', `a=fmtp:98 ${fmtp}`),
        ),
      ).codecs[0]!;
    expect(h264('packetization-mode=0;profile-level-id=42e01f').mimeType).toBe('video/VP8');
    expect(h264('packetization-mode=1;profile-level-id=640c1f').mimeType).toBe('video/VP8'); // constrained high
    expect(h264('packetization-mode=1;profile-level-id=42001f').mimeType).toBe('video/H264'); // baseline: the router has it (FFmpeg's x264)
    expect(h264('packetization-mode=1;profile-level-id=58001f').mimeType).toBe('video/VP8'); // extended: no router codec
    expect(h264('packetization-mode=1;profile-level-id=4d001f').mimeType).toBe('video/H264'); // main
    // Hex that happens to be all digits stays a string; a number would not match the router's.
    expect(h264('packetization-mode=1;profile-level-id=640032').parameters['profile-level-id']).toBe('640032');
  });

  it('applies wildcard feedback to every codec but RTX', () => {
    const wild = edit(/^a=rtcp-fb:96 .*\r\n/gm, 'a=rtcp-fb:* transport-cc\r\na=rtcp-fb:* ccm fir\r\n');
    expect(videoOf(wild).codecs.map((c) => c.rtcpFeedback)).toEqual([
      [{ type: 'transport-cc' }, { type: 'ccm', parameter: 'fir' }],
      [],
    ]);
  });

  it('keeps only header extensions the router receives, unencrypted and sent by the offerer', () => {
    const extended = edit(
      'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      [
        'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
        'a=extmap:3/recvonly http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
        'a=extmap:5 urn:ietf:params:rtp-hdrext:encrypt urn:ietf:params:rtp-hdrext:toffset',
        'a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
        'a=extmap:7 urn:3gpp:video-orientation',
      ].join('\r\n'),
    );
    expect(videoOf(extended).headerExtensions!.map((e) => e.id)).toEqual([2, 7, 4]);
  });

  it('normalises fingerprints for mediasoup, sha-256 first, and drops hash functions it lacks', () => {
    const lower = FP.toLowerCase();
    const sha1 = '66:29:54:16:CE:1B:38:E4:6F:91:D1:B6:D7:97:34:84:C1:D8:16:3E';
    const offer = parseWhipOffer(
      edit(
        `a=fingerprint:sha-256 ${FP}`,
        `a=fingerprint:SHA-1 ${sha1}\r\na=fingerprint:md5 00:11\r\na=fingerprint:sha-256 ${lower}`,
      ),
      caps,
    );
    expect(offer.remoteDtlsParameters.fingerprints).toEqual([
      { algorithm: 'sha-256', value: FP },
      { algorithm: 'sha-1', value: sha1 },
    ]);
  });

  it('answers the DTLS role the offer leaves us: client unless the offer is passive', () => {
    expect(parseWhipOffer(edit('a=setup:actpass', 'a=setup:active'), caps).remoteDtlsParameters.role).toBe('client');
    expect(parseWhipOffer(edit('a=setup:actpass', 'a=setup:passive'), caps).remoteDtlsParameters.role).toBe('server');
    expect(parseWhipOffer(edit(/^a=setup:actpass\r\n/gm, ''), caps).remoteDtlsParameters.role).toBe('client');
  });

  it('takes ICE and DTLS attributes from the session when the m-sections have none', () => {
    const sessionLevel = edit(/^a=(ice-ufrag|ice-pwd|fingerprint|setup):.*\r\n/gm, '').replace(
      'a=group:BUNDLE 0 1',
      ['a=group:BUNDLE 0 1', ...TRANSPORT].join('\r\n'),
    );
    expect(parseWhipOffer(sessionLevel, caps).iceUfrag).toBe('abcd');
    const both = sessionLevel.replace('a=mid:0', 'a=mid:0\r\na=ice-ufrag:wxyz\r\na=ice-pwd:zyxwvutsrqponmlkjihgfedc');
    expect(parseWhipOffer(both, caps).iceUfrag).toBe('wxyz');
  });

  it('leaves out m-sections it does not take: receive-only, disabled, data channels', () => {
    const videoRecvOnly = base.replace(/a=sendonly(?![\s\S]*a=sendonly)/, 'a=recvonly');
    expect(parseWhipOffer(videoRecvOnly, caps).media.map((m) => m.mid)).toEqual(['0']);
    const withExtras = `${edit('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0 1 2')}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\na=sctp-port:5000\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:3\r\na=sendonly\r\n`;
    expect(parseWhipOffer(withExtras, caps).media.map((m) => m.mid)).toEqual(['0', '1']);
    const inactive = base.replace('a=sendonly', 'a=inactive');
    expect(parseWhipOffer(inactive, caps).media.map((m) => m.mid)).toEqual(['1']);
  });

  it('takes a bundle-only m-section on port 0 (max-bundle offers)', () => {
    const bundleOnly = edit(
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99',
      'm=video 0 UDP/TLS/RTP/SAVPF 96 97 98 99\r\na=bundle-only',
    );
    expect(parseWhipOffer(bundleOnly, caps).media.map((m) => m.mid)).toEqual(['0', '1']);
  });

  it('reads RFC 8853 simulcast: first alternative of each stream, paused ones too, in send order', () => {
    const simulcast = noVideoSsrc.replace(
      'a=rtpmap:96 VP8/90000',
      'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\na=rid:lo send\r\na=rid:mid send max-width=640\r\na=rid:alt send\r\na=rid:hi send\r\na=simulcast:send lo;mid,alt;~hi\r\na=rtpmap:96 VP8/90000',
    );
    const video = videoOf(simulcast);
    expect(video.encodings).toEqual([
      { rid: 'lo', scalabilityMode: 'L1T3' },
      { rid: 'mid', scalabilityMode: 'L1T3' },
      { rid: 'hi', scalabilityMode: 'L1T3' },
    ]);
    expect(video.headerExtensions!.map((e) => e.uri)).toContain('urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id');
  });

  it('orders legacy SSRC simulcast by its SIM group and ignores FEC streams', () => {
    const sim = noVideoSsrc.replace(
      'a=rtpmap:96 VP8/90000',
      [
        'a=ssrc-group:SIM 30 10 20',
        'a=ssrc-group:FID 10 11',
        'a=ssrc-group:FID 20 21',
        'a=ssrc-group:FID 30 31',
        ...[10, 11, 20, 21, 30, 31].map((s) => `a=ssrc:${s} cname:pub`),
        'a=rtpmap:96 VP8/90000',
      ].join('\r\n'),
    );
    expect(videoOf(sim).encodings).toEqual([
      { ssrc: 30, rtx: { ssrc: 31 }, scalabilityMode: 'L1T3' },
      { ssrc: 10, rtx: { ssrc: 11 }, scalabilityMode: 'L1T3' },
      { ssrc: 20, rtx: { ssrc: 21 }, scalabilityMode: 'L1T3' },
    ]);
    const fec = edit(
      'a=ssrc:2002 cname:pub',
      'a=ssrc:2002 cname:pub\r\na=ssrc-group:FEC-FR 2001 2003\r\na=ssrc:2003 cname:pub',
    );
    expect(videoOf(fec).encodings).toEqual([{ ssrc: 2001, rtx: { ssrc: 2002 } }]);
  });

  it('routes by MID when the offer signals neither SSRC nor rid', () => {
    const midOnly = noVideoSsrc;
    expect(videoOf(midOnly).encodings).toEqual([{}]);
    expect(videoOf(midOnly).rtcp).toEqual({ reducedSize: true });
  });
});

describe('offers parseWhipOffer refuses', () => {
  const bad: [string, unknown][] = [
    ['a body that is not text', 42],
    ['a body over 64 KiB', `${base}${'a=x-pad:0123456789012345678901234567890123456789\r\n'.repeat(1400)}`],
    ['text that is not SDP', 'this is not sdp'],
    ['a truncated offer with no o= line', 'v=0\r\ns=-\r\nt=0 0\r\n'],
    ['a line that is not <type>=<value>', base.replace('s=-', 's=-\r\nhello world')],
    [
      'a malformed m-line',
      base.replace('m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99', 'm=video nine UDP/TLS/RTP/SAVPF 96'),
    ],
    ['a port out of range', base.replace('m=video 9 ', 'm=video 99999 ')],
    ['a line over 4096 characters', base.replace('s=-', `s=${'x'.repeat(5000)}`)],
    ['a duplicated mid', base.replace('a=mid:1', 'a=mid:0')],
    ['a mid that is not a short token', base.replace('a=mid:1', 'a=mid:this-mid-is-far-too-long-for-rtp')],
    ['two directions in one m-section', base.replace('a=mid:1', 'a=mid:1\r\na=recvonly')],
    ['a payload type listed twice', base.replace('96 97 98 99', '96 97 98 99 96')],
    ['a payload type above 127', base.replace('96 97 98 99', '96 97 98 99 300')],
    ['an rtpmap with no clock rate', base.replace('a=rtpmap:96 VP8/90000', 'a=rtpmap:96 VP8')],
    [
      'two rtpmaps for one payload type',
      base.replace('a=rtpmap:96 VP8/90000', 'a=rtpmap:96 VP8/90000\r\na=rtpmap:96 VP9/90000'),
    ],
    ['an extension id out of range', base.replace('a=extmap:2 ', 'a=extmap:256 ')],
    ['an extension id used twice', base.replace('a=extmap:4 ', 'a=extmap:2 ')],
    ['a fingerprint of the wrong length', base.replaceAll(FP, FP.slice(3))],
    ['a fingerprint with no hash', base.replaceAll(`sha-256 ${FP}`, 'sha-256')],
    ['an ICE ufrag with forbidden characters', base.replaceAll('a=ice-ufrag:abcd', 'a=ice-ufrag:ab;cd')],
    ['an ICE password too short', base.replaceAll('a=ice-pwd:abcdefghijklmnopqrstuvwx', 'a=ice-pwd:short')],
    ['two setup attributes', base.replace('a=setup:actpass', 'a=setup:actpass\r\na=setup:active')],
    ['a setup role that does not exist', base.replaceAll('a=setup:actpass', 'a=setup:sideways')],
    ['an SSRC of 0', base.replace('a=ssrc:1001 cname:pub', 'a=ssrc:0 cname:pub')],
    ['a malformed candidate', base.replace('a=mid:0', 'a=mid:0\r\na=candidate:1 1 udp')],
    [
      'a candidate with a port out of range',
      base.replace('a=mid:0', 'a=mid:0\r\na=candidate:1 1 udp 2122260223 10.0.0.1 70000 typ host'),
    ],
    ['one SSRC in two m-sections', base.replace('a=ssrc:1001 cname:pub', 'a=ssrc:2001 cname:pub')],
    ['an RTX SSRC equal to its media SSRC', base.replace('a=ssrc-group:FID 2001 2002', 'a=ssrc-group:FID 2001 2001')],
    [
      'a simulcast rid with no a=rid line',
      base.replace(
        'a=rtpmap:96 VP8/90000',
        'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\na=simulcast:send a;b\r\na=rid:a send\r\na=rtpmap:96 VP8/90000',
      ),
    ],
  ];
  it.each(bad)('400 bad_sdp for %s', (_what, text) => {
    const error = errorOf(text);
    expect(error).toMatchObject({ status: 400, code: 'bad_sdp' });
  });

  const unsupported: [string, string, RegExp][] = [
    [
      'two audio m-sections',
      `${base.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0 1 2')}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:2\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:3 cname:x\r\n`,
      /at most one audio/,
    ],
    [
      'no codec in common',
      base.replace('m=audio 9 UDP/TLS/RTP/SAVPF 111 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 0'),
      /no audio codec in common/,
    ],
    [
      'data channels only',
      'v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\na=sctp-port:5000\r\n',
      /no audio or video/,
    ],
    ['nothing to send', base.replaceAll('a=sendonly', 'a=recvonly'), /no audio or video/],
    ['media outside BUNDLE', base.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0'), /BUNDLE/],
    ['no BUNDLE at all', base.replace('a=group:BUNDLE 0 1\r\n', ''), /BUNDLE/],
    ['no rtcp-mux', base.replace(/a=rtcp-mux\r\n/, ''), /rtcp-mux/],
    ['no ICE credentials', base.replace(/^a=ice-(ufrag|pwd):.*\r\n/gm, ''), /ICE credentials/],
    ['no fingerprint', base.replace(/^a=fingerprint:.*\r\n/gm, ''), /no DTLS fingerprint/],
    [
      'only fingerprints with unknown hash functions',
      base.replaceAll(`sha-256 ${FP}`, 'md5 00:11:22'),
      /hash function/,
    ],
    ['plain RTP without DTLS', base.replace('m=audio 9 UDP/TLS/RTP/SAVPF', 'm=audio 9 RTP/AVP'), /DTLS-SRTP/],
    [
      'an m-section without a mid',
      base.replace('a=mid:1\r\n', '').replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0'),
      /no a=mid/,
    ],
    [
      'no SSRC, no rid and no MID extension',
      noVideoSsrc.replace(/^a=extmap.*\r\n/gm, ''),
      /m-section 1 signals no a=ssrc/,
    ],
    [
      'rid simulcast without the rtp-stream-id extension',
      noVideoSsrc.replace(
        'a=rtpmap:96 VP8/90000',
        'a=rid:a send\r\na=rid:b send\r\na=simulcast:send a;b\r\na=rtpmap:96 VP8/90000',
      ),
      /rtp-stream-id/,
    ],
    [
      'more than four simulcast layers',
      noVideoSsrc.replace(
        'a=rtpmap:96 VP8/90000',
        `a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n${'abcde'
          .split('')
          .map((r) => `a=rid:${r} send`)
          .join('\r\n')}\r\na=simulcast:send a;b;c;d;e\r\na=rtpmap:96 VP8/90000`,
      ),
      /more than 4 simulcast layers/,
    ],
    [
      'draft-03 simulcast syntax',
      base.replace('a=rtpmap:96 VP8/90000', 'a=simulcast: send rid=a;b\r\na=rtpmap:96 VP8/90000'),
      /RFC 8853/,
    ],
    ['several SSRCs with nothing to order them', base.replace('a=ssrc-group:FID 2001 2002\r\n', ''), /several SSRCs/],
    ['more than 16 m-sections', `${base}${'m=video 0 UDP/TLS/RTP/SAVPF 96\r\n'.repeat(15)}`, /more than 16 m-sections/],
    ['a=setup:holdconn', base.replaceAll('a=setup:actpass', 'a=setup:holdconn'), /holdconn/],
  ];
  it.each(unsupported)('422 unsupported_media for %s', (_what, text, message) => {
    const error = errorOf(text);
    expect(error).toMatchObject({ status: 422, code: 'unsupported_media' });
    expect(error.message).toMatch(message);
  });

  it('is an AppError the HTTP layer maps to a problem with its code', () => {
    const error = errorOf(base.replace('m=audio 9 UDP/TLS/RTP/SAVPF 111 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 0'));
    expect(error).toBeInstanceOf(AppError);
    expect(error.name).toBe('SdpError');
    expect(toProblem(error)).toMatchObject({
      status: 422,
      code: 'unsupported_media',
      detail: expect.stringContaining('audio/PCMU'),
      mid: '0',
    });
  });
});
