// Property tests on hostile input: random text, real offers mangled line by line, and inputs built
// to make regular expressions backtrack. Whatever comes in, the only error out is SdpError, every
// entry point deals with every input in under 50 ms, and what is accepted mediasoup accepts too.
import fc from 'fast-check';
import type { types as ms } from 'mediasoup';
import * as sdpTransform from 'sdp-transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAnswer, type AnswerTransport } from './answer.ts';
import { SdpError } from './sdp-errors.ts';
import { fixture, FIXTURE_NAMES, startTestMedia, type TestMedia } from './sdp-test-kit.ts';
import { parseTrickleFragment } from './trickle.ts';
import { parseWhepOffer } from './whep-offer.ts';
import { parseWhipOffer, type ParsedWhipOffer } from './whip-offer.ts';

const LIMIT_MS = 50;
const OFFERS = FIXTURE_NAMES.map(fixture);

let media: TestMedia;
let caps: ms.RtpCapabilities;
beforeAll(async () => {
  media = await startTestMedia();
  caps = media.router.rtpCapabilities;
});
afterAll(() => media?.close());

const TRANSPORT: AnswerTransport = {
  iceParameters: { usernameFragment: 'srvufrag0123456789', password: 'srvpassword0123456789abcdef' },
  iceCandidates: [
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
    fingerprints: [
      {
        algorithm: 'sha-256',
        value: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
      },
    ],
  },
};

function onlySdpErrors(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    if (error instanceof SdpError) return undefined;
    throw error;
  }
}

/** Runs `run` and fails when it is slow twice in a row (once may be a GC pause). */
function quickly<T>(what: string, text: string, run: () => T): T {
  for (let attempt = 0; ; attempt++) {
    const start = performance.now();
    const result = run();
    const elapsed = performance.now() - start;
    if (elapsed < LIMIT_MS) return result;
    if (attempt === 1)
      expect.fail(
        `${what}: ${elapsed.toFixed(1)} ms for ${text.length} characters starting ${JSON.stringify(text.slice(0, 80))}`,
      );
  }
}

/** Every entry point on one input, each timed; returns the WHIP offer when it was accepted. */
function exerciseQuickly(text: string): ParsedWhipOffer | undefined {
  const whip = quickly('parseWhipOffer', text, () => onlySdpErrors(() => parseWhipOffer(text, caps))) as
    ParsedWhipOffer | undefined;
  if (whip) {
    // An offer we accept must get an answer, and the answer must read back.
    const answer = quickly('buildAnswer', text, () =>
      buildAnswer(
        text,
        TRANSPORT,
        whip.media.map((m) => ({ ...m, direction: 'recvonly' })),
      ),
    );
    expect(sdpTransform.parse(answer).media).toHaveLength(sdpTransform.parse(text).media.length);
  }
  quickly('parseWhepOffer', text, () => onlySdpErrors(() => parseWhepOffer(text, caps)));
  quickly('parseTrickleFragment', text, () => onlySdpErrors(() => parseTrickleFragment(text)));
  quickly('buildAnswer with nothing taken', text, () => onlySdpErrors(() => buildAnswer(text, TRANSPORT, [])));
  return whip;
}

const hostileToken = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '65536',
    '4294967296',
    '99999999999999999999',
    '1e308',
    'NaN',
    '__proto__',
    'constructor',
    '*',
    '~',
    ';',
    ':',
    ' ',
    '\t',
    '/',
    '=',
    ',',
    'send',
    'recv',
  ),
  fc.string({ maxLength: 40 }),
  fc.bigInt({ min: 0n, max: 2n ** 80n }).map(String),
);

const ATTRIBUTES = [
  'mid',
  'rtpmap',
  'fmtp',
  'rtcp-fb',
  'extmap',
  'ssrc',
  'ssrc-group',
  'rid',
  'simulcast',
  'setup',
  'fingerprint',
  'ice-ufrag',
  'ice-pwd',
  'candidate',
  'group',
  'msid',
  'imageattr',
  'bundle-only',
  'rtcp-mux',
  'sendonly',
  'recvonly',
  'inactive',
  'extmap-allow-mixed',
  'sctp-port',
];
const hostileLine = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ATTRIBUTES), fc.array(hostileToken, { maxLength: 8 }))
    .map(([name, tokens]) => `a=${name}:${tokens.join(' ')}`),
  fc
    .tuple(
      fc.constantFrom('m=audio', 'm=video', 'm=application', 'c=IN IP4', 'o=-', 'b=AS:', 'v=', 't='),
      fc.array(hostileToken, { maxLength: 6 }),
    )
    .map(([head, tokens]) => `${head} ${tokens.join(' ')}`),
  fc.string({ maxLength: 80 }),
);

type Mutation =
  | { op: 'delete' | 'duplicate'; at: number }
  | { op: 'swap'; at: number; to: number }
  | { op: 'cut'; at: number; keep: number }
  | { op: 'token'; at: number; token: string }
  | { op: 'insert'; at: number; line: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete' as const, 'duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat(), keep: fc.nat() }),
  fc.record({ op: fc.constant('token' as const), at: fc.nat(), token: hostileToken }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), line: hostileLine }),
);

function mutate(offer: string, mutations: Mutation[], separator: string, truncateAt: number | undefined): string {
  const lines = offer.split('\r\n');
  for (const m of mutations) {
    const at = m.at % lines.length;
    const line = lines[at] ?? '';
    switch (m.op) {
      case 'delete':
        lines.splice(at, 1);
        break;
      case 'duplicate':
        lines.splice(at, 0, line);
        break;
      case 'swap':
        [lines[at], lines[m.to % lines.length]] = [lines[m.to % lines.length] ?? '', line];
        break;
      case 'cut':
        lines[at] = line.slice(0, m.keep % (line.length + 1));
        break;
      case 'token': {
        // Replace one whitespace- or separator-delimited token of the line.
        const parts = line.split(/([ :;=/,])/);
        const index = (m.at >> 3) % parts.length;
        parts[index - (index % 2)] = m.token;
        lines[at] = parts.join('');
        break;
      }
      case 'insert':
        lines.splice(at, 0, m.line);
        break;
    }
  }
  const text = lines.join(separator);
  return truncateAt === undefined ? text : text.slice(0, truncateAt % (text.length + 1));
}

const mangledOffer = fc
  .tuple(
    fc.constantFrom(...OFFERS),
    fc.array(mutation, { minLength: 1, maxLength: 6 }),
    fc.constantFrom('\r\n', '\n', '\r'),
    fc.option(fc.nat(), { freq: 5 }),
  )
  .map(([offer, mutations, separator, truncateAt]) => mutate(offer, mutations, separator, truncateAt ?? undefined));

describe('hostile input', () => {
  it('random text only ever gets an SdpError, quickly', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 3000 }),
          fc.string({ unit: fc.constantFrom(...'v=oamct0123456789 :/\r\n;,.-~*'), maxLength: 3000 }),
        ),
        (text) => {
          exerciseQuickly(text);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('real offers mangled line by line only ever get an SdpError, quickly', () => {
    fc.assert(
      fc.property(mangledOffer, (text) => {
        exerciseQuickly(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('what survives the mangling is still taken by mediasoup', async () => {
    await fc.assert(
      fc.asyncProperty(mangledOffer, async (text) => {
        const offer = exerciseQuickly(text);
        if (!offer) return;
        const transport = await media.transport();
        try {
          await transport.connect({ dtlsParameters: offer.remoteDtlsParameters });
          for (const m of offer.media)
            await transport.produce({ kind: m.kind, rtpParameters: structuredClone(m.rtpParameters) });
        } finally {
          transport.close();
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses oversized and over-long input before parsing it', () => {
    const tenThousandSections = `v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n${'m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:x\r\n'.repeat(10_000)}`;
    const manySmallSections = `v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n${'m=a 0 b\n'.repeat(1000)}`;
    const manyLines = `v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n${'a=x\n'.repeat(5000)}`;
    for (const [text, status] of [
      [tenThousandSections, 400],
      [manySmallSections, 422],
      [manyLines, 400],
      ['v=0\r\n'.repeat(20_000), 400],
      [`v=0\r\no=${'1'.repeat(60_000)}`, 400],
    ] as const) {
      const start = performance.now();
      expect(() => parseWhipOffer(text, caps)).toThrow(expect.objectContaining({ status }));
      expect(performance.now() - start).toBeLessThan(LIMIT_MS);
      exerciseQuickly(text);
    }
  });

  it('stays linear on offers built to multiply work', () => {
    const head = [
      'v=0',
      'o=- 1 1 IN IP4 0.0.0.0',
      's=-',
      't=0 0',
      'a=ice-ufrag:abcd',
      'a=ice-pwd:abcdefghijklmnopqrstuvwx',
      `a=fingerprint:sha-256 ${TRANSPORT.dtlsParameters.fingerprints[0]!.value}`,
    ];
    const video = (pts: number[], lines: string[]) =>
      [
        ...head,
        `m=video 9 UDP/TLS/RTP/SAVPF ${pts.join(' ')}`,
        'a=mid:v',
        'a=sendonly',
        'a=rtcp-mux',
        'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
        ...lines,
      ]
        .join('\r\n')
        .slice(0, 64 * 1024 - 1);
    const pts = Array.from({ length: 120 }, (_, i) => i + 1);
    const offers = [
      // Every codec times every wildcard feedback line (as many as the line limit lets through).
      video(pts, [
        ...pts.map((pt) => `a=rtpmap:${pt} VP8/90000`),
        ...Array.from({ length: 1900 }, (_, i) => `a=rtcp-fb:* x${i}`),
      ]),
      // Thousands of SSRCs, and a SIM group as long as a line may be.
      video([96], ['a=rtpmap:96 VP8/90000', ...Array.from({ length: 2000 }, (_, i) => `a=ssrc:${i + 1} cname:c`)]),
      video(
        [96],
        ['a=rtpmap:96 VP8/90000', `a=ssrc-group:SIM ${Array.from({ length: 400 }, (_, i) => i + 1).join(' ')}`],
      ),
      // Thousands of candidates and fmtp lines.
      video(
        [96],
        [
          'a=rtpmap:96 VP8/90000',
          ...Array.from(
            { length: 1200 },
            (_, i) => `a=candidate:${i} 1 udp ${i} 10.0.${i >> 8}.${i & 255} ${i + 1} typ host`,
          ),
        ],
      ),
      video([96], ['a=rtpmap:96 VP8/90000', ...Array.from({ length: 2000 }, (_, i) => `a=fmtp:96 k${i}=${i};x=y;a=b`)]),
      // Past the line limit: refused before any parsing.
      video([96], ['a=rtpmap:96 VP8/90000', ...Array.from({ length: 6000 }, (_, i) => `a=ssrc:${i + 1} cname:c`)]),
      // As many rids as a line holds.
      video(
        [96],
        [
          'a=rtpmap:96 VP8/90000',
          ...Array.from({ length: 700 }, (_, i) => `a=rid:r${i} send`),
          `a=simulcast:send ${Array.from({ length: 700 }, (_, i) => `r${i}`)
            .join(';')
            .slice(0, 4000)}`,
        ],
      ),
    ];
    for (const offer of offers) exerciseQuickly(offer);
  });

  it('does not backtrack on long values for any attribute sdp-transform knows', () => {
    const fills = ['send', 'a', '0', ' ', ';', ',', '~', '[x=1]', '=', ':', '/', '.', 'send recv ', 'rid=1;'];
    const names = [
      ...ATTRIBUTES,
      'ptime',
      'maxptime',
      'framerate',
      'source-filter',
      'ts-refclk',
      'mediaclk',
      'floorid',
      'simulcast: send',
      'ice-options',
      'msid-semantic',
      'rtcp',
      'crypto',
      'label',
      'keywds',
    ];
    const offer = fixture('chrome-simulcast');
    for (const name of names) {
      for (const fill of fills) {
        const value = fill.repeat(Math.ceil(3900 / fill.length)).slice(0, 3900);
        // The line alone, and inside a real offer where every later rule runs on it too.
        exerciseQuickly(`a=${name}:${value}`);
        exerciseQuickly(offer.replace('a=mid:1', `a=mid:1\r\na=${name}:${value}!`));
        exerciseQuickly(offer.replace('a=mid:1', `a=mid:1\r\na=${name}:send ${value}!`));
      }
    }
  });
});
