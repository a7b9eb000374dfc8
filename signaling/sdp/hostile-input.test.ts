// Property tests on hostile input: random text, real offers mangled line by line, and inputs built
// to make regular expressions backtrack or multiply work. Whatever comes in, the only error out is
// SdpError, every entry point's regex work stays linear in the input (counted, not timed: a
// machine's load changes the time, not the count), oversized input is refused before any grammar
// reads it, and what is accepted mediasoup accepts too. Counting makes these tests slower than the
// parsing they check, hence their generous deadlines: those catch a hang, they measure nothing.
import fc from 'fast-check';
import type { types as ms } from 'mediasoup';
import * as sdpTransform from 'sdp-transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAnswer, type AnswerTransport } from './answer.ts';
import { SdpError } from './sdp-errors.ts';
import { fixture, FIXTURE_NAMES, startTestMedia, thrown, type TestMedia } from './sdp-test-kit.ts';
import { parseTrickleFragment } from './trickle.ts';
import { parseWhepOffer } from './whep-offer.ts';
import { parseWhipOffer, type ParsedWhipOffer } from './whip-offer.ts';

/** A refusal may test each m-line it reads (at most MAX_MEDIA_SECTIONS + 1 short ones) besides splitting. */
const REFUSAL_SLACK = 2000;
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

/**
 * The work regular expressions do while `run` runs, counted rather than timed: the characters of
 * every string a regex is run over (test, match, matchAll, replace, replaceAll, split, search),
 * which bounds what each scan reads. sdp-transform's grammar uses those methods, as does our own
 * code here. A count does not depend on the machine's load, so it can be asserted; how long the
 * parsing takes cannot. (RegExp.prototype.exec is left alone: replacing it would send every other
 * method down V8's slow path.)
 */
function regexWork<T>(run: () => T): { result: T; scanned: number } {
  let scanned = 0;
  const test = RegExp.prototype.test;
  const strings = String.prototype;
  const methods = ['match', 'matchAll', 'replace', 'replaceAll', 'split', 'search'] as const;
  const natives = methods.map((name) => strings[name]);
  RegExp.prototype.test = function counted(this: RegExp, input: string): boolean {
    scanned += String(input).length;
    return test.call(this, input);
  };
  methods.forEach((name, i) => {
    const native = natives[i] as (this: string, ...args: unknown[]) => unknown;
    (strings as unknown as Record<string, unknown>)[name] = function counted(this: string, ...args: unknown[]) {
      if (args[0] instanceof RegExp) scanned += this.length;
      return native.apply(this, args);
    };
  });
  try {
    const result = run();
    return { result, scanned };
  } finally {
    RegExp.prototype.test = test;
    methods.forEach((name, i) => ((strings as unknown as Record<string, unknown>)[name] = natives[i]));
  }
}

/**
 * What an entry point may scan with regexes for an input of n characters: WORK_BASE (building and
 * re-reading an answer is work of its own, whatever the offer) plus WORK_PER_CHAR per character.
 * Every input of these tests stays under 20,000 + 30 n; twice that leaves room for honest changes,
 * while rescanning the text once per line (quadratic) or a grammar run per character exceeds it by
 * orders of magnitude on the long inputs below.
 */
const WORK_BASE = 40_000;
const WORK_PER_CHAR = 60;

/** Runs `run` and fails when its regexes scanned more than a linear budget for `text`. */
function linearly<T>(what: string, text: string, run: () => T): T {
  const { result, scanned } = regexWork(run);
  const budget = WORK_BASE + WORK_PER_CHAR * text.length;
  if (scanned > budget)
    expect.fail(
      `${what}: regexes scanned ${scanned} characters for ${text.length} of input (budget ${budget}), input starting ${JSON.stringify(text.slice(0, 80))}`,
    );
  return result;
}

/** Every entry point on one input, each held to a linear budget of regex work; returns the WHIP offer when it was accepted. */
function exerciseLinearly(text: string): ParsedWhipOffer | undefined {
  const whip = linearly('parseWhipOffer', text, () => onlySdpErrors(() => parseWhipOffer(text, caps))) as
    ParsedWhipOffer | undefined;
  if (whip) {
    // An offer we accept must get an answer, and the answer must read back.
    const answer = linearly('buildAnswer', text, () =>
      buildAnswer(
        text,
        TRANSPORT,
        whip.media.map((m) => ({ ...m, direction: 'recvonly' })),
      ),
    );
    expect(sdpTransform.parse(answer).media).toHaveLength(sdpTransform.parse(text).media.length);
  }
  linearly('parseWhepOffer', text, () => onlySdpErrors(() => parseWhepOffer(text, caps)));
  linearly('parseTrickleFragment', text, () => onlySdpErrors(() => parseTrickleFragment(text)));
  linearly('buildAnswer with nothing taken', text, () => onlySdpErrors(() => buildAnswer(text, TRANSPORT, [])));
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
  it('random text only ever gets an SdpError, for linear work', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 3000 }),
          fc.string({ unit: fc.constantFrom(...'v=oamct0123456789 :/\r\n;,.-~*'), maxLength: 3000 }),
        ),
        (text) => {
          exerciseLinearly(text);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('real offers mangled line by line only ever get an SdpError, for linear work', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(mangledOffer, (text) => {
        exerciseLinearly(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('what survives the mangling is still taken by mediasoup', async () => {
    await fc.assert(
      fc.asyncProperty(mangledOffer, async (text) => {
        const offer = exerciseLinearly(text);
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
      const { result: error, scanned } = regexWork(() => thrown(() => parseWhipOffer(text, caps)));
      expect(error).toBeInstanceOf(SdpError);
      expect(error).toMatchObject({ status });
      // Refused before sdp-transform's grammar reads it: at most one pass over the text, to split
      // it into lines (a grammar run costs tens of passes), and none when it is too large to split.
      expect(scanned).toBeLessThanOrEqual(text.length + REFUSAL_SLACK);
      exerciseLinearly(text);
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
    for (const offer of offers) exerciseLinearly(offer);
  });

  it('keeps regex work linear on long values for any attribute sdp-transform knows', { timeout: 120_000 }, () => {
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
        exerciseLinearly(`a=${name}:${value}`);
        exerciseLinearly(offer.replace('a=mid:1', `a=mid:1\r\na=${name}:${value}!`));
        exerciseLinearly(offer.replace('a=mid:1', `a=mid:1\r\na=${name}:send ${value}!`));
      }
    }
  });
});
