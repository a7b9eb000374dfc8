// A WHIP publisher's offer (RFC 9725) turned into what mediasoup needs to receive it: the remote
// transport parameters for WebRtcTransport.connect() and one RtpParameters per m-section for
// transport.produce().
import type { types as ms } from 'mediasoup';
import { attributeValues, parseOfferSdp } from './offer-sdp.ts';
import { readOfferTransport, selectMedia, type AcceptedSection, type MediaKind } from './offer-transport.ts';
import { pickSendCodec, readOfferedCodecs, readOfferedExtensions, type OfferedExtension } from './rtp-offer.ts';
import { badSdp, unsupportedMedia } from './sdp-errors.ts';
import type { ParsedCandidate } from './trickle.ts';

export interface WhipOfferMedia {
  mid: string;
  kind: MediaKind;
  rtpParameters: ms.RtpParameters;
}

export interface ParsedWhipOffer {
  /** role 'client' for actpass/active offers (we answer passive), 'server' for passive ones. */
  remoteDtlsParameters: ms.DtlsParameters;
  iceUfrag: string;
  icePwd: string;
  /** At most one audio and one video, in offer order. */
  media: WhipOfferMedia[];
  candidates: ParsedCandidate[];
}

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
const RID = /^[A-Za-z0-9_-]{1,16}$/;
const MAX_SIMULCAST_LAYERS = 4;

/** Extensions the router receives for this kind, keeping the offer's ids. */
function acceptedExtensions(
  offered: readonly OfferedExtension[],
  routerExtensions: readonly ms.RtpHeaderExtension[],
  kind: MediaKind,
): ms.RtpHeaderExtensionParameters[] {
  return offered
    .filter((ext) => !ext.encrypted && ext.direction !== 'recvonly' && ext.direction !== 'inactive')
    .filter((ext) =>
      routerExtensions.some(
        (r) =>
          r.kind === kind &&
          r.uri === ext.uri &&
          (r.direction === undefined || r.direction === 'sendrecv' || r.direction === 'recvonly'),
      ),
    )
    .map((ext) => ({ uri: ext.uri, id: ext.id, encrypt: false, parameters: {} }));
}

/** RFC 8853: the rids of `a=simulcast:send`, first alternative of each stream, in send order. */
function simulcastRids(section: AcceptedSection): string[] | undefined {
  const lines = attributeValues(section.attributes, 'simulcast');
  if (lines.length === 0) return undefined;
  const simulcast = section.media.simulcast;
  if (lines.length > 1 || !simulcast) {
    throw unsupportedMedia(`m-section ${section.mid} has an a=simulcast we cannot read (RFC 8853 syntax only)`);
  }
  const list = simulcast.dir1 === 'send' ? simulcast.list1 : simulcast.dir2 === 'send' ? simulcast.list2 : undefined;
  if (list === undefined) return undefined;
  const rids = String(list)
    .split(';')
    .map((stream) => (stream.split(',')[0] ?? '').replace(/^~/, ''));
  const sendRids = new Set(
    attributeValues(section.attributes, 'rid')
      .map((value) => value.split(' '))
      .filter(([, direction]) => direction === 'send')
      .map(([id]) => id),
  );
  for (const rid of rids) {
    if (!RID.test(rid)) throw badSdp(`simulcast rid '${rid.slice(0, 20)}' is not 1 to 16 of [A-Za-z0-9_-]`);
    if (!sendRids.has(rid)) throw badSdp(`simulcast rid '${rid}' has no a=rid:${rid} send line`);
  }
  if (new Set(rids).size !== rids.length) throw badSdp(`m-section ${section.mid} lists a simulcast rid twice`);
  if (rids.length > MAX_SIMULCAST_LAYERS) throw unsupportedMedia(`more than ${MAX_SIMULCAST_LAYERS} simulcast layers`);
  return rids;
}

interface SsrcLines {
  /** SSRCs in order of first appearance. */
  ssrcs: number[];
  cnames: Map<number, string>;
  groups: { semantics: string; members: number[] }[];
}

function isSsrc(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 0xffffffff;
}

function readSsrcLines(section: AcceptedSection): SsrcLines {
  const ssrcs = new Set<number>();
  const cnames = new Map<number, string>();
  for (const line of section.media.ssrcs ?? []) {
    if (!isSsrc(line.id)) throw badSdp('a=ssrc is not a valid SSRC');
    ssrcs.add(line.id);
    if (line.attribute === 'cname' && line.value !== undefined && !cnames.has(line.id)) {
      cnames.set(line.id, String(line.value).slice(0, 255));
    }
  }
  const groups = (section.media.ssrcGroups ?? []).map((group) => {
    const members = String(group.ssrcs).split(' ').map(Number);
    const semantics = String(group.semantics);
    if (!members.every(isSsrc) || new Set(members).size !== members.length)
      throw badSdp('a=ssrc-group lists an invalid or repeated SSRC');
    if (semantics === 'FID' && members.length !== 2)
      throw badSdp('a=ssrc-group:FID must pair one SSRC with one RTX SSRC');
    return { semantics, members };
  });
  return { ssrcs: [...ssrcs], cnames, groups };
}

/** Encodings from a=ssrc and a=ssrc-group (FID for RTX, SIM for legacy simulcast). */
function ssrcEncodings(section: AcceptedSection, lines: SsrcLines, withRtx: boolean): ms.RtpEncodingParameters[] {
  const rtxOf = new Map<number, number>();
  const secondary = new Set<number>();
  for (const { semantics, members } of lines.groups) {
    if (semantics === 'SIM') continue;
    if (semantics === 'FID' && members.length === 2) rtxOf.set(members[0]!, members[1]!);
    // FID's RTX, FEC-FR's repair stream...: never a media stream of their own.
    for (const ssrc of members.slice(1)) secondary.add(ssrc);
  }
  const sim = lines.groups.find((group) => group.semantics === 'SIM');
  const primaries = sim ? sim.members : lines.ssrcs.filter((ssrc) => !secondary.has(ssrc));
  if (primaries.length > 1 && !sim) {
    throw unsupportedMedia(`m-section ${section.mid} has several SSRCs but no simulcast grouping to order them`);
  }
  if (primaries.length > MAX_SIMULCAST_LAYERS)
    throw unsupportedMedia(`more than ${MAX_SIMULCAST_LAYERS} simulcast layers`);
  return primaries.map((ssrc): ms.RtpEncodingParameters => {
    const rtx = rtxOf.get(ssrc);
    const encoding: ms.RtpEncodingParameters = withRtx && rtx !== undefined ? { ssrc, rtx: { ssrc: rtx } } : { ssrc };
    if (primaries.length > 1) encoding.scalabilityMode = 'L1T3';
    return encoding;
  });
}

function rtpParametersOf(section: AcceptedSection, router: ms.RtpCapabilities): ms.RtpParameters {
  const offered = readOfferedCodecs(section);
  const codecs = pickSendCodec(offered, router.codecs ?? [], section.kind);
  if (!codecs) {
    const names = [...new Set(offered.map((c) => c.mimeType))].slice(0, 12).join(', ') || 'none';
    throw unsupportedMedia(`no ${section.kind} codec in common: the offer has ${names}`, { mid: section.mid });
  }
  for (const codec of codecs) {
    // Our answer asks for stereo (stereo=1), so a stereo source arrives in stereo: say so to the
    // consumers, or mediasoup-client's players answer mono and the browser downmixes. An encoder
    // that declared its stream mono keeps its word.
    if (codec.mimeType.toLowerCase() === 'audio/opus' && codec.parameters?.['sprop-stereo'] === undefined)
      codec.parameters = { ...codec.parameters, 'sprop-stereo': 1 };
  }
  const headerExtensions = acceptedExtensions(
    readOfferedExtensions(section),
    router.headerExtensions ?? [],
    section.kind,
  );
  const has = (uri: string) => headerExtensions.some((ext) => ext.uri === uri);
  const ssrcLines = readSsrcLines(section);

  let encodings: ms.RtpEncodingParameters[];
  const rids = simulcastRids(section);
  if (rids) {
    // Firefox lists an SSRC per layer as well, but only the rids say which layer is which.
    if (!has(RID_URI))
      throw unsupportedMedia(`m-section ${section.mid} simulcasts by rid without the rtp-stream-id header extension`);
    // Chrome and Firefox send three temporal layers per simulcast stream unless told otherwise;
    // declaring one would make mediasoup drop two of them.
    encodings = rids.map((rid) => (rids.length > 1 ? { rid, scalabilityMode: 'L1T3' } : { rid }));
  } else if (ssrcLines.ssrcs.length > 0) {
    encodings = ssrcEncodings(section, ssrcLines, codecs.length > 1);
  } else if (has(MID_URI)) {
    // mediasoup routes packets with neither a signalled SSRC nor a rid by their MID extension.
    encodings = [{}];
  } else {
    throw unsupportedMedia(
      `m-section ${section.mid} signals no a=ssrc, no simulcast rid and no MID header extension: its packets could not be told apart`,
    );
  }

  const cname = ssrcLines.ssrcs.map((ssrc) => ssrcLines.cnames.get(ssrc)).find((c) => c !== undefined);
  const rtcp: ms.RtcpParameters = { reducedSize: true };
  if (cname !== undefined) rtcp.cname = cname;
  return { mid: section.mid, codecs, headerExtensions, encodings, rtcp };
}

export function parseWhipOffer(sdp: string, routerCapabilities: ms.RtpCapabilities): ParsedWhipOffer {
  const offer = parseOfferSdp(sdp);
  const { accepted, tag } = selectMedia(offer, 'send');
  for (const kind of ['audio', 'video'] as const) {
    if (accepted.filter((section) => section.kind === kind).length > 1)
      throw unsupportedMedia(`WHIP takes at most one ${kind} m-section`);
  }
  const transport = readOfferTransport(offer, tag);
  const media = accepted.map((section): WhipOfferMedia => ({
    mid: section.mid,
    kind: section.kind,
    rtpParameters: rtpParametersOf(section, routerCapabilities),
  }));
  checkSsrcsUnique(media);
  return {
    remoteDtlsParameters: transport.remoteDtlsParameters,
    iceUfrag: transport.iceUfrag,
    icePwd: transport.icePwd,
    media,
    candidates: transport.candidates,
  };
}

/** One RTP session, one meaning per SSRC (RFC 3550); mediasoup refuses a producer that reuses one. */
function checkSsrcsUnique(media: readonly WhipOfferMedia[]): void {
  const seen = new Set<number>();
  for (const encoding of media.flatMap((m) => m.rtpParameters.encodings ?? [])) {
    for (const ssrc of [encoding.ssrc, encoding.rtx?.ssrc]) {
      if (ssrc === undefined) continue;
      if (seen.has(ssrc)) throw badSdp(`SSRC ${ssrc} is signalled for more than one stream`);
      seen.add(ssrc);
    }
  }
}
