// HTTP byte ranges (RFC 9110 14.2) for recorded files: a player seeking in an MP4, and Safari,
// which plays a <video> only from a server that answers ranges. One range per request; a request
// for several is answered with the whole file, as RFC 9110 allows.

/** What `Range: bytes=...` asked for, before the file's size is known. */
export type RangeRequest = { start: number; end: number | undefined } | { suffix: number };

/** Inclusive byte positions within the file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The one range of a `Range` header; undefined when there is none, several, or it is malformed. */
export function parseRange(header: string | undefined): RangeRequest | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') return { suffix: Number(last) };
  const start = Number(first);
  const end = last === '' ? undefined : Number(last);
  if (end !== undefined && end < start) return undefined;
  return { start, end };
}

/** The range within a file of `size` bytes; 'unsatisfiable' when none of it is in the file. */
export function resolveRange(request: RangeRequest, size: number): ByteRange | 'unsatisfiable' {
  if ('suffix' in request) {
    if (request.suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - request.suffix), end: size - 1 };
  }
  if (request.start >= size) return 'unsatisfiable';
  return { start: request.start, end: Math.min(request.end ?? size - 1, size - 1) };
}

/** The `Range` header asking an S3 server for the same bytes. */
export function rangeHeader(request: RangeRequest): string {
  return 'suffix' in request ? `bytes=-${request.suffix}` : `bytes=${request.start}-${request.end ?? ''}`;
}

/** A `Content-Range` header as an S3 server answers it: `bytes a-b/size`, or for no bytes a star and the size. */
export function parseContentRange(header: string | null): { range: ByteRange | undefined; size: number } | undefined {
  const match = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const size = Number(match[3]);
  return { range: match[1] === undefined ? undefined : { start: Number(match[1]), end: Number(match[2]) }, size };
}
