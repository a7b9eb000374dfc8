// The readers of WebRTC parameters: what a browser really sends passes unchanged, unknown fields
// are dropped, and anything else is a BadRequestError that names the field at fault.
import fc from 'fast-check';
import type { types as ms } from 'mediasoup';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../common/errors.ts';
import { readDtlsParameters, readRtpCapabilities, readRtpParameters } from './media-parameters.ts';

/** A Chrome camera producer's parameters as mediasoup-client sends them: VP8, three simulcast layers. */
const CHROME_CAMERA = {
  mid: '0',
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
      parameters: {},
      rtcpFeedback: [
        { type: 'goog-remb', parameter: '' },
        { type: 'transport-cc', parameter: '' },
        { type: 'nack', parameter: 'pli' },
      ],
    },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
  ],
  headerExtensions: [
    { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} },
    { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2, encrypt: false, parameters: {} },
  ],
  encodings: [
    { active: true, scaleResolutionDownBy: 4, maxBitrate: 150000, rid: 'r0', scalabilityMode: 'L1T3', dtx: false },
    { active: true, scaleResolutionDownBy: 2, maxBitrate: 500000, rid: 'r1', scalabilityMode: 'L1T3', dtx: false },
    { active: true, scaleResolutionDownBy: 1, maxBitrate: 1500000, rid: 'r2', scalabilityMode: 'L1T3', dtx: false },
  ],
  rtcp: { cname: 'hJ3Z8sDp', reducedSize: true },
};

/** What the server keeps of it: the same, less the fields mediasoup does not read. */
const KEPT: ms.RtpParameters = {
  ...CHROME_CAMERA,
  headerExtensions: CHROME_CAMERA.headerExtensions.map(({ uri, id, encrypt }) => ({ uri, id, encrypt })),
  encodings: CHROME_CAMERA.encodings.map(({ scaleResolutionDownBy, maxBitrate, rid, scalabilityMode, dtx }) => ({
    scaleResolutionDownBy,
    maxBitrate,
    rid,
    scalabilityMode,
    dtx,
  })),
};

const OPUS_CAPABILITIES: ms.RtpCapabilities = {
  codecs: [
    {
      kind: 'audio',
      mimeType: 'audio/opus',
      preferredPayloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: { minptime: 10, useinbandfec: 1 },
      rtcpFeedback: [{ type: 'transport-cc' }],
    },
  ],
  headerExtensions: [
    {
      kind: 'audio',
      uri: 'urn:ietf:params:rtp-hdrext:sdes:mid',
      preferredId: 1,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
  ],
};

describe('media parameters from the network', () => {
  it("keep what a browser sends and drop what mediasoup doesn't read", () => {
    expect(readRtpParameters(CHROME_CAMERA)).toEqual(KEPT);
    expect(readRtpCapabilities(OPUS_CAPABILITIES)).toEqual(OPUS_CAPABILITIES);
    const dtls = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }], extra: 'x' };
    expect(readDtlsParameters(dtls)).toEqual({
      role: 'client',
      fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }],
    });
  });

  it.each([
    ['codecs missing', { encodings: [] }, 'rtpParameters.codecs'],
    [
      'a payload type that is text',
      { codecs: [{ mimeType: 'video/VP8', payloadType: '96', clockRate: 90000 }] },
      'rtpParameters.codecs[0].payloadType',
    ],
    ['a negative clock rate', { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: -1 }] }, 'clockRate'],
    [
      'a thousand encodings',
      { codecs: [], encodings: Array.from({ length: 1000 }, () => ({})) },
      'rtpParameters.encodings',
    ],
    [
      'a nested fmtp parameter',
      { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: { a: { b: 1 } } }] },
      'parameters.a',
    ],
    [
      'a mime type of a megabyte',
      { codecs: [{ mimeType: 'x'.repeat(1 << 20), payloadType: 96, clockRate: 90000 }] },
      'mimeType',
    ],
  ])('refuse %s, naming the field', (_name, value, field) => {
    expect(() => readRtpParameters(value)).toThrow(BadRequestError);
    expect(() => readRtpParameters(value)).toThrow(field);
  });

  it('take the empty RTCP CNAME and mid a browser may send', () => {
    const params = { mid: '', codecs: CHROME_CAMERA.codecs, rtcp: { cname: '', reducedSize: true } };
    expect(readRtpParameters(params)).toEqual(params);
  });

  it('refuse a DTLS role that is not one', () => {
    expect(() => readDtlsParameters({ role: 'leader', fingerprints: [] })).toThrow(
      "'dtlsParameters.role' must be one of",
    );
  });

  it('answer any JSON with parameters or a BadRequestError, nothing else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const read of [readRtpParameters, readRtpCapabilities, readDtlsParameters]) {
          try {
            read(value);
          } catch (error) {
            expect(error).toBeInstanceOf(BadRequestError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
