// The first gate for an SDP offer: size, line syntax and the m-line grammar are checked before
// sdp-transform sees the text, so everything after can trust the shape of what it reads. Values
// are still checked where they are used: sdp-transform turns digit-only strings into numbers and
// leaves fields it could not match undefined.
import * as sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { badSdp, unsupportedMedia } from './sdp-errors.ts';
import { checkMid, sdpLines } from './trickle.ts';

/** More m-sections than any WHIP or WHEP client sends; the cap keeps work per offer small. */
export const MAX_MEDIA_SECTIONS = 16;

const M_LINE = /^m=(\w+) (\d{1,5}) ([\w/]+)(?: ([\x21-\x7e]+(?: [\x21-\x7e]+)*))?$/;

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface OfferSection {
  index: number;
  media: MediaDescription;
  /** Raw attribute lines of this m-section, without the `a=`. */
  attributes: string[];
  type: string;
  port: number;
  protocol: string;
  mid: string | undefined;
  bundleOnly: boolean;
  direction: Direction;
}

export interface OfferSdp {
  description: SessionDescription;
  /** Raw session-level attribute lines, without the `a=`. */
  sessionAttributes: string[];
  sections: OfferSection[];
}

/** The values of `a=<name>:<value>` lines, or '' for flag attributes `a=<name>`. */
export function attributeValues(attributes: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (const attribute of attributes) {
    if (attribute === name) values.push('');
    else if (attribute.startsWith(name) && attribute[name.length] === ':')
      values.push(attribute.slice(name.length + 1));
  }
  return values;
}

function direction(attributes: readonly string[]): Direction {
  let found: Direction | undefined;
  for (const attribute of attributes) {
    if (attribute === 'sendrecv' || attribute === 'sendonly' || attribute === 'recvonly' || attribute === 'inactive') {
      if (found !== undefined && found !== attribute)
        throw badSdp('an m-section has more than one direction attribute');
      found = attribute;
    }
  }
  return found ?? 'sendrecv';
}

export function parseOfferSdp(sdp: unknown): OfferSdp {
  const lines = sdpLines(sdp, 'SDP offer');
  if (lines[0] !== 'v=0') throw badSdp("an SDP offer must start with 'v=0'");

  const sessionAttributes: string[] = [];
  const sectionAttributes: string[][] = [];
  const sessionTypes = new Set<string>();
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (!M_LINE.test(line)) throw badSdp(`malformed m-line '${line.slice(0, 60)}'`);
      if (Number(line.split(' ')[1]) > 65535) throw badSdp('an m-line port is out of range');
      if (sectionAttributes.length === MAX_MEDIA_SECTIONS) {
        throw unsupportedMedia(`the offer has more than ${MAX_MEDIA_SECTIONS} m-sections`);
      }
      sectionAttributes.push([]);
    } else if (sectionAttributes.length === 0) {
      sessionTypes.add(line[0]!);
      if (line.startsWith('a=')) sessionAttributes.push(line.slice(2));
    } else if (line.startsWith('a=')) {
      sectionAttributes[sectionAttributes.length - 1]!.push(line.slice(2));
    }
  }
  for (const type of ['o', 's', 't']) {
    if (!sessionTypes.has(type)) throw badSdp(`the SDP offer has no '${type}=' line`);
  }

  let description: SessionDescription;
  try {
    description = sdpTransform.parse(lines.join('\r\n'));
  } catch {
    throw badSdp('the SDP offer cannot be parsed');
  }
  if (description.media.length !== sectionAttributes.length) throw badSdp('the SDP offer cannot be parsed');

  const mids = new Set<string>();
  const sections = description.media.map((media, index): OfferSection => {
    const attributes = sectionAttributes[index]!;
    const midValues = attributeValues(attributes, 'mid');
    if (midValues.length > 1) throw badSdp('an m-section has more than one a=mid');
    const mid = midValues[0] === undefined ? undefined : checkMid(midValues[0]);
    if (mid !== undefined) {
      if (mids.has(mid)) throw badSdp(`a=mid '${mid}' is used by more than one m-section`);
      mids.add(mid);
    }
    return {
      index,
      media,
      attributes,
      type: String(media.type),
      port: Number(media.port),
      protocol: String(media.protocol),
      mid,
      bundleOnly: attributes.includes('bundle-only'),
      direction: direction(attributes),
    };
  });
  return { description, sessionAttributes, sections };
}
