// Our SDP answer to a WHIP or WHEP offer: m-sections mirror the offer's, one per line, in order;
// those we take carry the mediasoup transport (ICE-lite, DTLS) and the RTP of a producer (WHIP,
// recvonly) or a consumer (WHEP, sendonly); the rest get port 0.
import { randomInt } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import * as sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { parseOfferSdp, type OfferSection } from './offer-sdp.ts';
import { bundleGroup, remoteDtlsRole, type MediaKind } from './offer-transport.ts';
import {
  formatFmtp,
  isRtx,
  readOfferedCodecs,
  readOfferedExtensions,
  sameCodec,
  type CodecParameters,
} from './rtp-offer.ts';
import { unsupportedMedia } from './sdp-errors.ts';
import { sortCandidates } from './trickle.ts';

export interface AnswerTransport {
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}

export interface AnswerMedia {
  mid: string;
  kind: MediaKind;
  /** A producer's parameters (WHIP) or a consumer's (WHEP). */
  rtpParameters: ms.RtpParameters;
  /** Our side: 'recvonly' for a producer, 'sendonly' for a consumer. */
  direction: 'recvonly' | 'sendonly';
}

type AnswerSection = MediaDescription & { mid?: string };

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
/** The id at which mediasoup 3.12 writes the consumer's mid into every packet (Producer::MangleRtpPacket). */
const MEDIASOUP_MID_ID = 1;

/**
 * Every Opus answer says stereo both ways (RFC 7587): `stereo=1` asks a sender for stereo (a
 * browser or OBS then encodes both channels of a stereo source; a mono one stays mono at no
 * cost), `sprop-stereo=1` lets a player decode and play both channels. Without them Chrome
 * downmixes music to mono at either end.
 */
const OPUS_STEREO: CodecParameters = { stereo: 1, 'sprop-stereo': 1 };

/**
 * The parameters with `maxaveragebitrate` on Opus (RFC 7587): in an answer to a WHIP encoder it is
 * the bitrate the encoder aims at (libwebrtc and OBS take it), how a DJ channel gets its music
 * bitrate from any encoder.
 */
export function withOpusBitrate(parameters: ms.RtpParameters, kbps: number): ms.RtpParameters {
  return {
    ...parameters,
    codecs: parameters.codecs.map((codec) =>
      codec.mimeType.toLowerCase() === 'audio/opus'
        ? { ...codec, parameters: { ...codec.parameters, maxaveragebitrate: kbps * 1000 } }
        : codec,
    ),
  };
}

/** RFC 8839: the default candidate goes in m= and c=; the first UDP one, as clients prefer it. */
function defaultAddress(candidates: readonly ms.IceCandidate[]): { ip: string; version: number; port: number } {
  const first = candidates[0];
  if (!first) return { ip: '0.0.0.0', version: 4, port: 9 };
  return { ip: first.ip, version: first.ip.includes(':') ? 6 : 4, port: first.port };
}

function rejected(section: OfferSection): AnswerSection {
  const answer: AnswerSection = {
    type: section.type,
    port: 0,
    protocol: section.protocol,
    payloads: String(section.media.payloads ?? ''),
    connection: { version: 4, ip: '0.0.0.0' },
    rtp: [],
    fmtp: [],
    direction: 'inactive',
  };
  if (section.mid !== undefined) answer.mid = section.mid;
  return answer;
}

/** a=msid must be a token; cnames (Chrome's contain '/' and '+') are not always one. */
function streamId(cname: string | undefined): string {
  const token = (cname ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 48);
  return token ? `aethex-${token}` : 'aethex';
}

function rtpLines(answer: AnswerSection, media: AnswerMedia, receiving: boolean): void {
  const { codecs, headerExtensions = [], encodings = [], rtcp } = media.rtpParameters;
  answer.payloads = codecs.map((codec) => codec.payloadType).join(' ');
  answer.rtcpFb = [];
  for (const codec of codecs) {
    const name = codec.mimeType.split('/')[1] ?? '';
    const rtp: (typeof answer.rtp)[number] = { payload: codec.payloadType, codec: name, rate: codec.clockRate };
    if ((codec.channels ?? 1) > 1) rtp.encoding = codec.channels!;
    answer.rtp.push(rtp);
    // sprop-* describe the sender's stream; a receiver repeating them would describe nothing.
    const parameters: CodecParameters = Object.fromEntries(
      Object.entries((codec.parameters ?? {}) as CodecParameters).filter(
        ([key]) => !(receiving && key.startsWith('sprop-')),
      ),
    );
    if (codec.mimeType.toLowerCase() === 'audio/opus') Object.assign(parameters, OPUS_STEREO);
    const config = formatFmtp(parameters);
    if (config) answer.fmtp.push({ payload: codec.payloadType, config });
    if (isRtx(codec)) continue;
    for (const fb of codec.rtcpFeedback ?? []) {
      const line: NonNullable<typeof answer.rtcpFb>[number] = { payload: codec.payloadType, type: fb.type };
      if (fb.parameter) line.subtype = fb.parameter;
      answer.rtcpFb.push(line);
    }
  }
  answer.ext = headerExtensions.map((ext) => ({ value: ext.id, uri: ext.uri }));

  if (receiving) {
    const rids = encodings.map((e) => e.rid).filter((rid): rid is string => rid !== undefined);
    if (rids.length > 0) {
      answer.rids = rids.map((id) => ({ id, direction: 'recv' }));
      answer.simulcast = { dir1: 'recv', list1: rids.join(';') };
    }
    return;
  }
  const stream = streamId(rtcp?.cname);
  const track = `${stream}-${media.kind}-${media.mid}`;
  answer.msid = [{ id: stream, appdata: track }];
  answer.ssrcs = [];
  answer.ssrcGroups = [];
  for (const encoding of encodings.slice(0, 1)) {
    const streams = encoding.rtx ? [encoding.ssrc, encoding.rtx.ssrc] : [encoding.ssrc];
    for (const ssrc of streams) {
      if (ssrc === undefined) continue;
      if (rtcp?.cname) answer.ssrcs.push({ id: ssrc, attribute: 'cname', value: rtcp.cname });
      answer.ssrcs.push({ id: ssrc, attribute: 'msid', value: `${stream} ${track}` });
    }
    if (encoding.ssrc !== undefined && encoding.rtx) {
      answer.ssrcGroups.push({ semantics: 'FID', ssrcs: `${encoding.ssrc} ${encoding.rtx.ssrc}` });
    }
  }
}

/**
 * A viewer decodes by the payload types and extension ids of its own offer; a consumer that sends
 * anything else produces packets the viewer drops. Refuse rather than answer with silence.
 */
function checkSendable(section: OfferSection, media: AnswerMedia): void {
  const accepted = { ...section, mid: media.mid, kind: media.kind };
  const offered = readOfferedCodecs(accepted);
  for (const codec of media.rtpParameters.codecs) {
    const twin = offered.find((o) => o.payloadType === codec.payloadType);
    const same =
      twin !== undefined &&
      (isRtx(codec) ? isRtx(twin) && twin.parameters.apt === codec.parameters?.apt : sameCodec(twin, codec));
    if (!same) {
      throw unsupportedMedia(
        `we would send ${codec.mimeType} as payload type ${codec.payloadType}, which the offer maps differently`,
        {
          mid: media.mid,
        },
      );
    }
  }
  const extensions = readOfferedExtensions(accepted);
  if (extensions.some((o) => o.id === MEDIASOUP_MID_ID && o.uri === MID_URI) && media.rtpParameters.mid !== media.mid) {
    throw new TypeError(
      `buildAnswer: consume m-section '${media.mid}' with { mid: '${media.mid}' }: this player reads the MID extension mediasoup writes, ` +
        `and would find '${media.rtpParameters.mid}'`,
    );
  }
  for (const ext of media.rtpParameters.headerExtensions ?? []) {
    if (!extensions.some((o) => o.id === ext.id && o.uri === ext.uri)) {
      throw unsupportedMedia(
        `we would send header extension ${ext.uri} as id ${ext.id}, which the offer maps differently`,
        {
          mid: media.mid,
        },
      );
    }
  }
}

function checkMedia(offerSections: readonly OfferSection[], media: readonly AnswerMedia[]): void {
  const seen = new Set<string>();
  for (const m of media) {
    const section = offerSections.find((s) => s.mid === m.mid);
    if (!section || section.type !== m.kind || seen.has(m.mid)) {
      throw new TypeError(`buildAnswer: media '${m.mid}' (${m.kind}) does not match one m-section of the offer`);
    }
    if (section.port === 0 && !section.bundleOnly)
      throw new TypeError(`buildAnswer: m-section '${m.mid}' is disabled in the offer`);
    if (m.direction === 'sendonly') checkSendable(section, m);
    seen.add(m.mid);
  }
}

export function buildAnswer(offerSdp: string, transport: AnswerTransport, media: AnswerMedia[]): string {
  const offer = parseOfferSdp(offerSdp);
  checkMedia(offer.sections, media);
  const byMid = new Map(media.map((m) => [m.mid, m]));
  const taken = offer.sections.filter((s) => s.mid !== undefined && byMid.has(s.mid));
  const group = bundleGroup(offer);
  const bundled = group.filter((mid) => byMid.has(mid));
  const tag = taken.find((s) => s.mid === bundled[0]) ?? taken[0];
  // We are the DTLS server unless the offerer insisted on being it (a=setup:passive).
  const setup = tag && remoteDtlsRole(offer, tag) === 'server' ? 'active' : 'passive';

  const candidates = sortCandidates(transport.iceCandidates);
  const address = defaultAddress(candidates);
  const sections = offer.sections.map((section): AnswerSection => {
    const m = section.mid === undefined ? undefined : byMid.get(section.mid);
    if (!m) return rejected(section);
    const answer: AnswerSection = {
      type: section.type,
      port: address.port,
      protocol: section.protocol,
      connection: { version: address.version, ip: address.ip },
      mid: m.mid,
      direction: m.direction,
      iceUfrag: transport.iceParameters.usernameFragment,
      icePwd: transport.iceParameters.password,
      setup,
      rtcpMux: 'rtcp-mux',
      rtp: [],
      fmtp: [],
      candidates: candidates.map((c) => ({
        foundation: c.foundation,
        component: 1,
        transport: c.protocol,
        priority: c.priority,
        ip: c.ip,
        port: c.port,
        type: c.type,
        ...(c.protocol === 'tcp' ? { tcptype: c.tcpType ?? 'passive' } : {}),
      })),
      endOfCandidates: 'end-of-candidates',
    };
    // RFC 5506: reduced-size RTCP only where the offer allows it (FFmpeg's audio does not).
    if (section.attributes.includes('rtcp-rsize')) answer.rtcpRsize = 'rtcp-rsize';
    if (section.attributes.includes('extmap-allow-mixed')) answer.extmapAllowMixed = 'extmap-allow-mixed';
    rtpLines(answer, m, m.direction === 'recvonly');
    return answer;
  });

  // One fingerprint: libwebrtc refuses a second at the same level ("Can't have multiple
  // fingerprint attributes"), and Pion refuses different ones at session and media level.
  const fingerprint =
    transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ??
    transport.dtlsParameters.fingerprints[0];
  if (!fingerprint) throw new TypeError('buildAnswer: the transport has no DTLS fingerprint');
  const description: SessionDescription = {
    version: 0,
    origin: {
      username: '-',
      sessionId: String(randomInt(1, 2 ** 47)),
      sessionVersion: 2,
      netType: 'IN',
      ipVer: 4,
      address: '127.0.0.1',
    },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    msidSemantic: { semantic: 'WMS', token: '*' },
    fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
    media: sections,
  };
  if (bundled.length > 0) description.groups = [{ type: 'BUNDLE', mids: bundled.join(' ') }];
  if (offer.sessionAttributes.includes('extmap-allow-mixed')) description.extmapAllowMixed = 'extmap-allow-mixed';

  const sdp = sdpTransform.write(description);
  assertParsesBack(sdp, sections);
  return sdp;
}

/** The answer must read back as what we meant to write; anything else is a bug here. */
function assertParsesBack(sdp: string, sections: readonly AnswerSection[]): void {
  const parsed = sdpTransform.parse(sdp);
  const same =
    parsed.media.length === sections.length &&
    parsed.media.every(
      (m, i) => String(m.mid ?? '') === String(sections[i]!.mid ?? '') && m.port === sections[i]!.port,
    );
  if (!same) throw new Error('buildAnswer produced SDP that does not parse back');
}
