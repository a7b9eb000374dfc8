// WebRTC parameters from the network (a browser's DTLS fingerprints, RTP parameters and
// capabilities), read field by field into mediasoup's own types. mediasoup checks their meaning
// (codecs it supports, payload types that match); this checks their shape, bounds their size so a
// hostile client can't hand the worker megabytes of JSON, and drops every field mediasoup does not
// read. After it, nothing downstream needs a cast.
import type { types as ms } from 'mediasoup';
import { BadRequestError } from '../common/errors.ts';

/** Far above what any browser or encoder sends, far below what would cost us. */
const MAX = { codecs: 64, headerExtensions: 32, encodings: 8, rtcpFeedback: 16, fingerprints: 8, text: 256 } as const;

type Json = Record<string, unknown>;

export function readDtlsParameters(value: unknown, field = 'dtlsParameters'): ms.DtlsParameters {
  const data = record(value, field);
  const role = optional(data, 'role', (v, f) => oneOf(v, f, ['auto', 'client', 'server'] as const), field);
  const fingerprints = list(data.fingerprints, `${field}.fingerprints`, MAX.fingerprints, (item, f) => {
    const fingerprint = record(item, f);
    return { algorithm: text(fingerprint.algorithm, `${f}.algorithm`), value: text(fingerprint.value, `${f}.value`) };
  });
  return { ...(role !== undefined && { role }), fingerprints };
}

export function readRtpParameters(value: unknown, field = 'rtpParameters'): ms.RtpParameters {
  const data = record(value, field);
  const mid = optional(data, 'mid', textOrEmpty, field);
  const headerExtensions = optional(
    data,
    'headerExtensions',
    (v, f) => list(v, f, MAX.headerExtensions, headerExtension),
    field,
  );
  const encodings = optional(data, 'encodings', (v, f) => list(v, f, MAX.encodings, encoding), field);
  const rtcp = optional(data, 'rtcp', rtcpParameters, field);
  return {
    ...(mid !== undefined && { mid }),
    codecs: list(data.codecs, `${field}.codecs`, MAX.codecs, codecParameters),
    ...(headerExtensions && { headerExtensions }),
    ...(encodings && { encodings }),
    ...(rtcp && { rtcp }),
  };
}

export function readRtpCapabilities(value: unknown, field = 'rtpCapabilities'): ms.RtpCapabilities {
  const data = record(value, field);
  const codecs = optional(data, 'codecs', (v, f) => list(v, f, MAX.codecs, codecCapability), field);
  const headerExtensions = optional(
    data,
    'headerExtensions',
    (v, f) => list(v, f, MAX.headerExtensions, headerExtensionCapability),
    field,
  );
  return { ...(codecs && { codecs }), ...(headerExtensions && { headerExtensions }) };
}

function codecParameters(value: unknown, field: string): ms.RtpCodecParameters {
  const data = record(value, field);
  const channels = optional(data, 'channels', integer, field);
  const rtcpFeedback = optional(data, 'rtcpFeedback', (v, f) => list(v, f, MAX.rtcpFeedback, feedback), field);
  const parameters = optional(data, 'parameters', codecFormat, field);
  return {
    mimeType: text(data.mimeType, `${field}.mimeType`),
    payloadType: integer(data.payloadType, `${field}.payloadType`),
    clockRate: integer(data.clockRate, `${field}.clockRate`),
    ...(channels !== undefined && { channels }),
    ...(parameters && { parameters }),
    ...(rtcpFeedback && { rtcpFeedback }),
  };
}

function codecCapability(value: unknown, field: string): ms.RtpCodecCapability {
  const data = record(value, field);
  const preferredPayloadType = optional(data, 'preferredPayloadType', integer, field);
  const channels = optional(data, 'channels', integer, field);
  const parameters = optional(data, 'parameters', codecFormat, field);
  const rtcpFeedback = optional(data, 'rtcpFeedback', (v, f) => list(v, f, MAX.rtcpFeedback, feedback), field);
  return {
    kind: oneOf(data.kind, `${field}.kind`, ['audio', 'video'] as const),
    mimeType: text(data.mimeType, `${field}.mimeType`),
    clockRate: integer(data.clockRate, `${field}.clockRate`),
    ...(preferredPayloadType !== undefined && { preferredPayloadType }),
    ...(channels !== undefined && { channels }),
    ...(parameters && { parameters }),
    ...(rtcpFeedback && { rtcpFeedback }),
  };
}

function headerExtension(value: unknown, field: string): ms.RtpHeaderExtensionParameters {
  const data = record(value, field);
  const encrypt = optional(data, 'encrypt', boolean, field);
  return {
    uri: text(data.uri, `${field}.uri`),
    id: integer(data.id, `${field}.id`),
    ...(encrypt !== undefined && { encrypt }),
  };
}

function headerExtensionCapability(value: unknown, field: string): ms.RtpHeaderExtension {
  const data = record(value, field);
  const kind = oneOf(data.kind, `${field}.kind`, ['audio', 'video'] as const);
  const direction = optional(
    data,
    'direction',
    (v, f) => oneOf(v, f, ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const),
    field,
  );
  const preferredEncrypt = optional(data, 'preferredEncrypt', boolean, field);
  return {
    kind,
    uri: text(data.uri, `${field}.uri`),
    preferredId: integer(data.preferredId, `${field}.preferredId`),
    ...(preferredEncrypt !== undefined && { preferredEncrypt }),
    ...(direction !== undefined && { direction }),
  };
}

function encoding(value: unknown, field: string): ms.RtpEncodingParameters {
  const data = record(value, field);
  const read: ms.RtpEncodingParameters = {};
  const ssrc = optional(data, 'ssrc', integer, field);
  const rid = optional(data, 'rid', textOrEmpty, field);
  const codecPayloadType = optional(data, 'codecPayloadType', integer, field);
  const rtx = optional(data, 'rtx', (v, f) => ({ ssrc: integer(record(v, f).ssrc, `${f}.ssrc`) }), field);
  const dtx = optional(data, 'dtx', boolean, field);
  const scalabilityMode = optional(data, 'scalabilityMode', textOrEmpty, field);
  const scaleResolutionDownBy = optional(data, 'scaleResolutionDownBy', number, field);
  const maxBitrate = optional(data, 'maxBitrate', number, field);
  if (ssrc !== undefined) read.ssrc = ssrc;
  if (rid !== undefined) read.rid = rid;
  if (codecPayloadType !== undefined) read.codecPayloadType = codecPayloadType;
  if (rtx !== undefined) read.rtx = rtx;
  if (dtx !== undefined) read.dtx = dtx;
  if (scalabilityMode !== undefined) read.scalabilityMode = scalabilityMode;
  if (scaleResolutionDownBy !== undefined) read.scaleResolutionDownBy = scaleResolutionDownBy;
  if (maxBitrate !== undefined) read.maxBitrate = maxBitrate;
  return read;
}

function rtcpParameters(value: unknown, field: string): ms.RtcpParameters {
  const data = record(value, field);
  const cname = optional(data, 'cname', textOrEmpty, field);
  const reducedSize = optional(data, 'reducedSize', boolean, field);
  const mux = optional(data, 'mux', boolean, field);
  return {
    ...(cname !== undefined && { cname }),
    ...(reducedSize !== undefined && { reducedSize }),
    ...(mux !== undefined && { mux }),
  };
}

function feedback(value: unknown, field: string): ms.RtcpFeedback {
  const data = record(value, field);
  const parameter = optional(data, 'parameter', (v, f) => text(v, f, true), field);
  return { type: text(data.type, `${field}.type`), ...(parameter !== undefined && { parameter }) };
}

/** A codec's format parameters (fmtp): flat names with string or number values. */
function codecFormat(value: unknown, field: string): Record<string, string | number> {
  const data = record(value, field);
  const entries = Object.entries(data);
  if (entries.length > MAX.rtcpFeedback) throw invalid(field, `at most ${MAX.rtcpFeedback} parameters`);
  return Object.fromEntries(
    entries.map(([name, v]) => {
      if (name.length > MAX.text) throw invalid(field, 'short parameter names');
      return [name, typeof v === 'number' ? number(v, `${field}.${name}`) : text(v, `${field}.${name}`, true)];
    }),
  );
}

function optional<T>(
  data: Json,
  key: string,
  read: (value: unknown, field: string) => T,
  parent: string,
): T | undefined {
  return data[key] === undefined ? undefined : read(data[key], `${parent}.${key}`);
}

function record(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'an object');
  return value as Json;
}

function list<T>(value: unknown, field: string, max: number, read: (item: unknown, field: string) => T): T[] {
  if (!Array.isArray(value) || value.length > max) throw invalid(field, `a list of at most ${max}`);
  return value.map((item, index) => read(item, `${field}[${index}]`));
}

function text(value: unknown, field: string, allowEmpty = false): string {
  if (typeof value !== 'string' || value.length > MAX.text || (!allowEmpty && value.length === 0)) {
    throw invalid(field, `a string of ${allowEmpty ? '0' : '1'} to ${MAX.text} characters`);
  }
  return value;
}

/** Optional identifiers a browser may send empty (libwebrtc's RTCP CNAME, a mid before negotiation). */
function textOrEmpty(value: unknown, field: string): string {
  return text(value, field, true);
}

function number(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'a number');
  return value;
}

function integer(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(field, 'a whole number');
  return value;
}

function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalid(field, 'true or false');
  return value;
}

function oneOf<const T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(field, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function invalid(field: string, expected: string): BadRequestError {
  return new BadRequestError(`'${field}' must be ${expected}.`);
}
