// What a master playlist must say of a rendition (RESOLUTION, CODECS), read from the fMP4 init
// segment FFmpeg wrote for it: a copied source's H.264 profile and size are whatever the publisher
// sent, and only the init segment knows them.

export interface InitSegmentInfo {
  /** RFC 6381 codec strings, video first: avc1.64001f, mp4a.40.2. */
  codecs: string[];
  width: number | undefined;
  height: number | undefined;
}

interface Box {
  type: string;
  /** Where the box's payload starts and ends in the buffer. */
  start: number;
  end: number;
}

/** The sample entries of every track (moov/trak/mdia/minf/stbl/stsd); undefined if `data` isn't an init segment. */
export function readInitSegment(data: Buffer): InitSegmentInfo | undefined {
  const moov = children(data, 0, data.length).find((box) => box.type === 'moov');
  if (!moov) return undefined;
  const entries = children(data, moov.start, moov.end)
    .filter((box) => box.type === 'trak')
    .flatMap((trak) => {
      const stsd = descend(data, trak, ['mdia', 'minf', 'stbl', 'stsd']);
      // stsd: version and flags, entry count, then the sample entries.
      return stsd ? children(data, stsd.start + 8, stsd.end) : [];
    });
  const info: InitSegmentInfo = { codecs: [], width: undefined, height: undefined };
  for (const entry of entries) {
    if (entry.type === 'avc1' || entry.type === 'avc3') {
      // A visual sample entry: 6 reserved bytes, data reference index, 16 bytes of zeros, then the
      // coded width and height; its own boxes start 78 bytes in.
      info.width = data.readUInt16BE(entry.start + 24);
      info.height = data.readUInt16BE(entry.start + 26);
      const avcC = children(data, entry.start + 78, entry.end).find((box) => box.type === 'avcC');
      // avcC: version, then profile, constraint flags and level, as the codec string spells them.
      if (avcC) info.codecs.unshift(`${entry.type}.${data.subarray(avcC.start + 1, avcC.start + 4).toString('hex')}`);
    } else if (entry.type === 'mp4a') {
      // The recorder's audio is always FFmpeg's own AAC encoder, which makes AAC-LC.
      info.codecs.push('mp4a.40.2');
    }
  }
  return info;
}

function descend(data: Buffer, from: Box, path: string[]): Box | undefined {
  let box: Box | undefined = from;
  for (const type of path) {
    box = box && children(data, box.start, box.end).find((child) => child.type === type);
  }
  return box;
}

/** The boxes laid end to end in [start, end); stops at the first one that doesn't fit. */
function children(data: Buffer, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = data.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = Number(data.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header || at + size > end) break;
    boxes.push({ type: data.toString('latin1', at + 4, at + 8), start: at + header, end: at + size });
    at += size;
  }
  return boxes;
}
