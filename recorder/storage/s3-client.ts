// The few S3 calls the recorder needs, signed with SigV4 by aws4fetch on Node's fetch: put (in
// parts past PART_BYTES, so a long VOD's MP4 never sits in memory whole), get, list and delete.
// Works with AWS S3 and the S3-compatible servers (MinIO, R2, Garage...). Every body we send
// carries its SHA-256 (signed) and MD5 (Content-MD5), so the server refuses a damaged upload.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { AwsClient } from 'aws4fetch';

export interface S3Options {
  bucket: string;
  /** http(s)://host[:port]; AWS's regional endpoint when the user gave none. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** https://endpoint/bucket/key instead of https://bucket.endpoint/key (MinIO, Garage). */
  forcePathStyle: boolean;
}

export interface S3Entry {
  key: string;
  size: number;
}

/** Headers S3 stores with an object and answers GETs with (so a CDN serves what we would). */
export interface ObjectMetadata {
  contentType: string;
  cacheControl: string;
  contentDisposition?: string | undefined;
}

function metadataHeaders(metadata: ObjectMetadata): Record<string, string> {
  return {
    'content-type': metadata.contentType,
    'cache-control': metadata.cacheControl,
    ...(metadata.contentDisposition ? { 'content-disposition': metadata.contentDisposition } : {}),
  };
}

/** Parts of a multipart upload: S3 wants at least 5 MiB each (but the last). */
export const PART_BYTES = 16 * 1024 * 1024;
const DELETE_BATCH = 1000;

/** What S3 answered, with a hint that names the setting to fix when it is a configuration mistake. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly operation: string,
  ) {
    super(`S3 ${operation} failed: ${status} ${code}${detail ? ` (${detail})` : ''}.${hintFor(code)}`);
    this.name = 'S3Error';
  }

  /** A mistake in the settings, not a passing failure: retrying won't help. */
  get isConfiguration(): boolean {
    return CONFIGURATION_CODES.has(this.code);
  }
}

const HINTS: Record<string, string> = {
  InvalidAccessKeyId: ' S3_ACCESS_KEY_ID is not known to the storage server.',
  SignatureDoesNotMatch: ' The storage server refused our signature: check S3_SECRET_ACCESS_KEY (and S3_REGION).',
  AuthorizationHeaderMalformed: ' Check S3_REGION: it must be the bucket\'s region ("auto" for R2).',
  NoSuchBucket: ' Create the bucket, or fix S3_BUCKET.',
  AccessDenied: ' The key needs s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket.',
  PermanentRedirect: ' The bucket is in another region or needs another endpoint: check S3_REGION and S3_ENDPOINT.',
};
const CONFIGURATION_CODES = new Set(Object.keys(HINTS));

function hintFor(code: string): string {
  return HINTS[code] ?? '';
}

export class S3Client {
  readonly #options: S3Options;
  readonly #aws: AwsClient;
  readonly #endpoint: URL;

  constructor(options: S3Options) {
    this.#options = options;
    this.#endpoint = new URL(options.endpoint);
    // aws4fetch retries 5xx and 429 itself; a few times is enough, the callers retry the rest.
    this.#aws = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      service: 's3',
      region: options.region,
      retries: 2,
      initRetryMs: 200,
    });
  }

  get bucket(): string {
    return this.#options.bucket;
  }

  /** Uploads a local file; resolves only once S3 has confirmed it holds exactly these bytes. */
  async putFile(key: string, file: string, metadata: ObjectMetadata): Promise<void> {
    const { size } = await fs.stat(file);
    const headers = metadataHeaders(metadata);
    if (size <= PART_BYTES) await this.#putBuffer(key, await fs.readFile(file), headers);
    else await this.#putMultipart(key, file, size, headers);
  }

  /**
   * GET of an object, or with `range` (a `Range` header value) part of it: 206, or 416 when none
   * of it exists; undefined when there is no such object.
   */
  async get(key: string, range?: string): Promise<Response | undefined> {
    const response = await this.#aws.fetch(this.#url(key), range ? { headers: { range } } : {});
    if (response.status === 416) return response;
    if (response.status === 404) {
      const error = await errorOf(response, 'GET');
      if (error.code === 'NoSuchKey') return undefined;
      throw error;
    }
    if (!response.ok) throw await errorOf(response, 'GET');
    return response;
  }

  /** An object's size in bytes; undefined when there is none. */
  async size(key: string): Promise<number | undefined> {
    const response = await this.#aws.fetch(this.#url(key), { method: 'HEAD' });
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new S3Error(response.status, String(response.status), `HEAD ${key} answered ${response.status}`, 'HEAD');
    return Number(response.headers.get('content-length') ?? 0);
  }

  /** Every object whose key starts with `prefix`. */
  async list(prefix: string): Promise<S3Entry[]> {
    const entries: S3Entry[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ 'list-type': '2', prefix });
      if (token) query.set('continuation-token', token);
      const response = await this.#aws.fetch(this.#url('', query));
      const xml = await response.text();
      if (!response.ok) throw errorFromXml(response.status, xml, 'LIST');
      for (const item of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = tag(item[1]!, 'Key');
        if (key !== undefined) entries.push({ key, size: Number(tag(item[1]!, 'Size') ?? 0) });
      }
      token = tag(xml, 'IsTruncated') === 'true' ? tag(xml, 'NextContinuationToken') : undefined;
    } while (token);
    return entries;
  }

  /** Deletes these objects (missing ones are no error, as in S3). */
  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const body = `<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${batch.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join('')}</Delete>`;
      const response = await this.#send('POST', this.#url('', new URLSearchParams({ delete: '' })), Buffer.from(body), {
        'content-type': 'application/xml',
      });
      const xml = await response.text();
      // A quiet multi-delete answers 200 and lists only the keys it could not delete.
      const failed = /<Error>([\s\S]*?)<\/Error>/.exec(xml);
      if (failed)
        throw new S3Error(
          response.status,
          tag(failed[1]!, 'Code') ?? 'Error',
          `${tag(failed[1]!, 'Key') ?? ''}: ${tag(failed[1]!, 'Message') ?? ''}`,
          'DELETE',
        );
    }
  }

  async #putBuffer(
    key: string,
    body: Buffer,
    headers: Record<string, string>,
    query?: URLSearchParams,
  ): Promise<string> {
    const response = await this.#send('PUT', this.#url(key, query), body, headers);
    await response.body?.cancel();
    const etag = response.headers.get('etag')?.replaceAll('"', '') ?? '';
    // A plain PUT's ETag is the MD5 of what S3 stored (unless the bucket encrypts with KMS, whose
    // ETags are opaque; Content-MD5 has made S3 check it then).
    const md5 = createHash('md5').update(body).digest('hex');
    if (/^[0-9a-f]{32}$/.test(etag) && etag !== md5)
      throw new S3Error(response.status, 'BadDigest', `stored ETag ${etag} is not our MD5 ${md5}`, 'PUT');
    return etag;
  }

  async #putMultipart(key: string, file: string, size: number, headers: Record<string, string>): Promise<void> {
    const started = await this.#send(
      'POST',
      this.#url(key, new URLSearchParams({ uploads: '' })),
      Buffer.alloc(0),
      headers,
    );
    const uploadId = tag(await started.text(), 'UploadId');
    if (!uploadId) throw new S3Error(started.status, 'NoUploadId', 'the server started no multipart upload', 'PUT');
    const handle = await fs.open(file);
    try {
      const parts: string[] = [];
      for (let offset = 0, number = 1; offset < size; offset += PART_BYTES, number++) {
        const chunk = Buffer.alloc(Math.min(PART_BYTES, size - offset));
        await handle.read(chunk, 0, chunk.length, offset);
        const etag = await this.#putBuffer(
          key,
          chunk,
          {},
          new URLSearchParams({ partNumber: String(number), uploadId }),
        );
        parts.push(`<Part><PartNumber>${number}</PartNumber><ETag>"${etag}"</ETag></Part>`);
      }
      const body = Buffer.from(`<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`);
      const done = await this.#send('POST', this.#url(key, new URLSearchParams({ uploadId })), body, {
        'content-type': 'application/xml',
      });
      // S3 may answer 200 and still report an error in the body.
      const xml = await done.text();
      if (xml.includes('<Error>')) throw errorFromXml(done.status, xml, 'PUT');
    } catch (error) {
      const aborted = await this.#aws
        .fetch(this.#url(key, new URLSearchParams({ uploadId })), { method: 'DELETE' })
        .catch(() => undefined);
      await aborted?.body?.cancel();
      throw error;
    } finally {
      await handle.close();
    }
  }

  /** A request whose body is signed (SHA-256) and checked by S3 (Content-MD5). */
  async #send(method: string, url: string, body: Buffer, headers: Record<string, string>): Promise<Response> {
    const response = await this.#aws.fetch(url, {
      method,
      body: new Uint8Array(body),
      headers: {
        ...headers,
        'content-md5': createHash('md5').update(body).digest('base64'),
        'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      },
    });
    if (!response.ok) throw await errorOf(response, method);
    return response;
  }

  #url(key: string, query?: URLSearchParams): string {
    const path = key.split('/').map(encodeURIComponent).join('/');
    const { protocol, host } = this.#endpoint;
    const base = this.#endpoint.pathname.replace(/\/$/, '');
    const url = this.#options.forcePathStyle
      ? `${protocol}//${host}${base}/${this.#options.bucket}${path ? `/${path}` : ''}`
      : `${protocol}//${this.#options.bucket}.${host}${base}/${path}`;
    // `uploads` and `delete` are bare flags in S3's query syntax.
    return query ? `${url}?${query.toString().replace(/=(&|$)/g, '$1')}` : url;
  }
}

async function errorOf(response: Response, operation: string): Promise<S3Error> {
  return errorFromXml(response.status, await response.text().catch(() => ''), operation);
}

function errorFromXml(status: number, xml: string, operation: string): S3Error {
  // A HEAD or a body-less error (some proxies) has no XML: name the status.
  return new S3Error(
    status,
    tag(xml, 'Code') ?? (status === 403 ? 'AccessDenied' : `HTTP${status}`),
    tag(xml, 'Message') ?? '',
    operation,
  );
}

function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match ? unescapeXml(match[1]!) : undefined;
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function unescapeXml(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}
