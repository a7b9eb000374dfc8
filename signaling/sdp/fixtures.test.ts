// Every fixture offer, written in the shape its client really sends, goes the whole way: it parses,
// mediasoup's WebRtcTransport takes its DTLS parameters and produce() takes its RTP parameters, and
// our answer parses back with what the client needs to read in it.
import * as sdpTransform from 'sdp-transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAnswer } from './answer.ts';
import { fixture, FIXTURE_NAMES, startTestMedia, type TestMedia } from './sdp-test-kit.ts';
import { parseWhepOffer } from './whep-offer.ts';
import { parseWhipOffer, type ParsedWhipOffer } from './whip-offer.ts';

let media: TestMedia;
beforeAll(async () => {
  media = await startTestMedia();
});
afterAll(() => media?.close());

interface Expected {
  role: 'client' | 'server';
  /** Per m-section: mid, then the chosen codecs as mimeType/payloadType. */
  codecs: Record<string, string[]>;
  /** Per mid: 'ssrc', 'ssrc+rtx', 'mid' (no SSRC, MID extension) or the simulcast rids. */
  encodings: Record<string, string | string[]>;
  candidates?: number;
}

const WHIP_FIXTURES: Record<string, Expected> = {
  'chrome-simulcast': {
    role: 'client',
    codecs: { '0': ['audio/opus/111'], '1': ['video/VP8/96', 'video/rtx/97'] },
    encodings: { '0': 'ssrc', '1': ['q', 'h', 'f'] },
  },
  'chrome-sendrecv': {
    role: 'client',
    codecs: { '0': ['audio/opus/111'], '1': ['video/VP8/96', 'video/rtx/97'] },
    encodings: { '0': 'ssrc', '1': 'ssrc+rtx' },
  },
  firefox: {
    role: 'client',
    codecs: { '0': ['audio/opus/109'], '1': ['video/VP8/120', 'video/rtx/124'] },
    encodings: { '0': 'ssrc', '1': 'ssrc+rtx' },
  },
  'firefox-simulcast': {
    role: 'client',
    codecs: { '0': ['audio/opus/109'], '1': ['video/VP8/120', 'video/rtx/124'] },
    encodings: { '0': 'ssrc', '1': ['l', 'm', 'h'] },
  },
  // H.264 first; its constrained-high entry (640c1f) is a profile the router lacks.
  safari: {
    role: 'client',
    codecs: { '0': ['audio/opus/111'], '1': ['video/H264/98', 'video/rtx/99'] },
    encodings: { '0': 'ssrc', '1': 'ssrc+rtx' },
  },
  'obs-30': {
    role: 'client',
    codecs: { '0': ['audio/opus/111'], '1': ['video/H264/96'] },
    encodings: { '0': 'ssrc', '1': 'ssrc' },
    candidates: 2,
  },
  'obs-simulcast': {
    role: 'client',
    codecs: { '0': ['audio/opus/111'], '1': ['video/H264/96'] },
    encodings: { '0': 'ssrc', '1': ['0', '1', '2'] },
  },
  'mid-only': {
    role: 'client',
    codecs: { '0': ['audio/opus/111'], '1': ['video/H264/96'] },
    encodings: { '0': 'mid', '1': 'mid' },
  },
  'gstreamer-whipsink': {
    role: 'client',
    codecs: { video0: ['video/H264/96', 'video/rtx/97'], audio1: ['audio/opus/111'] },
    encodings: { video0: 'ssrc+rtx', audio1: 'ssrc' },
  },
  // FFmpeg insists on being the DTLS server: mediasoup connects as the client.
  'ffmpeg-8': {
    role: 'server',
    codecs: { '0': ['audio/opus/111'], '1': ['video/H264/106'] },
    encodings: { '0': 'ssrc', '1': 'ssrc' },
  },
};

function encodingShape(offer: ParsedWhipOffer, mid: string): string | string[] {
  const encodings = offer.media.find((m) => m.mid === mid)!.rtpParameters.encodings!;
  if (encodings.every((e) => e.rid !== undefined)) return encodings.map((e) => e.rid!);
  if (encodings.length === 1 && encodings[0]!.ssrc === undefined && encodings[0]!.rid === undefined) return 'mid';
  return encodings.length === 1 && encodings[0]!.rtx ? 'ssrc+rtx' : 'ssrc';
}

it('has an expectation for every fixture', () => {
  expect(FIXTURE_NAMES.filter((name) => !name.endsWith('-whep')).sort()).toEqual(Object.keys(WHIP_FIXTURES).sort());
});

describe.each(Object.entries(WHIP_FIXTURES))('WHIP offer %s', (name, expected) => {
  it('parses into what the offer asks for', () => {
    const offer = parseWhipOffer(fixture(name), media.router.rtpCapabilities);
    expect(offer.remoteDtlsParameters.role).toBe(expected.role);
    expect(offer.remoteDtlsParameters.fingerprints[0]).toMatchObject({
      algorithm: 'sha-256',
      value: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    expect(offer.iceUfrag.length).toBeGreaterThanOrEqual(4);
    expect(offer.icePwd.length).toBeGreaterThanOrEqual(22);
    expect(offer.candidates).toHaveLength(expected.candidates ?? 0);
    for (const candidate of offer.candidates)
      expect(candidate).toMatchObject({ transport: 'udp', type: 'host', component: 1, mid: '0' });
    const codecs = Object.fromEntries(
      offer.media.map((m) => [m.mid, m.rtpParameters.codecs.map((c) => `${c.mimeType}/${c.payloadType}`)]),
    );
    expect(codecs).toEqual(expected.codecs);
    for (const [mid, shape] of Object.entries(expected.encodings)) expect(encodingShape(offer, mid)).toEqual(shape);
    for (const m of offer.media) {
      expect(m.rtpParameters.mid).toBe(m.mid);
      expect(m.rtpParameters.rtcp?.reducedSize).toBe(true);
    }
  });

  it('is taken by a real mediasoup transport, and our answer reads back', async () => {
    const sdp = fixture(name);
    const offer = parseWhipOffer(sdp, media.router.rtpCapabilities);
    const transport = await media.transport();
    try {
      await transport.connect({ dtlsParameters: offer.remoteDtlsParameters });
      for (const m of offer.media) {
        // produce() mutates what it is given; keep ours for the answer.
        const producer = await transport.produce({ kind: m.kind, rtpParameters: structuredClone(m.rtpParameters) });
        expect(producer.rtpParameters.encodings).toHaveLength(m.rtpParameters.encodings!.length);
      }
      const answer = buildAnswer(
        sdp,
        transport,
        offer.media.map((m) => ({ ...m, direction: 'recvonly' })),
      );
      const parsed = sdpTransform.parse(answer);
      const offered = sdpTransform.parse(sdp);
      expect(parsed.media.map((m) => String(m.mid))).toEqual(offered.media.map((m) => String(m.mid)));
      expect(parsed.icelite).toBe('ice-lite');
      expect(parsed.groups).toEqual([{ type: 'BUNDLE', mids: offer.media.map((m) => m.mid).join(' ') }]);
      for (const section of parsed.media) {
        const m = offer.media.find((o) => o.mid === String(section.mid))!;
        expect(section.direction).toBe('recvonly');
        expect(section.setup).toBe(expected.role === 'server' ? 'active' : 'passive');
        expect(section.iceUfrag).toBe(transport.iceParameters.usernameFragment);
        expect(section.rtp.map((r) => r.payload)).toEqual(m.rtpParameters.codecs.map((c) => c.payloadType));
        expect(section.candidates?.map((c) => c.transport)).toEqual(['udp', 'tcp']);
        const rids = m.rtpParameters.encodings!.map((e) => e.rid).filter(Boolean);
        if (rids.length > 0) expect(section.simulcast).toEqual({ dir1: 'recv', list1: rids.join(';') });
        else expect(section.simulcast).toBeUndefined();
      }
    } finally {
      transport.close();
    }
  });
});

describe('WHEP offer chrome-whep', () => {
  it('lists what the player can receive, with its own payload types and extension ids', () => {
    const offer = parseWhepOffer(fixture('chrome-whep'));
    expect(offer.media).toEqual([
      { mid: '0', kind: 'audio' },
      { mid: '1', kind: 'video' },
    ]);
    expect(offer.remoteDtlsParameters.role).toBe('client');
    const codecs = offer.rtpCapabilities.codecs!.map((c) => `${c.mimeType}/${c.preferredPayloadType}`);
    expect(codecs).toEqual(
      expect.arrayContaining(['audio/opus/111', 'video/VP8/96', 'video/rtx/97', 'video/H264/106', 'video/AV1/45']),
    );
    expect(offer.rtpCapabilities.headerExtensions).toContainEqual({
      kind: 'video',
      uri: 'urn:ietf:params:rtp-hdrext:sdes:mid',
      preferredId: 4,
      preferredEncrypt: false,
      direction: 'sendrecv',
    });
    expect(offer.problems).toEqual([]);
  });

  it('tells which m-sections the production router cannot serve, and why', () => {
    const offer = parseWhepOffer(fixture('chrome-whep'), media.router.rtpCapabilities);
    expect(offer.problems).toEqual([
      { mid: '0', kind: 'audio', reason: expect.stringMatching(/payload type/) },
      { mid: '1', kind: 'video', reason: expect.stringMatching(/payload type/) },
    ]);
    expect(offer.rtpCapabilities.codecs).toEqual([]);
  });
});
