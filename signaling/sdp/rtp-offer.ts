// The RTP an m-section offers, in mediasoup's terms: its codecs (with fmtp parameters, RTCP
// feedback and RTX) and its header extensions, plus the codec matching rules mediasoup applies in
// ortc.js (matchCodecs), so that what we pick is exactly what transport.produce() accepts.
import type { types as ms } from 'mediasoup';
import * as h264 from 'h264-profile-level-id';
import type { AcceptedSection, MediaKind } from './offer-transport.ts';
import { badSdp } from './sdp-errors.ts';

export type CodecParameters = Record<string, string | number>;

export interface OfferedCodec {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  /** Audio only; 1 when the rtpmap gives none. */
  channels?: number;
  parameters: CodecParameters;
  rtcpFeedback: ms.RtcpFeedback[];
}

export interface OfferedExtension {
  uri: string;
  id: number;
  /** Direction from the offerer's side; undefined means sendrecv. */
  direction?: string;
  encrypted: boolean;
}

const FMTP_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const CODEC_NAME = /^[A-Za-z0-9_.+-]{1,32}$/;
const EXT_URI = /^[\x21-\x7e]{1,256}$/;
const MAX_FEEDBACK_PER_CODEC = 32;
const MAX_FEEDBACK_LINES = 512;

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

export function isRtx(codec: { mimeType: string }): boolean {
  return codec.mimeType.toLowerCase().endsWith('/rtx');
}

/**
 * fmtp parameters as mediasoup wants them: digit-only values become numbers (apt and
 * packetization-mode must be), except profile-level-id, which is hex even when it has no letter.
 */
export function parseFmtp(config: string): CodecParameters {
  const parameters: CodecParameters = {};
  for (const part of config.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!FMTP_KEY.test(key) || key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    parameters[key] = key !== 'profile-level-id' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  }
  return parameters;
}

export function formatFmtp(parameters: CodecParameters | undefined): string {
  return Object.entries(parameters ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
}

/** The payload types of the m-line, in the offerer's order of preference. */
function payloadOrder(section: AcceptedSection): number[] {
  const formats = String(section.media.payloads ?? '')
    .split(' ')
    .filter((f) => f !== '');
  const seen = new Set<number>();
  for (const format of formats) {
    const pt = /^\d{1,3}$/.test(format) ? Number(format) : -1;
    if (pt < 0 || pt > 127)
      throw badSdp(`m-section ${section.mid} lists '${format.slice(0, 10)}', not an RTP payload type`);
    if (seen.has(pt)) throw badSdp(`m-section ${section.mid} lists payload type ${pt} twice`);
    seen.add(pt);
  }
  return [...seen];
}

/** Every codec the m-section offers with an a=rtpmap, in preference order. */
export function readOfferedCodecs(section: AcceptedSection): OfferedCodec[] {
  const order = payloadOrder(section);
  const listed = new Set(order);
  const kind = section.kind;
  const codecs = new Map<number, OfferedCodec>();
  for (const rtp of section.media.rtp ?? []) {
    if (!isInt(rtp.payload, 0, 127) || !listed.has(rtp.payload)) continue;
    if (codecs.has(rtp.payload))
      throw badSdp(`m-section ${section.mid} has two a=rtpmap for payload type ${rtp.payload}`);
    const name = String(rtp.codec);
    if (!CODEC_NAME.test(name)) throw badSdp(`m-section ${section.mid} has an invalid codec name in a=rtpmap`);
    if (!isInt(rtp.rate, 1, 1_000_000)) throw badSdp(`a=rtpmap:${rtp.payload} has no valid clock rate`);
    const codec: OfferedCodec = {
      mimeType: `${kind}/${name}`,
      payloadType: rtp.payload,
      clockRate: rtp.rate,
      parameters: {},
      rtcpFeedback: [],
    };
    if (kind === 'audio') {
      const channels = rtp.encoding ?? 1;
      if (!isInt(channels, 1, 255)) throw badSdp(`a=rtpmap:${rtp.payload} has an invalid channel count`);
      codec.channels = channels;
    }
    codecs.set(rtp.payload, codec);
  }
  for (const fmtp of section.media.fmtp ?? []) {
    const codec = isInt(fmtp.payload, 0, 127) ? codecs.get(fmtp.payload) : undefined;
    if (codec) Object.assign(codec.parameters, parseFmtp(String(fmtp.config ?? '')));
  }
  const feedbackSeen = new Map<number, Set<string>>();
  const nonRtx = [...codecs.values()].filter((c) => !isRtx(c));
  // Real offers carry a few per codec; past a few hundred lines it is noise, and work to refuse.
  for (const fb of (section.media.rtcpFb ?? []).slice(0, MAX_FEEDBACK_LINES)) {
    const feedback: ms.RtcpFeedback = { type: String(fb.type) };
    if (fb.subtype !== undefined && fb.subtype !== '') feedback.parameter = String(fb.subtype);
    if (!/^[\w-]{1,32}$/.test(feedback.type)) continue;
    const key = `${feedback.type} ${feedback.parameter ?? ''}`;
    const targets = String(fb.payload) === '*' ? nonRtx : [codecs.get(Number(fb.payload))];
    for (const codec of targets) {
      if (!codec) continue;
      const seen = feedbackSeen.get(codec.payloadType) ?? new Set<string>();
      feedbackSeen.set(codec.payloadType, seen);
      if (seen.has(key) || seen.size >= MAX_FEEDBACK_PER_CODEC) continue;
      seen.add(key);
      codec.rtcpFeedback.push(feedback);
    }
  }
  const ordered = order.map((pt) => codecs.get(pt)).filter((c): c is OfferedCodec => c !== undefined);
  // An RTX whose apt names no offered codec is useless; drop it rather than fail the offer.
  return ordered.filter(
    (codec) => !isRtx(codec) || (isInt(codec.parameters.apt, 0, 127) && codecs.has(codec.parameters.apt)),
  );
}

export function readOfferedExtensions(section: AcceptedSection): OfferedExtension[] {
  const extensions: OfferedExtension[] = [];
  for (const ext of section.media.ext ?? []) {
    // RFC 8285: 1-14 with one-byte headers, up to 255 with two-byte ones.
    if (!isInt(ext.value, 1, 255)) throw badSdp(`m-section ${section.mid} has an a=extmap id out of range`);
    const uri = String(ext.uri);
    if (!EXT_URI.test(uri)) throw badSdp(`m-section ${section.mid} has an a=extmap without a valid URI`);
    if (extensions.some((e) => e.id === ext.value))
      throw badSdp(`m-section ${section.mid} maps extension id ${ext.value} twice`);
    const extension: OfferedExtension = { uri, id: ext.value, encrypted: ext['encrypt-uri'] !== undefined };
    if (ext.direction !== undefined) extension.direction = String(ext.direction);
    extensions.push(extension);
  }
  return extensions;
}

interface Comparable {
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters?: CodecParameters;
}

/** mediasoup's matchCodecs({ strict: true }) from ortc.js: what produce() and consume() accept. */
export function sameCodec(a: Comparable, b: Comparable): boolean {
  const mimeType = a.mimeType.toLowerCase();
  if (mimeType !== b.mimeType.toLowerCase() || a.clockRate !== b.clockRate) return false;
  const kind = mimeType.split('/')[0];
  if (kind === 'audio' && (a.channels ?? 1) !== (b.channels ?? 1)) return false;
  const pa = a.parameters ?? {};
  const pb = b.parameters ?? {};
  switch (mimeType) {
    case 'audio/multiopus':
      return pa.num_streams === pb.num_streams && pa.coupled_streams === pb.coupled_streams;
    case 'video/h264':
    case 'video/h264-svc':
      if ((pa['packetization-mode'] || 0) !== (pb['packetization-mode'] || 0)) return false;
      if (!h264.isSameProfile(pa, pb)) return false;
      try {
        h264.generateProfileLevelIdForAnswer(pa, pb);
      } catch {
        return false;
      }
      return true;
    case 'video/vp9':
      return (pa['profile-id'] || 0) === (pb['profile-id'] || 0);
    default:
      return true;
  }
}

function sameFeedback(a: ms.RtcpFeedback, b: ms.RtcpFeedback): boolean {
  return a.type === b.type && (a.parameter ?? '') === (b.parameter ?? '');
}

/**
 * The codec a publisher will send: the first offered codec (the offerer's preference) that the
 * router supports, with the offer's payload type and parameters, and its RTX when both sides
 * have one. RTCP feedback is what both sides support.
 */
export function pickSendCodec(
  offered: readonly OfferedCodec[],
  routerCodecs: readonly ms.RtpCodecCapability[],
  kind: MediaKind,
): ms.RtpCodecParameters[] | undefined {
  for (const codec of offered) {
    if (isRtx(codec)) continue;
    const cap = routerCodecs.find((c) => c.kind === kind && !isRtx(c) && sameCodec(codec, c));
    if (!cap) continue;
    const media: ms.RtpCodecParameters = {
      mimeType: cap.mimeType,
      payloadType: codec.payloadType,
      clockRate: codec.clockRate,
      parameters: { ...codec.parameters },
      rtcpFeedback: codec.rtcpFeedback.filter((fb) => (cap.rtcpFeedback ?? []).some((c) => sameFeedback(c, fb))),
    };
    if (codec.channels !== undefined) media.channels = codec.channels;
    const rtx = offered.find((c) => isRtx(c) && c.parameters.apt === codec.payloadType);
    const routerRtx = routerCodecs.some((c) => isRtx(c) && c.parameters?.apt === cap.preferredPayloadType);
    if (!rtx || !routerRtx) return [media];
    const repair = {
      mimeType: `${kind}/rtx`,
      payloadType: rtx.payloadType,
      clockRate: rtx.clockRate,
      parameters: { apt: codec.payloadType },
    };
    return [media, { ...repair, rtcpFeedback: [] }];
  }
  return undefined;
}
