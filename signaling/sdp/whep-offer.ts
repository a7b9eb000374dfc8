// A WHEP viewer's offer turned into what mediasoup needs to send to it: the remote transport
// parameters and the viewer's receive capabilities in the form router.canConsume() and
// transport.consume() take.
//
// A viewer reads packets by the payload types of its own offer (RFC 3264 section 6.1), while a
// mediasoup 3.12 consumer sends its router's payload types and cannot remap them per consumer
// (versatica/mediasoup#1126). So a consumer is only useful when its router's payload type for a
// codec is the one the viewer offered: mediaCodecsForViewer builds such a router, and
// parseWhepOffer, given that router's capabilities, keeps only what it sends as offered.
//
// Header extensions: mediasoup writes its own fixed ids into every packet it forwards (mid=1,
// abs-send-time=4, transport-cc=5, audio-level=10, video-orientation=11, toffset=12,
// abs-capture-time=13: Producer::MangleRtpPacket), negotiated or not. A receiver interprets only
// the ids the answer negotiates, and the answer lists only the consumer's extensions, which keep
// just those the viewer offered at mediasoup's id for the same URI. A default libwebrtc player
// offers MID as id 4, where mediasoup writes abs-send-time: MID is then left out of the answer,
// the player ignores id 4, and it demultiplexes by the answer's a=ssrc lines instead.
import type { types as ms } from 'mediasoup';
import { parseOfferSdp } from './offer-sdp.ts';
import { readOfferTransport, selectMedia, type MediaKind } from './offer-transport.ts';
import { isRtx, readOfferedCodecs, readOfferedExtensions, sameCodec } from './rtp-offer.ts';
import type { ParsedCandidate } from './trickle.ts';

export interface ParsedWhepOffer {
  remoteDtlsParameters: ms.DtlsParameters;
  iceUfrag: string;
  icePwd: string;
  /**
   * What the viewer can receive, in mediasoup's form, for router.canConsume / transport.consume.
   * Payload types and extension ids are the offer's. Without routerCapabilities this is the raw
   * offer, which mediasoup matches by codec regardless of payload type.
   */
  rtpCapabilities: ms.RtpCapabilities;
  /**
   * The m-sections to fill with a consumer each, in offer order. Pass the mid to
   * transport.consume({ mid }): mediasoup writes it into every packet's MID extension.
   */
  media: { mid: string; kind: MediaKind }[];
  candidates: ParsedCandidate[];
  /**
   * With routerCapabilities: m-sections that router cannot serve, and why. Their kind is left out
   * of rtpCapabilities, so router.canConsume() is false for it.
   */
  problems: { mid: string; kind: MediaKind; reason: string }[];
}

interface Offered extends Omit<ParsedWhepOffer, 'rtpCapabilities' | 'problems'> {
  rtpCapabilities: Required<ms.RtpCapabilities>;
}

function offeredCapabilities(sdp: string): Offered {
  const offer = parseOfferSdp(sdp);
  const { accepted, tag } = selectMedia(offer, 'recv');
  const transport = readOfferTransport(offer, tag);

  const codecs: ms.RtpCodecCapability[] = [];
  const headerExtensions: ms.RtpHeaderExtension[] = [];
  for (const section of accepted) {
    for (const codec of readOfferedCodecs(section)) {
      if (codecs.some((c) => c.kind === section.kind && c.preferredPayloadType === codec.payloadType)) continue;
      const capability: ms.RtpCodecCapability = {
        kind: section.kind,
        mimeType: codec.mimeType,
        preferredPayloadType: codec.payloadType,
        clockRate: codec.clockRate,
        parameters: codec.parameters,
        rtcpFeedback: codec.rtcpFeedback,
      };
      if (codec.channels !== undefined) capability.channels = codec.channels;
      codecs.push(capability);
    }
    for (const ext of readOfferedExtensions(section)) {
      // The offerer's 'sendonly' extension is one it will not receive.
      if (ext.encrypted || ext.direction === 'sendonly' || ext.direction === 'inactive') continue;
      if (headerExtensions.some((h) => h.kind === section.kind && h.preferredId === ext.id)) continue;
      headerExtensions.push({
        kind: section.kind,
        uri: ext.uri,
        preferredId: ext.id,
        preferredEncrypt: false,
        direction: 'sendrecv',
      });
    }
  }
  return {
    remoteDtlsParameters: transport.remoteDtlsParameters,
    iceUfrag: transport.iceUfrag,
    icePwd: transport.icePwd,
    rtpCapabilities: { codecs, headerExtensions },
    media: accepted.map((section) => ({ mid: section.mid, kind: section.kind })),
    candidates: transport.candidates,
  };
}

/** Why this router cannot serve the m-section, if it cannot. */
function problemOf(kind: MediaKind, codecs: readonly ms.RtpCodecCapability[]): string | undefined {
  if (!codecs.some((c) => c.kind === kind && !isRtx(c))) {
    return `no ${kind} codec the router sends with the payload type the viewer offered for it`;
  }
  return undefined;
}

/** Offered codecs the router sends with the same payload type, RTX only when its PT and apt line up too. */
function sendable(
  offered: readonly ms.RtpCodecCapability[],
  router: readonly ms.RtpCodecCapability[],
): ms.RtpCodecCapability[] {
  const media = offered.filter(
    (o) =>
      !isRtx(o) &&
      router.some(
        (r) => r.kind === o.kind && !isRtx(r) && r.preferredPayloadType === o.preferredPayloadType && sameCodec(o, r),
      ),
  );
  const rtx = offered.filter(
    (o) =>
      isRtx(o) &&
      media.some((m) => m.kind === o.kind && m.preferredPayloadType === o.parameters?.apt) &&
      router.some(
        (r) =>
          r.kind === o.kind &&
          isRtx(r) &&
          r.preferredPayloadType === o.preferredPayloadType &&
          r.parameters?.apt === o.parameters?.apt,
      ),
  );
  // mediasoup matches RTX loosely (ortc matchCodecs ignores payload type and apt), so one lined-up
  // RTX would let a consumer of another codec send its own RTX at a number the viewer maps to
  // something else. Keep a kind's RTX only if every codec of that kind has its RTX lined up.
  const lined = (kind: ms.MediaKind) =>
    media
      .filter((m) => m.kind === kind)
      .every(
        (m) =>
          !router.some((r) => r.kind === kind && isRtx(r) && r.parameters?.apt === m.preferredPayloadType) ||
          rtx.some((r) => r.kind === kind && r.parameters?.apt === m.preferredPayloadType),
      );
  return [...media, ...rtx.filter((r) => lined(r.kind))];
}

/**
 * Parses a viewer's offer. With routerCapabilities, rtpCapabilities keeps only the codecs and
 * header extensions that router sends exactly as the viewer offered them, so router.canConsume()
 * is false, rather than the viewer receiving undecodable packets, when the payload types differ.
 */
export function parseWhepOffer(sdp: string, routerCapabilities?: ms.RtpCapabilities): ParsedWhepOffer {
  const parsed = offeredCapabilities(sdp);
  if (!routerCapabilities) return { ...parsed, problems: [] };
  const routerExtensions = routerCapabilities.headerExtensions ?? [];
  const codecs = sendable(parsed.rtpCapabilities.codecs, routerCapabilities.codecs ?? []);
  const problems: ParsedWhepOffer['problems'] = [];
  for (const { mid, kind } of parsed.media) {
    const reason = problemOf(kind, codecs);
    if (reason) problems.push({ mid, kind, reason });
  }
  const unusable = new Set(problems.map((p) => p.kind));
  return {
    ...parsed,
    rtpCapabilities: {
      codecs: codecs.filter((c) => !unusable.has(c.kind)),
      headerExtensions: parsed.rtpCapabilities.headerExtensions.filter(
        (h) =>
          !unusable.has(h.kind) &&
          routerExtensions.some((r) => r.kind === h.kind && r.uri === h.uri && r.preferredId === h.preferredId),
      ),
    },
    problems,
  };
}

/**
 * The router media codecs (for worker.createRouter) that make a router send with this viewer's
 * payload types: each of `mediaCodecs` the viewer can receive, with the viewer's payload type as
 * preferredPayloadType. mediasoup numbers RTX itself from its dynamic range, so a codec whose
 * payload type that numbering has already taken is left out rather than making createRouter throw.
 */
export function mediaCodecsForViewer(
  offer: ParsedWhepOffer,
  mediaCodecs: readonly ms.RtpCodecCapability[],
): ms.RtpCodecCapability[] {
  // mediasoup's ortc.js hands out RTX payload types in this order.
  const dynamic = [...Array.from({ length: 28 }, (_, i) => 100 + i), 96, 97, 98, 99];
  const used = new Set<number>();
  const result: ms.RtpCodecCapability[] = [];
  for (const codec of mediaCodecs) {
    const match = (offer.rtpCapabilities.codecs ?? []).find(
      (o) => o.kind === codec.kind && !isRtx(o) && sameCodec(o, codec),
    );
    const pt = match?.preferredPayloadType;
    if (pt === undefined || used.has(pt)) continue;
    used.add(pt);
    result.push({ ...codec, preferredPayloadType: pt });
    if (codec.kind === 'video') {
      const rtx = dynamic.find((p) => !used.has(p));
      if (rtx === undefined) break;
      used.add(rtx);
    }
  }
  return result;
}
