// parseWhepOffer and mediaCodecsForViewer: what a player can receive, and which of it a given
// router can actually send it in mediasoup 3.12 (same payload types, same extension ids).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_CODECS } from '../../sfu/media-codecs.ts';
import { fixture, startTestMedia, thrown, type TestMedia } from './sdp-test-kit.ts';
import { SdpError } from './sdp-errors.ts';
import { mediaCodecsForViewer, parseWhepOffer } from './whep-offer.ts';

const FP = '23:CD:B3:16:4E:7E:58:98:67:84:53:90:2F:1D:4A:AE:76:BD:3D:82:DF:71:05:DD:73:CF:E1:2B:31:A5:84:E5';

/** A small player offer: opus and VP8 (+RTX) and H.264, with extension ids clear of mediasoup's. */
function playerOffer({
  vp8 = 96,
  rtx = 97,
  h264 = 98,
  extmap = ['a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid'],
} = {}): string {
  const transport = [
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    `a=fingerprint:sha-256 ${FP}`,
    'a=setup:actpass',
    'a=rtcp-mux',
  ];
  return [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE a v',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    ...transport,
    'a=mid:a',
    'a=recvonly',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    `m=video 9 UDP/TLS/RTP/SAVPF ${vp8} ${rtx} ${h264}`,
    ...transport,
    'a=mid:v',
    'a=recvonly',
    ...extmap,
    `a=rtpmap:${vp8} VP8/90000`,
    `a=rtcp-fb:${vp8} nack`,
    `a=rtcp-fb:${vp8} nack pli`,
    `a=rtpmap:${rtx} rtx/90000`,
    `a=fmtp:${rtx} apt=${vp8}`,
    `a=rtpmap:${h264} H264/90000`,
    `a=fmtp:${h264} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f`,
    '',
  ].join('\r\n');
}

let origin: TestMedia;
const others: TestMedia[] = [];
beforeAll(async () => {
  origin = await startTestMedia();
});
afterAll(() => {
  origin?.close();
  for (const media of others) media.close();
});

async function routerFor(offer: string): Promise<TestMedia> {
  const media = await startTestMedia(mediaCodecsForViewer(parseWhepOffer(offer), MEDIA_CODECS));
  others.push(media);
  return media;
}

describe('parseWhepOffer without a router', () => {
  it("lists the player's codecs and the extensions it receives, with its numbers", () => {
    const offer = parseWhepOffer(
      playerOffer({
        extmap: [
          'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid',
          'a=extmap:3/sendonly http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
          'a=extmap:8 urn:ietf:params:rtp-hdrext:encrypt urn:ietf:params:rtp-hdrext:toffset',
        ],
      }),
    );
    expect(offer.media).toEqual([
      { mid: 'a', kind: 'audio' },
      { mid: 'v', kind: 'video' },
    ]);
    expect(offer.rtpCapabilities.codecs!.map((c) => [c.kind, c.mimeType, c.preferredPayloadType])).toEqual([
      ['audio', 'audio/opus', 111],
      ['video', 'video/VP8', 96],
      ['video', 'video/rtx', 97],
      ['video', 'video/H264', 98],
    ]);
    expect(offer.rtpCapabilities.codecs![0]).toMatchObject({ channels: 2, rtcpFeedback: [{ type: 'transport-cc' }] });
    expect(offer.rtpCapabilities.headerExtensions).toEqual([
      {
        kind: 'video',
        uri: 'urn:ietf:params:rtp-hdrext:sdes:mid',
        preferredId: 9,
        preferredEncrypt: false,
        direction: 'sendrecv',
      },
    ]);
    expect(offer.problems).toEqual([]);
  });

  it('takes receive-capable m-sections only, and refuses an offer with none', () => {
    const sendOnly = playerOffer().replace('a=mid:a\r\na=recvonly', 'a=mid:a\r\na=sendonly');
    expect(parseWhepOffer(sendOnly).media).toEqual([{ mid: 'v', kind: 'video' }]);
    const error = thrown(() => parseWhepOffer(playerOffer().replaceAll('a=recvonly', 'a=sendonly')));
    expect(error).toBeInstanceOf(SdpError);
    expect(error).toMatchObject({ status: 422 });
  });
});

describe('mediaCodecsForViewer', () => {
  it("builds a router whose payload types are the player's", async () => {
    const offer = playerOffer();
    const codecs = mediaCodecsForViewer(parseWhepOffer(offer), MEDIA_CODECS);
    expect(codecs.map((c) => `${c.mimeType}/${c.preferredPayloadType}`)).toEqual([
      'audio/opus/111',
      'video/VP8/96',
      'video/H264/98',
    ]);
    const { router } = await routerFor(offer);
    const media = router.rtpCapabilities.codecs!.filter((c) => !c.mimeType.endsWith('/rtx'));
    expect(media.map((c) => c.preferredPayloadType)).toEqual([111, 96, 98]);
  });

  it('leaves out a codec whose payload type mediasoup already gave to an RTX, instead of making createRouter throw', async () => {
    // mediasoup numbers VP8's RTX 101 (its first free dynamic type): the player's H.264 is 101 too.
    const offer = playerOffer({ vp8: 100, rtx: 97, h264: 101 });
    const codecs = mediaCodecsForViewer(parseWhepOffer(offer), MEDIA_CODECS);
    expect(codecs.map((c) => `${c.mimeType}/${c.preferredPayloadType}`)).toEqual(['audio/opus/111', 'video/VP8/100']);
    const { router } = await routerFor(offer);
    expect(router.rtpCapabilities.codecs!.map((c) => c.preferredPayloadType)).toEqual([111, 100, 101]);
  });
});

describe('parseWhepOffer with a router', () => {
  it("keeps what that router sends as the player numbered it, RTX only when every codec's RTX matches too", async () => {
    const matching = playerOffer({ rtx: 100 }); // mediasoup will number VP8's RTX 100 as well
    const { router } = await routerFor(matching);
    // H.264's RTX (101 on the router) was not offered, and mediasoup would take VP8's RTX as leave
    // to send it: no RTX at all.
    const offer = parseWhepOffer(matching, router.rtpCapabilities);
    expect(offer.problems).toEqual([]);
    expect(offer.rtpCapabilities.codecs!.map((c) => `${c.mimeType}/${c.preferredPayloadType}`)).toEqual([
      'audio/opus/111',
      'video/VP8/96',
      'video/H264/98',
    ]);
    // The player's MID extension id (9) is not the router's (1): mediasoup will not negotiate it.
    expect(offer.rtpCapabilities.headerExtensions).toEqual([]);

    const vp8Only = matching
      .replace(' 100 98\r\n', ' 100\r\n')
      .replace(/a=rtpmap:98 [^\r]*\r\na=fmtp:98 [^\r]*\r\n/, '');
    const withRtx = parseWhepOffer(vp8Only, router.rtpCapabilities);
    expect(withRtx.rtpCapabilities.codecs!.map((c) => `${c.mimeType}/${c.preferredPayloadType}`)).toEqual([
      'audio/opus/111',
      'video/VP8/96',
      'video/rtx/100',
    ]);

    const otherRtx = parseWhepOffer(playerOffer(), router.rtpCapabilities);
    expect(otherRtx.rtpCapabilities.codecs!.map((c) => c.mimeType)).not.toContain('video/rtx');
  });

  it('reports the m-sections whose payload types the router does not share', () => {
    const offer = parseWhepOffer(playerOffer(), origin.router.rtpCapabilities);
    expect(offer.problems).toEqual([
      {
        mid: 'a',
        kind: 'audio',
        reason: 'no audio codec the router sends with the payload type the viewer offered for it',
      },
      {
        mid: 'v',
        kind: 'video',
        reason: 'no video codec the router sends with the payload type the viewer offered for it',
      },
    ]);
    expect(offer.rtpCapabilities).toEqual({ codecs: [], headerExtensions: [] });
  });

  it('leaves out, rather than refusing for, an extension the player numbers differently from mediasoup', async () => {
    // mediasoup writes its MID at id 1 whatever is negotiated; unnegotiated, the player ignores it.
    const clash = playerOffer({
      extmap: [
        'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
        'a=extmap:12 urn:ietf:params:rtp-hdrext:toffset',
      ],
    });
    const { router } = await routerFor(clash);
    const offer = parseWhepOffer(clash, router.rtpCapabilities);
    expect(offer.problems).toEqual([]);
    expect(offer.rtpCapabilities.headerExtensions!.map((h) => `${h.kind} ${h.preferredId} ${h.uri}`)).toEqual([
      'video 12 urn:ietf:params:rtp-hdrext:toffset',
    ]);
  });

  it('serves the default libwebrtc player on a router of its numbers, without the MID it numbers 4', async () => {
    const chrome = fixture('chrome-whep');
    const { router } = await routerFor(chrome);
    const offer = parseWhepOffer(chrome, router.rtpCapabilities);
    expect(offer.problems).toEqual([]);
    expect(offer.rtpCapabilities.codecs!.map((c) => c.kind).sort()).toContain('video');
    expect(offer.rtpCapabilities.headerExtensions!.some((h) => h.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid')).toBe(
      false,
    );
  });
});
