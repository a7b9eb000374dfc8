// A real S3 HTTP server on loopback for tests: s3rver (file-backed) behind a front that checks
// what s3rver does not. s3rver accepts any SigV4 signature (and anonymous requests) and ignores
// Content-MD5; AWS, MinIO, R2 and Garage refuse those. So the front verifies every request's SigV4
// signature against the test credentials (written here from AWS's specification, independently of
// the client under test), the payload's SHA-256 and Content-MD5, and only then passes the request
// on to s3rver. Gaps that remain: no presigned (query) auth, no clock-skew window checks beyond
// 15 minutes, no bucket policies or CORS rules.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver ships no types; only these two calls are used.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface S3TestServer {
  /** http://127.0.0.1:<port> of the verifying front. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The S3_* settings that point the platform at this server. */
  env(): Record<string, string>;
  /** Requests the front refused, by S3 error code (to show a test was refused for the right reason). */
  refusals: string[];
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'recordings'): Promise<S3TestServer> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'aethex-s3-'));
  const backend = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port: backendPort } = await backend.run();
  const credentials = {
    accessKeyId: 'aethex-test',
    secretAccessKey: randomBytes(20).toString('hex'),
    region: 'us-east-1',
  };
  const refusals: string[] = [];

  const front = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const refused = verifyRequest(request, body, credentials);
      if (refused) {
        refusals.push(refused.code);
        response.writeHead(refused.status, { 'content-type': 'application/xml' });
        response.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refused.code}</Code><Message>${refused.message}</Message></Error>`,
        );
        return;
      }
      const headers = { ...request.headers, host: `127.0.0.1:${backendPort}`, 'content-length': String(body.length) };
      delete headers.authorization; // s3rver knows only its own account; the front has checked ours
      delete headers['transfer-encoding'];
      const forwarded = http.request(
        { host: '127.0.0.1', port: backendPort, method: request.method, path: request.url, headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', (error) => {
        response.writeHead(502);
        response.end(String(error));
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

  return {
    endpoint,
    bucket,
    region: credentials.region,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    refusals,
    env: () => ({
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: credentials.region,
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    }),
    close: async () => {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await backend.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

interface Refusal {
  status: number;
  code: string;
  message: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** SigV4 as AWS specifies it for S3 (header auth); undefined when the request may pass. */
function verifyRequest(
  request: http.IncomingMessage,
  body: Buffer,
  credentials: { accessKeyId: string; secretAccessKey: string; region: string },
): Refusal | undefined {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const match = AUTHORIZATION.exec(header('authorization') ?? '');
  if (!match) return { status: 403, code: 'AccessDenied', message: 'Anonymous or malformed requests are refused.' };
  const [, accessKeyId, date, region, signedHeaders, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (accessKeyId !== credentials.accessKeyId)
    return { status: 403, code: 'InvalidAccessKeyId', message: 'Unknown access key.' };
  if (region !== credentials.region)
    return {
      status: 400,
      code: 'AuthorizationHeaderMalformed',
      message: `The region '${region}' is wrong; expecting '${credentials.region}'.`,
    };
  const amzDate = header('x-amz-date') ?? '';
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!amzDate.startsWith(date) || !(Math.abs(Date.now() - signedAt) < 15 * 60_000))
    return { status: 403, code: 'RequestTimeTooSkewed', message: 'Bad x-amz-date.' };
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date') || !names.includes('x-amz-content-sha256'))
    return { status: 403, code: 'AccessDenied', message: 'host and x-amz-* headers must be signed.' };
  const payloadHash = header('x-amz-content-sha256') ?? '';
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body))
    return { status: 400, code: 'XAmzContentSHA256Mismatch', message: 'The body is not what was signed.' };
  const md5 = header('content-md5');
  if (md5 !== undefined && md5 !== createHash('md5').update(body).digest('base64'))
    return { status: 400, code: 'BadDigest', message: 'Content-MD5 does not match the body.' };

  const [pathname = '/', query = ''] = (request.url ?? '/').split('?', 2) as [string, string?];
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name = '', value = ''] = pair.split('=', 2);
      return [rfc3986(decodeURIComponent(name)), rfc3986(decodeURIComponent(value.replaceAll('+', ' ')))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = names
    .map((name) => `${name}:${(header(name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    pathname,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, 's3', 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  if (!timingSafeEqual(expected, Buffer.from(signature))) {
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  return undefined;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
