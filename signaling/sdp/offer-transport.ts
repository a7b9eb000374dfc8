// What an offer says about the one transport all its media share: which m-sections we take, the
// BUNDLE group, ICE credentials, DTLS fingerprints and role, and any candidates. Shared by WHIP
// and WHEP offers and by the answer, so the three agree on every rule.
import type { types as ms } from 'mediasoup';
import { attributeValues, type OfferSdp, type OfferSection } from './offer-sdp.ts';
import { badSdp, unsupportedMedia } from './sdp-errors.ts';
import { checkIcePwd, checkIceUfrag, parseCandidate, type ParsedCandidate } from './trickle.ts';

export type MediaKind = 'audio' | 'video';

/** An m-section we take: audio or video, enabled, going the right way, with a mid. */
export interface AcceptedSection extends OfferSection {
  mid: string;
  kind: MediaKind;
}

/** 'send': the remote sends (WHIP publisher); 'recv': the remote receives (WHEP viewer). */
export type RemoteIntent = 'send' | 'recv';

export interface OfferTransport {
  iceUfrag: string;
  icePwd: string;
  remoteDtlsParameters: ms.DtlsParameters;
  candidates: ParsedCandidate[];
}

/** Hash functions mediasoup verifies, with their digest sizes in bytes. */
const FINGERPRINT_BYTES: Record<string, number> = {
  'sha-1': 20,
  'sha-224': 28,
  'sha-256': 32,
  'sha-384': 48,
  'sha-512': 64,
};

function isWanted(section: OfferSection, intent: RemoteIntent): boolean {
  if (section.type !== 'audio' && section.type !== 'video') return false;
  // RFC 8843: port 0 with bundle-only is a bundled section, port 0 alone a disabled one.
  if (section.port === 0 && !section.bundleOnly) return false;
  if (section.direction === 'sendrecv') return true;
  return section.direction === (intent === 'send' ? 'sendonly' : 'recvonly');
}

/** The mids of the offer's first BUNDLE group (empty when it has none). */
export function bundleGroup(offer: OfferSdp): string[] {
  const group = offer.description.groups?.find((g) => String(g.type) === 'BUNDLE');
  return group
    ? String(group.mids ?? '')
        .split(' ')
        .filter((mid) => mid !== '')
    : [];
}

export interface MediaSelection {
  accepted: AcceptedSection[];
  /** The section whose ICE and DTLS attributes speak for the bundle (RFC 8843's tagged one). */
  tag: AcceptedSection;
}

/**
 * Picks the m-sections we take. Everything else (data channels, disabled or wrong-way sections)
 * is answered with port 0; an offer left with nothing we can take is refused.
 */
export function selectMedia(offer: OfferSdp, intent: RemoteIntent): MediaSelection {
  const accepted: AcceptedSection[] = [];
  for (const section of offer.sections) {
    if (!isWanted(section, intent)) continue;
    const label = `m-section ${section.index} (${section.type})`;
    if (section.mid === undefined) throw unsupportedMedia(`${label} has no a=mid, which BUNDLE needs`);
    if (!/^(UDP|TCP)(\/DTLS|\/TLS)\/RTP\/SAVPF?$/i.test(section.protocol)) {
      throw unsupportedMedia(
        `${label} uses ${section.protocol.slice(0, 40)}; only DTLS-SRTP (UDP/TLS/RTP/SAVPF) is supported`,
      );
    }
    if (!section.attributes.includes('rtcp-mux')) throw unsupportedMedia(`${label} does not offer a=rtcp-mux`);
    accepted.push({ ...section, mid: section.mid, kind: section.type as MediaKind });
  }
  if (accepted.length === 0) {
    throw unsupportedMedia(
      intent === 'send'
        ? 'the offer has no audio or video for us to receive'
        : 'the offer has no audio or video for us to send',
    );
  }
  const group = bundleGroup(offer);
  if (accepted.length > 1 && accepted.some((section) => !group.includes(section.mid))) {
    throw unsupportedMedia('all media must be in one a=group:BUNDLE');
  }
  const tag =
    group.map((mid) => accepted.find((section) => section.mid === mid)).find((section) => section) ?? accepted[0]!;
  return { accepted, tag };
}

/** A media-level attribute of the tagged section, else the session-level one (RFC 8839/8842). */
function transportAttribute(offer: OfferSdp, tag: OfferSection, name: string): string[] {
  const media = attributeValues(tag.attributes, name);
  return media.length > 0 ? media : attributeValues(offer.sessionAttributes, name);
}

function parseFingerprint(value: string): ms.DtlsFingerprint | undefined {
  const [algorithm, hash, extra] = value.split(' ');
  if (algorithm === undefined || hash === undefined || extra !== undefined)
    throw badSdp('a=fingerprint must read "<hash-function> <fingerprint>"');
  const bytes = FINGERPRINT_BYTES[algorithm.toLowerCase()];
  if (bytes === undefined) return undefined;
  if (hash.length !== bytes * 3 - 1 || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$/.test(hash)) {
    throw badSdp(`a=fingerprint is not a valid ${algorithm} fingerprint`);
  }
  // mediasoup compares against its own upper-case rendering, character for character.
  return { algorithm: algorithm.toLowerCase(), value: hash.toUpperCase() };
}

/**
 * The remote DTLS role. We answer passive (mediasoup is the DTLS server) unless the offerer
 * insists on being the server itself, as FFmpeg's WHIP muxer does with a=setup:passive.
 */
export function remoteDtlsRole(offer: OfferSdp, tag: OfferSection): 'client' | 'server' {
  const [setup, ...more] = transportAttribute(offer, tag, 'setup');
  if (more.length > 0) throw badSdp('more than one a=setup');
  switch (setup) {
    case undefined: // RFC 4145: absent means active
    case 'actpass':
    case 'active':
      return 'client';
    case 'passive':
      return 'server';
    case 'holdconn':
      throw unsupportedMedia('a=setup:holdconn: the offer does not want a DTLS connection');
    default:
      throw badSdp(`a=setup:${setup.slice(0, 20)} is not a DTLS setup role`);
  }
}

export function readOfferTransport(offer: OfferSdp, tag: OfferSection): OfferTransport {
  const ufrags = transportAttribute(offer, tag, 'ice-ufrag');
  const pwds = transportAttribute(offer, tag, 'ice-pwd');
  if (ufrags.length === 0 || pwds.length === 0)
    throw unsupportedMedia('the offer has no ICE credentials (a=ice-ufrag, a=ice-pwd)');
  if (ufrags.length > 1 || pwds.length > 1) throw badSdp('more than one a=ice-ufrag or a=ice-pwd');

  const offered = transportAttribute(offer, tag, 'fingerprint');
  if (offered.length === 0) throw unsupportedMedia('the offer has no DTLS fingerprint (a=fingerprint)');
  const fingerprints = offered.map(parseFingerprint).filter((f): f is ms.DtlsFingerprint => f !== undefined);
  if (fingerprints.length === 0)
    throw unsupportedMedia('the offer has no DTLS fingerprint with a hash function we support');
  // mediasoup checks only the first one: prefer the hash every WebRTC stack uses.
  fingerprints.sort((a, b) => Number(b.algorithm === 'sha-256') - Number(a.algorithm === 'sha-256'));

  const candidates = [
    ...attributeValues(offer.sessionAttributes, 'candidate').map((value) => parseCandidate(value)),
    ...offer.sections.flatMap((section) =>
      attributeValues(section.attributes, 'candidate').map((value) => parseCandidate(value, section.mid)),
    ),
  ];
  return {
    iceUfrag: checkIceUfrag(ufrags[0]!),
    icePwd: checkIcePwd(pwds[0]!),
    remoteDtlsParameters: { role: remoteDtlsRole(offer, tag), fingerprints },
    candidates,
  };
}
