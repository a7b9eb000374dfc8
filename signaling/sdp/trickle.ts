// ICE in SDP: candidate lines (RFC 8839), credentials, and the application/trickle-ice-sdpfrag
// bodies of WHIP/WHEP PATCH requests (RFC 8840 as updated by RFC 9725). mediasoup is ICE-lite, so
// remote candidates are only ever informational; they are still validated, because a PATCH body
// is as hostile as any other input.
import type { types as ms } from 'mediasoup';
import { badSdp } from './sdp-errors.ts';

export interface ParsedCandidate {
  foundation: string;
  component: number;
  /** Lower-cased: 'udp', 'tcp', or another transport token. */
  transport: string;
  priority: number;
  /** An IP address, or a hostname such as an mDNS `.local` name. */
  ip: string;
  port: number;
  /** Lower-cased: 'host', 'srflx', 'prflx', 'relay'... */
  type: string;
  relatedAddress?: string;
  relatedPort?: number;
  tcpType?: 'active' | 'passive' | 'so';
  /** The a=mid of the m-section the candidate was listed in, when it had one. */
  mid?: string;
}

export interface TrickleFragment {
  iceUfrag?: string;
  icePwd?: string;
  candidates: ParsedCandidate[];
  endOfCandidates: boolean;
}

/** Both offers and fragments are refused above this size, before any parsing. */
export const MAX_SDP_BYTES = 64 * 1024;
/** The longest legitimate lines (H.265 fmtp with parameter sets) stay well under this. */
const MAX_LINE_LENGTH = 4096;
/** A browser offer with three m-sections and every candidate runs to a few hundred lines. */
const MAX_LINES = 2048;

const ICE_CHARS = /^[A-Za-z0-9+/]+$/;
const FOUNDATION = /^[A-Za-z0-9+/]{1,32}$/;
const TOKEN = /^[A-Za-z0-9_.!#$%&'*+^`{|}~-]{1,32}$/;
const ADDRESS = /^[A-Za-z0-9.:_-]{1,255}$/;
const DIGITS = /^\d{1,10}$/;
const MID = /^[A-Za-z0-9_.!#$%&'*+^`{|}~-]{1,16}$/;

/** RFC 8839: ice-ufrag is 4 to 256 ice-chars, ice-pwd 22 to 256. */
export function checkIceUfrag(value: string): string {
  if (value.length < 4 || value.length > 256 || !ICE_CHARS.test(value)) {
    throw badSdp('a=ice-ufrag must be 4 to 256 characters of [A-Za-z0-9+/]');
  }
  return value;
}

export function checkIcePwd(value: string): string {
  if (value.length < 22 || value.length > 256 || !ICE_CHARS.test(value)) {
    throw badSdp('a=ice-pwd must be 22 to 256 characters of [A-Za-z0-9+/]');
  }
  return value;
}

/** An a=mid value; 16 characters at most so that it fits the MID RTP header extension. */
export function checkMid(value: string): string {
  if (!MID.test(value)) throw badSdp(`a=mid '${value.slice(0, 40)}' is not a token of 1 to 16 characters`);
  return value;
}

function boundedInt(text: string | undefined, max: number, what: string): number {
  if (text === undefined || !DIGITS.test(text)) throw badSdp(`candidate ${what} is not a number`);
  const value = Number(text);
  if (value > max) throw badSdp(`candidate ${what} ${value} is out of range`);
  return value;
}

/** Parses the value of an a=candidate attribute (what follows `candidate:`). */
export function parseCandidate(value: string, mid?: string): ParsedCandidate {
  const tokens = value.trim().split(/ +/);
  const [foundation, component, transport, priority, ip, port, typ, type] = tokens;
  if (tokens.length < 8 || typ !== 'typ') {
    throw badSdp('a=candidate must read "<foundation> <component> <transport> <priority> <address> <port> typ <type>"');
  }
  if (!FOUNDATION.test(foundation ?? '')) throw badSdp('candidate foundation is invalid');
  if (!TOKEN.test(transport ?? '') || !TOKEN.test(type ?? '')) throw badSdp('candidate transport or type is invalid');
  if (!ADDRESS.test(ip ?? '')) throw badSdp('candidate address is invalid');
  const candidate: ParsedCandidate = {
    foundation: foundation!,
    component: boundedInt(component, 256, 'component'),
    transport: transport!.toLowerCase(),
    priority: boundedInt(priority, 0xffffffff, 'priority'),
    ip: ip!,
    port: boundedInt(port, 65535, 'port'),
    type: type!.toLowerCase(),
  };
  if (candidate.component < 1) throw badSdp('candidate component must be at least 1');
  // The rest are name/value pairs; unknown ones (generation, ufrag, network-id...) are ignored.
  for (let i = 8; i + 1 < tokens.length; i += 2) {
    const name = tokens[i];
    const attr = tokens[i + 1]!;
    if (name === 'raddr') {
      if (!ADDRESS.test(attr)) throw badSdp('candidate raddr is invalid');
      candidate.relatedAddress = attr;
    } else if (name === 'rport') {
      candidate.relatedPort = boundedInt(attr, 65535, 'rport');
    } else if (name === 'tcptype') {
      if (attr !== 'active' && attr !== 'passive' && attr !== 'so') throw badSdp('candidate tcptype is invalid');
      candidate.tcpType = attr;
    }
  }
  if (mid !== undefined) candidate.mid = mid;
  return candidate;
}

/** UDP first (naive clients such as FFmpeg take the first UDP host line), then by priority. */
export function sortCandidates(candidates: readonly ms.IceCandidate[]): ms.IceCandidate[] {
  return [...candidates].sort(
    (a, b) => Number(a.protocol !== 'udp') - Number(b.protocol !== 'udp') || b.priority - a.priority,
  );
}

/** mediasoup's candidates as a=candidate values. */
export function formatCandidates(candidates: readonly ms.IceCandidate[]): string[] {
  return sortCandidates(candidates).map((c) => {
    const base = `${c.foundation} 1 ${c.protocol} ${c.priority} ${c.ip} ${c.port} typ ${c.type}`;
    return c.protocol === 'tcp' ? `${base} tcptype ${c.tcpType ?? 'passive'}` : base;
  });
}

/** Splits SDP-ish text into lines, refusing anything that is not `<letter>=<value>`. */
export function sdpLines(text: unknown, what: string): string[] {
  if (typeof text !== 'string') throw badSdp(`the ${what} must be text`);
  if (text.length > MAX_SDP_BYTES || Buffer.byteLength(text, 'utf8') > MAX_SDP_BYTES) {
    throw badSdp(`the ${what} is larger than ${MAX_SDP_BYTES / 1024} KiB`);
  }
  const lines: string[] = [];
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trimEnd();
    if (line === '') continue;
    if (line.length > MAX_LINE_LENGTH) throw badSdp(`the ${what} has a line longer than ${MAX_LINE_LENGTH} characters`);
    if (line.length < 2 || line[1] !== '=' || line[0]! < 'a' || line[0]! > 'z') {
      throw badSdp(`the ${what} has a line that is not '<type>=<value>': '${line.slice(0, 40)}'`);
    }
    lines.push(line);
    if (lines.length > MAX_LINES) throw badSdp(`the ${what} has more than ${MAX_LINES} lines`);
  }
  return lines;
}

interface FragmentSection {
  mid?: string;
  candidates: string[];
}

/**
 * Parses a trickle-ice-sdpfrag body. Credentials may sit at session level (what whip-whep and
 * most clients send) or in the m-sections; the candidates take the mid of their m-section.
 */
export function parseTrickleFragment(fragment: string): TrickleFragment {
  const lines = sdpLines(fragment, 'ICE fragment');
  const sections: FragmentSection[] = [{ candidates: [] }];
  const ufrags = new Set<string>();
  const pwds = new Set<string>();
  let endOfCandidates = false;
  for (const line of lines) {
    const section = sections[sections.length - 1]!;
    if (line.startsWith('m=')) {
      sections.push({ candidates: [] });
    } else if (line.startsWith('a=mid:')) {
      section.mid = checkMid(line.slice(6));
    } else if (line.startsWith('a=ice-ufrag:')) {
      ufrags.add(checkIceUfrag(line.slice(12)));
    } else if (line.startsWith('a=ice-pwd:')) {
      pwds.add(checkIcePwd(line.slice(10)));
    } else if (line.startsWith('a=candidate:')) {
      section.candidates.push(line.slice(12));
    } else if (line === 'a=end-of-candidates') {
      endOfCandidates = true;
    }
  }
  if (ufrags.size > 1 || pwds.size > 1) throw badSdp('the ICE fragment carries more than one set of ICE credentials');
  const result: TrickleFragment = {
    candidates: sections.flatMap((s) => s.candidates.map((c) => parseCandidate(c, s.mid))),
    endOfCandidates,
  };
  const [ufrag] = ufrags;
  const [pwd] = pwds;
  if (ufrag !== undefined) result.iceUfrag = ufrag;
  if (pwd !== undefined) result.icePwd = pwd;
  return result;
}

/**
 * The 200 body answering an ICE-restart PATCH (RFC 9725 section 4.4.1): our new credentials and
 * candidates. Pass the first bundled m-section of the session so the candidates sit in an
 * m-section with its mid, as RFC 8840 wants; without it they are written at session level, which
 * clients that pick the lines out by pattern (whip-whep, OBS, FFmpeg) read the same way.
 */
export function buildIceRestartFragment(
  iceParameters: ms.IceParameters,
  candidates: ms.IceCandidate[],
  bundleTag?: { mid: string; kind: 'audio' | 'video' },
): string {
  const lines = ['a=ice-lite', `a=ice-ufrag:${iceParameters.usernameFragment}`, `a=ice-pwd:${iceParameters.password}`];
  if (bundleTag) {
    lines.push(
      `a=group:BUNDLE ${bundleTag.mid}`,
      `m=${bundleTag.kind} 9 UDP/TLS/RTP/SAVPF 0`,
      `a=mid:${bundleTag.mid}`,
    );
  }
  for (const candidate of formatCandidates(candidates)) lines.push(`a=candidate:${candidate}`);
  lines.push('a=end-of-candidates');
  return `${lines.join('\r\n')}\r\n`;
}
