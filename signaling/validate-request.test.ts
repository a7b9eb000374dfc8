// validateRequest is the only thing between the network and the media session: a well-formed
// request of every method passes (and only its known fields go through), anything else is refused
// with a BadRequestError whose message names what is wrong.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError, BadRequestError } from '../common/errors.ts';
import type { types as ms } from 'mediasoup';
import { MEDIA_SOURCES } from '../common/protocol/media-signaling.ts';
import { validateRequest, type MediaCommand } from './validate-request.ts';

const ALL_METHODS: readonly MediaCommand['method'][] = [
  'join',
  'createTransport',
  'connectTransport',
  'restartIce',
  'produce',
  'closeProducer',
  'pauseProducer',
  'resumeProducer',
  'consume',
  'resumeConsumer',
  'pauseConsumer',
  'setPreferredLayers',
  'leave',
];

const TRANSPORT_ID = '5c6a0e7e-8a2b-4d36-9f0e-2b1f0c9d7a11';
const PRODUCER_ID = 'b7d1c3a2-0f4e-4c59-8e6d-0a1b2c3d4e5f';
const CONSUMER_ID = 'consumer_01-A';
const DTLS: ms.DtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };
const RTP_PARAMETERS: ms.RtpParameters = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
  encodings: [{ ssrc: 1111 }],
};
const RTP_CAPABILITIES: ms.RtpCapabilities = {
  codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
};

/** Each well-formed request, with what validateRequest must hand on (extra fields dropped). */
const WELL_FORMED: { name: string; input: unknown; expected: MediaCommand }[] = [
  {
    name: 'join as a viewer',
    input: { method: 'join', data: { role: 'viewer', channel: 'some-channel', streamKey: 'ignored' } },
    expected: { method: 'join', data: { role: 'viewer', channel: 'some-channel' } },
  },
  {
    name: 'join as a publisher',
    input: { method: 'join', data: { role: 'publisher', streamKey: 'live_abc', channel: 'ignored' } },
    expected: { method: 'join', data: { role: 'publisher', streamKey: 'live_abc' } },
  },
  {
    name: 'join as a publisher by session (the channel it owns, no key)',
    input: { method: 'join', data: { role: 'publisher', channel: 'my-channel', extra: 1 } },
    expected: { method: 'join', data: { role: 'publisher', channel: 'my-channel' } },
  },
  {
    name: 'createTransport send',
    input: { method: 'createTransport', data: { direction: 'send' } },
    expected: { method: 'createTransport', data: { direction: 'send' } },
  },
  {
    name: 'createTransport recv',
    input: { method: 'createTransport', data: { direction: 'recv', extra: 1 } },
    expected: { method: 'createTransport', data: { direction: 'recv' } },
  },
  {
    name: 'connectTransport',
    input: { method: 'connectTransport', data: { transportId: TRANSPORT_ID, dtlsParameters: DTLS } },
    expected: { method: 'connectTransport', data: { transportId: TRANSPORT_ID, dtlsParameters: DTLS } },
  },
  {
    name: 'restartIce',
    input: { method: 'restartIce', data: { transportId: TRANSPORT_ID } },
    expected: { method: 'restartIce', data: { transportId: TRANSPORT_ID } },
  },
  ...MEDIA_SOURCES.map((source) => {
    const kind = source === 'microphone' || source === 'screen-audio' ? ('audio' as const) : ('video' as const);
    return {
      name: `produce ${kind} from the ${source}`,
      input: {
        method: 'produce',
        data: { transportId: TRANSPORT_ID, kind, rtpParameters: RTP_PARAMETERS, source, paused: true },
      },
      expected: {
        method: 'produce',
        data: { transportId: TRANSPORT_ID, kind, rtpParameters: RTP_PARAMETERS, source },
      } as MediaCommand,
    };
  }),
  ...(['closeProducer', 'pauseProducer', 'resumeProducer'] as const).map((method) => ({
    name: method,
    input: { method, data: { producerId: PRODUCER_ID } },
    expected: { method, data: { producerId: PRODUCER_ID } } as MediaCommand,
  })),
  {
    name: 'consume',
    input: {
      method: 'consume',
      data: { transportId: TRANSPORT_ID, producerId: PRODUCER_ID, rtpCapabilities: RTP_CAPABILITIES },
    },
    expected: {
      method: 'consume',
      data: { transportId: TRANSPORT_ID, producerId: PRODUCER_ID, rtpCapabilities: RTP_CAPABILITIES },
    },
  },
  {
    name: 'resumeConsumer',
    input: { method: 'resumeConsumer', data: { consumerId: CONSUMER_ID } },
    expected: { method: 'resumeConsumer', data: { consumerId: CONSUMER_ID } },
  },
  {
    name: 'pauseConsumer',
    input: { method: 'pauseConsumer', data: { consumerId: CONSUMER_ID } },
    expected: { method: 'pauseConsumer', data: { consumerId: CONSUMER_ID } },
  },
  {
    name: 'setPreferredLayers with both layers',
    input: { method: 'setPreferredLayers', data: { consumerId: CONSUMER_ID, spatialLayer: 2, temporalLayer: 0 } },
    expected: { method: 'setPreferredLayers', data: { consumerId: CONSUMER_ID, spatialLayer: 2, temporalLayer: 0 } },
  },
  {
    name: 'setPreferredLayers with the spatial layer only',
    input: { method: 'setPreferredLayers', data: { consumerId: CONSUMER_ID, spatialLayer: 0 } },
    expected: { method: 'setPreferredLayers', data: { consumerId: CONSUMER_ID, spatialLayer: 0 } },
  },
  {
    name: 'setPreferredLayers at the highest layers',
    input: { method: 'setPreferredLayers', data: { consumerId: CONSUMER_ID, spatialLayer: 9, temporalLayer: 9 } },
    expected: { method: 'setPreferredLayers', data: { consumerId: CONSUMER_ID, spatialLayer: 9, temporalLayer: 9 } },
  },
  { name: 'leave without data', input: { method: 'leave' }, expected: { method: 'leave', data: {} } },
  { name: 'leave with empty data', input: { method: 'leave', data: {} }, expected: { method: 'leave', data: {} } },
  { name: 'leave with data null', input: { method: 'leave', data: null }, expected: { method: 'leave', data: {} } },
];

const huge = 'x'.repeat(1_000_000);
const join = (data: unknown) => ({ method: 'join', data });
const produce = (patch: Record<string, unknown>) => ({
  method: 'produce',
  data: { transportId: TRANSPORT_ID, kind: 'video', rtpParameters: RTP_PARAMETERS, source: 'camera', ...patch },
});
const layers = (patch: Record<string, unknown>) => ({
  method: 'setPreferredLayers',
  data: { consumerId: CONSUMER_ID, spatialLayer: 1, ...patch },
});

/** Hostile or broken requests, and a word the refusal's message must contain (the field at fault). */
const REFUSED: { name: string; input: unknown; field: string }[] = [
  // Not a request at all.
  { name: 'undefined', input: undefined, field: 'method' },
  { name: 'null', input: null, field: 'method' },
  { name: 'a string', input: 'join', field: 'method' },
  { name: 'a number', input: 42, field: 'method' },
  { name: 'an array', input: [{ method: 'join', data: { role: 'viewer', channel: 'x' } }], field: 'method' },
  { name: 'an array with a method property', input: Object.assign(['x'], { method: 'leave' }), field: 'method' },
  { name: 'no method', input: { data: { role: 'viewer', channel: 'x' } }, field: 'method' },
  { name: 'an unknown method', input: { method: 'deleteEverything', data: {} }, field: 'method' },
  { name: 'a method from the prototype', input: { method: 'constructor', data: {} }, field: 'method' },
  {
    name: 'a method in other case',
    input: { method: 'JOIN', data: { role: 'viewer', channel: 'x' } },
    field: 'method',
  },
  {
    name: 'a method that is not a string',
    input: { method: ['join'], data: { role: 'viewer', channel: 'x' } },
    field: 'method',
  },
  { name: 'a huge method', input: { method: huge }, field: 'method' },
  // data of the wrong type.
  { name: 'data a string', input: { method: 'join', data: 'viewer' }, field: 'data' },
  { name: 'data an array', input: { method: 'join', data: [{ role: 'viewer', channel: 'x' }] }, field: 'data' },
  { name: 'data a number', input: { method: 'createTransport', data: 0 }, field: 'data' },
  { name: 'data false', input: { method: 'leave', data: false }, field: 'data' },
  { name: 'leave with data an array', input: { method: 'leave', data: [] }, field: 'data' },
  // join.
  { name: 'join without data', input: { method: 'join' }, field: 'role' },
  { name: 'join with an unknown role', input: join({ role: 'admin', channel: 'x' }), field: 'role' },
  { name: 'join with a role in other case', input: join({ role: 'Viewer', channel: 'x' }), field: 'role' },
  {
    name: 'join with a role that is not a string',
    input: join({ role: { toString: () => 'viewer' }, channel: 'x' }),
    field: 'role',
  },
  { name: 'viewer join without a channel', input: join({ role: 'viewer' }), field: 'channel' },
  { name: 'viewer join with an empty channel', input: join({ role: 'viewer', channel: '' }), field: 'channel' },
  { name: 'viewer join with a numeric channel', input: join({ role: 'viewer', channel: 12 }), field: 'channel' },
  { name: 'viewer join with a channel array', input: join({ role: 'viewer', channel: ['x'] }), field: 'channel' },
  {
    name: 'viewer join with a 65-character channel',
    input: join({ role: 'viewer', channel: 'c'.repeat(65) }),
    field: 'channel',
  },
  { name: 'viewer join with a huge channel', input: join({ role: 'viewer', channel: huge }), field: 'channel' },
  { name: 'publisher join without a key', input: join({ role: 'publisher' }), field: 'streamKey' },
  { name: 'publisher join with an empty key', input: join({ role: 'publisher', streamKey: '' }), field: 'streamKey' },
  {
    name: 'publisher join with a key object',
    input: join({ role: 'publisher', streamKey: { key: 'live_x' } }),
    field: 'streamKey',
  },
  {
    name: 'publisher join with a 201-character key',
    input: join({ role: 'publisher', streamKey: 'k'.repeat(201) }),
    field: 'streamKey',
  },
  { name: 'publisher join with a huge key', input: join({ role: 'publisher', streamKey: huge }), field: 'streamKey' },
  // A key that is there but wrong is refused as such: it never falls back to the session path.
  {
    name: 'publisher join with a key null and a channel',
    input: join({ role: 'publisher', streamKey: null, channel: 'x' }),
    field: 'streamKey',
  },
  {
    name: 'publisher join with an empty key and a channel',
    input: join({ role: 'publisher', streamKey: '', channel: 'x' }),
    field: 'streamKey',
  },
  {
    name: 'publisher join by session with an empty channel',
    input: join({ role: 'publisher', channel: '' }),
    field: 'channel',
  },
  {
    name: 'publisher join by session with a numeric channel',
    input: join({ role: 'publisher', channel: 7 }),
    field: 'channel',
  },
  {
    name: 'publisher join by session with a channel object',
    input: join({ role: 'publisher', channel: { slug: 'x' } }),
    field: 'channel',
  },
  {
    name: 'publisher join by session with a 65-character channel',
    input: join({ role: 'publisher', channel: 'c'.repeat(65) }),
    field: 'channel',
  },
  {
    name: 'publisher join by session with a huge channel',
    input: join({ role: 'publisher', channel: huge }),
    field: 'channel',
  },
  // createTransport.
  { name: 'createTransport without a direction', input: { method: 'createTransport', data: {} }, field: 'direction' },
  {
    name: 'createTransport both ways',
    input: { method: 'createTransport', data: { direction: 'sendrecv' } },
    field: 'direction',
  },
  {
    name: 'createTransport with a direction array',
    input: { method: 'createTransport', data: { direction: ['send'] } },
    field: 'direction',
  },
  // Ids.
  {
    name: 'connectTransport without a transport id',
    input: { method: 'connectTransport', data: { dtlsParameters: DTLS } },
    field: 'transportId',
  },
  {
    name: 'connectTransport with a numeric transport id',
    input: { method: 'connectTransport', data: { transportId: 1234, dtlsParameters: DTLS } },
    field: 'transportId',
  },
  ...['', 'a b', 'a/b', '../etc/passwd', 'id;drop', 'ïd', 'a\nb', 'a'.repeat(101), huge].map((bad) => ({
    name: `restartIce with transport id ${JSON.stringify(bad.slice(0, 20))}${bad.length > 20 ? `... (${bad.length} chars)` : ''}`,
    input: { method: 'restartIce', data: { transportId: bad } },
    field: 'transportId',
  })),
  ...(['closeProducer', 'pauseProducer', 'resumeProducer'] as const).flatMap((method) => [
    { name: `${method} without a producer id`, input: { method, data: {} }, field: 'producerId' },
    {
      name: `${method} with a producer id of spaces`,
      input: { method, data: { producerId: '   ' } },
      field: 'producerId',
    },
    {
      name: `${method} with a producer id object`,
      input: { method, data: { producerId: { $ne: null } } },
      field: 'producerId',
    },
  ]),
  {
    name: 'resumeConsumer with a too long id',
    input: { method: 'resumeConsumer', data: { consumerId: 'c'.repeat(101) } },
    field: 'consumerId',
  },
  {
    name: 'resumeConsumer with an id null',
    input: { method: 'resumeConsumer', data: { consumerId: null } },
    field: 'consumerId',
  },
  // Objects handed to mediasoup.
  {
    name: 'connectTransport without DTLS',
    input: { method: 'connectTransport', data: { transportId: TRANSPORT_ID } },
    field: 'dtlsParameters',
  },
  {
    name: 'connectTransport with DTLS as a string',
    input: { method: 'connectTransport', data: { transportId: TRANSPORT_ID, dtlsParameters: 'a=fingerprint' } },
    field: 'dtlsParameters',
  },
  {
    name: 'connectTransport with DTLS as an array',
    input: { method: 'connectTransport', data: { transportId: TRANSPORT_ID, dtlsParameters: [DTLS] } },
    field: 'dtlsParameters',
  },
  { name: 'produce without RTP parameters', input: produce({ rtpParameters: undefined }), field: 'rtpParameters' },
  { name: 'produce with RTP parameters null', input: produce({ rtpParameters: null }), field: 'rtpParameters' },
  {
    name: 'produce with RTP parameters an array',
    input: produce({ rtpParameters: [RTP_PARAMETERS] }),
    field: 'rtpParameters',
  },
  {
    name: 'consume with capabilities a string',
    input: { method: 'consume', data: { transportId: TRANSPORT_ID, producerId: PRODUCER_ID, rtpCapabilities: 'opus' } },
    field: 'rtpCapabilities',
  },
  {
    name: 'consume with a bad producer id',
    input: {
      method: 'consume',
      data: { transportId: TRANSPORT_ID, producerId: 'p p', rtpCapabilities: RTP_CAPABILITIES },
    },
    field: 'producerId',
  },
  {
    name: 'consume with a bad transport id',
    input: { method: 'consume', data: { transportId: '', producerId: PRODUCER_ID, rtpCapabilities: RTP_CAPABILITIES } },
    field: 'transportId',
  },
  // produce.
  { name: 'produce of an unknown kind', input: produce({ kind: 'data' }), field: 'kind' },
  { name: 'produce without a kind', input: produce({ kind: undefined }), field: 'kind' },
  { name: 'produce from an unknown source', input: produce({ source: 'webcam' }), field: 'source' },
  { name: 'produce without a source', input: produce({ source: undefined }), field: 'source' },
  { name: 'produce from a source array', input: produce({ source: ['camera'] }), field: 'source' },
  { name: 'produce from a huge source', input: produce({ source: huge }), field: 'source' },
  {
    name: 'produce with a bad transport id',
    input: produce({ transportId: 'no spaces allowed' }),
    field: 'transportId',
  },
  // Layers.
  ...[-1, 10, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, true, 1e9].map((bad) => ({
    name: `setPreferredLayers with spatial layer ${String(bad)} (${typeof bad})`,
    input: layers({ spatialLayer: bad }),
    field: 'spatialLayer',
  })),
  ...[-1, 10, 0.5, '0', null].map((bad) => ({
    name: `setPreferredLayers with temporal layer ${String(bad)} (${typeof bad})`,
    input: layers({ temporalLayer: bad }),
    field: 'temporalLayer',
  })),
  {
    name: 'setPreferredLayers without a spatial layer',
    input: layers({ spatialLayer: undefined }),
    field: 'spatialLayer',
  },
  { name: 'setPreferredLayers with a bad consumer id', input: layers({ consumerId: 'c#1' }), field: 'consumerId' },
];

/** The BadRequestError validateRequest throws for `input`; fails the test when it accepts it. */
function refusal(input: unknown): BadRequestError {
  let accepted: MediaCommand;
  try {
    accepted = validateRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return error as BadRequestError;
  }
  throw new Error(`validateRequest accepted it as ${JSON.stringify(accepted).slice(0, 200)}`);
}

describe('validateRequest accepts', () => {
  it('covers every method of the protocol in the table', () => {
    expect(new Set(WELL_FORMED.map((c) => c.expected.method))).toEqual(new Set(ALL_METHODS));
  });

  it.each(WELL_FORMED)('$name', ({ input, expected }) => {
    expect(validateRequest(input)).toStrictEqual(expected);
  });
});

describe('validateRequest refuses', () => {
  it.each(REFUSED)('$name, naming $field', ({ input, field }) => {
    const error = refusal(input);
    expect(error.status).toBe(400);
    expect(error.code).toBe('bad_request');
    expect(error.message).toContain(field);
    // A refusal must never echo a huge value back to the client.
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('validateRequest on arbitrary input (property-based)', () => {
  const ID = /^[A-Za-z0-9_-]{1,100}$/;

  it('either returns a request of a known method or throws BadRequestError, whatever it gets', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ withNullPrototype: true, withObjectString: true }),
          fc.record({ method: fc.constantFrom(...ALL_METHODS), data: fc.anything({ withNullPrototype: true }) }),
          fc.record({ method: fc.constantFrom(...ALL_METHODS), data: fc.dictionary(fc.string(), fc.jsonValue()) }),
        ),
        (input) => {
          let result: MediaCommand;
          try {
            result = validateRequest(input);
          } catch (error) {
            return error instanceof BadRequestError;
          }
          return ALL_METHODS.includes(result.method);
        },
      ),
    );
  });

  it('takes exactly the ids that are 1-100 letters, digits, _ or -', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/),
          // Around the length limit.
          fc.string({ minLength: 99, maxLength: 102, unit: fc.constantFrom('a', '-', '_') }),
        ),
        (producerId) => {
          const request = { method: 'closeProducer', data: { producerId } };
          let result: MediaCommand;
          try {
            result = validateRequest(request);
          } catch (error) {
            return !ID.test(producerId) && error instanceof BadRequestError && error.message.includes('producerId');
          }
          return ID.test(producerId) && result.method === 'closeProducer' && result.data.producerId === producerId;
        },
      ),
    );
  });

  it('takes exactly the integer layers 0-9', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double()), (spatialLayer) => {
        const request = { method: 'setPreferredLayers', data: { consumerId: CONSUMER_ID, spatialLayer } };
        const valid = Number.isInteger(spatialLayer) && spatialLayer >= 0 && spatialLayer <= 9;
        try {
          const result = validateRequest(request);
          return valid && result.method === 'setPreferredLayers' && Object.is(result.data.spatialLayer, spatialLayer);
        } catch (error) {
          return !valid && error instanceof AppError && error.code === 'bad_request';
        }
      }),
    );
  });

  it('passes on no field of a join it does not know', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (extra) => {
        const result = validateRequest({ method: 'join', data: { ...extra, role: 'viewer', channel: 'chan' } });
        expect(result).toStrictEqual({ method: 'join', data: { role: 'viewer', channel: 'chan' } });
      }),
    );
  });

  it('passes on no field of a publisher join by session it does not know', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((key) => key !== 'streamKey'),
          fc.jsonValue(),
        ),
        (extra) => {
          const result = validateRequest({ method: 'join', data: { ...extra, role: 'publisher', channel: 'chan' } });
          expect(result).toStrictEqual({ method: 'join', data: { role: 'publisher', channel: 'chan' } });
        },
      ),
    );
  });
});
