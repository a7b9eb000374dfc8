// One typed configuration, read from the environment once at boot and passed to whoever needs it.
// Every variable has a safe default; a bad value stops the start with a message that says what to
// fix. `.env.example` documents each variable; config.test.ts checks that the two agree.
import os from 'node:os';
import path from 'node:path';

export const ALL_ROLES = ['api', 'signaling', 'sfu', 'recorder', 'web'] as const;
export type Role = (typeof ALL_ROLES)[number];

export interface Config {
  /** Which parts of the platform this process runs (ROLES or --roles=). All by default. */
  roles: ReadonlySet<Role>;
  /** development | production | test: only changes log formatting and error detail. */
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    /** The address users reach us at; used in links we hand out (WHIP URL, share links). */
    publicUrl: string;
    /** HTTPS when both are set (see `npm run certs`). */
    tlsCertFile: string | undefined;
    tlsKeyFile: string | undefined;
    /**
     * Which X-Forwarded-* hops to believe (Fastify's trustProxy): false, a number of proxies in
     * front of us, or the proxies' addresses/CIDRs. The client address they give is what rate
     * limits and viewer counts go by, so trusting more hops than there are proxies lets a client
     * name its own address.
     */
    trustProxy: false | number | string[];
  };
  /** Holds the embedded database, recordings and the admin socket. */
  dataDir: string;
  database: {
    /** PostgreSQL URL; undefined selects the embedded PGlite database in dataDir. */
    url: string | undefined;
  };
  redis: {
    /** undefined selects in-process pub/sub (one process only). */
    url: string | undefined;
  };
  media: {
    /** mediasoup workers; one per core by default. */
    workers: number;
    /** Local IP the WebRTC servers bind to. */
    listenIp: string;
    /** Address put in ICE candidates; set it to the public IP behind NAT. */
    announcedAddress: string | undefined;
    /** First UDP/TCP port: worker i listens on rtcPort + i; 0 picks free ports (tests). */
    rtcPort: number;
    /** Port range for PlainTransports (recorder) and pipe transports between workers. */
    rtcMinPort: number;
    rtcMaxPort: number;
    /** mediasoup worker log level. */
    workerLogLevel: 'debug' | 'warn' | 'error' | 'none';
    /** Past this many consumers on a router, a stream spreads to a router on another worker. */
    consumersPerRouter: number;
    /** Minimum gap between keyframe requests forwarded to a publisher (joining viewers ask for one). */
    keyFrameRequestDelayMs: number;
    /** STUN/TURN URLs offered to WHIP/WHEP clients (Link headers). */
    iceServers: string[];
  };
  streams: {
    /** How long a publisher may be gone (network blip, media restart) before its stream ends. */
    endGraceMs: number;
    /**
     * A second publisher of a live channel (with a valid key or the owner's session): 'replace' ends
     * the first and carries the same stream on, so a crashed encoder can reconnect at once;
     * 'refuse' answers 409 until the first one ends or is noticed gone.
     */
    publisherTakeover: 'replace' | 'refuse';
    /**
     * WebRTC viewers one stream takes before further viewers are told to watch over HLS (the
     * player switches by itself); 0: no limit but the machine's. A channel can set its own.
     */
    webrtcSeatsPerStream: number;
    /**
     * Channels live at once on this server (each costs a recorder FFmpeg: about 0.3 core when it
     * transcodes); a publisher of one more gets 503 with Retry-After. 0: no limit.
     */
    maxLiveStreams: number;
  };
  recorder: {
    /** Where live HLS and VODs are written (one folder per stream). */
    recordingsDir: string;
    /** Target HLS segment length; the recorder asks for a keyframe this often. */
    segmentSeconds: number;
    ffmpegPath: string;
    /** VODs older than this many days are deleted; 0 keeps them forever. */
    retentionDays: number;
    /** The oldest VODs are deleted while recordings take more than this; 0 means no limit. */
    maxStorageBytes: number;
    /** How often the limits above are applied (also once at start), in seconds. */
    retentionCheckSeconds: number;
    /** Heights of the lower HLS renditions encoded beside the source, tallest first; empty: the source only. */
    renditions: number[];
    /** Finished VODs and clips go to this S3-compatible bucket; undefined keeps them in recordingsDir. */
    s3: S3Config | undefined;
    /** Live clips, and VOD clips, one client address may make per minute (each runs FFmpeg). */
    clipsPerMinute: number;
  };
  auth: {
    /** Sign-up, log-in and password-change attempts allowed per client address per minute. */
    attemptsPerMinute: number;
    /** Send the session cookie with `Secure`; 'auto' does so on HTTPS and on loopback addresses. */
    secureCookie: 'auto' | boolean;
  };
  channels: {
    /** How many channels one account may own (administrators may own more): MAX_CHANNELS_PER_USER. */
    maxPerUser: number;
  };
  webinars: {
    /** How many people may be on a webinar's stage at once, each with camera, microphone and screen. */
    maxStage: number;
  };
  uploads: {
    /** Where channel avatars, banners and emotes are stored. */
    dir: string;
  };
  web: {
    /** The built web app to serve; undefined serves web/dist. */
    distDir: string | undefined;
    /** Serve the build's source maps (.map): off unless asked, since they show the app's source to anyone. */
    sourceMaps: boolean;
  };
  log: {
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
    /** Human-readable logs instead of JSON lines. */
    pretty: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws ConfigError listing every problem at once. */
export function loadConfig(env: Env = process.env, argv: readonly string[] = process.argv.slice(2)): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const nodeEnv = read.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const host = read.string('HOST', '127.0.0.1');
  const port = read.integer('PORT', 8080, 0, 65535);
  const tlsCertFile = read.optionalString('TLS_CERT');
  const tlsKeyFile = read.optionalString('TLS_KEY');
  if (Boolean(tlsCertFile) !== Boolean(tlsKeyFile)) {
    problems.push('TLS_CERT and TLS_KEY go together: set both (see `npm run certs`) or neither.');
  }
  const scheme = tlsCertFile ? 'https' : 'http';
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const publicUrl = read.url('PUBLIC_URL', `${scheme}://${displayHost}:${port}`, ['http:', 'https:']);

  const databaseUrl = read.optionalUrl('DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = read.optionalUrl('REDIS_URL', ['redis:', 'rediss:']);

  const rtcMinPort = read.integer('RTC_MIN_PORT', 40000, 1024, 65535);
  const rtcMaxPort = read.integer('RTC_MAX_PORT', 44399, 1024, 65535);
  if (rtcMinPort > rtcMaxPort)
    problems.push(`RTC_MIN_PORT (${rtcMinPort}) must not exceed RTC_MAX_PORT (${rtcMaxPort}).`);
  const workers = read.integer('MEDIA_WORKERS', os.availableParallelism(), 1, 256);
  const rtcPort = read.integer('RTC_PORT', 44400, 0, 65535 - workers);
  if (rtcPort !== 0 && rtcPort <= rtcMaxPort && rtcPort + workers - 1 >= rtcMinPort) {
    problems.push(
      `RTC_PORT..RTC_PORT+MEDIA_WORKERS-1 (${rtcPort}-${rtcPort + workers - 1}) overlaps RTC_MIN_PORT..RTC_MAX_PORT; move one of them.`,
    );
  }

  const roles = parseRoles(argv.find((a) => a.startsWith('--roles='))?.slice('--roles='.length) ?? env.ROLES, problems);
  const logLevel = read.oneOf(
    'LOG_LEVEL',
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const,
    'info',
  );

  const config: Config = {
    roles,
    env: nodeEnv,
    http: {
      host,
      port,
      publicUrl: publicUrl.replace(/\/$/, ''),
      tlsCertFile,
      tlsKeyFile,
      trustProxy: parseTrustProxy(read.optionalString('TRUST_PROXY'), problems),
    },
    dataDir: path.resolve(read.string('DATA_DIR', './data')),
    database: { url: databaseUrl },
    redis: { url: redisUrl },
    media: {
      workers,
      listenIp: read.string('RTC_LISTEN_IP', '127.0.0.1'),
      announcedAddress: read.optionalString('RTC_ANNOUNCED_ADDRESS'),
      rtcPort,
      rtcMinPort,
      rtcMaxPort,
      workerLogLevel: read.oneOf('MEDIA_WORKER_LOG_LEVEL', ['debug', 'warn', 'error', 'none'] as const, 'warn'),
      consumersPerRouter: read.integer('SFU_CONSUMERS_PER_ROUTER', 500, 1, 100_000),
      keyFrameRequestDelayMs: read.integer('SFU_KEYFRAME_REQUEST_DELAY_MS', 500, 0, 10_000),
      iceServers: read.list(
        'ICE_SERVERS',
        /^(stun|stuns|turn|turns):[^\s<>"]+$/,
        'a stun:, stuns:, turn: or turns: URL',
      ),
    },
    streams: {
      endGraceMs: read.integer('STREAM_END_GRACE_MS', 15_000, 0, 600_000),
      publisherTakeover: read.oneOf('PUBLISHER_TAKEOVER', ['replace', 'refuse'] as const, 'replace'),
      webrtcSeatsPerStream: read.integer('WEBRTC_SEATS_PER_STREAM', 0, 0, 1_000_000),
      maxLiveStreams: read.integer('MAX_LIVE_STREAMS', 0, 0, 100_000),
    },
    recorder: {
      recordingsDir: path.resolve(
        read.string('RECORDINGS_DIR', path.join(read.string('DATA_DIR', './data'), 'recordings')),
      ),
      segmentSeconds: read.integer('HLS_SEGMENT_SECONDS', 1, 1, 10),
      ffmpegPath: read.string('FFMPEG_PATH', 'ffmpeg'),
      retentionDays: read.integer('VOD_RETENTION_DAYS', 0, 0, 36_500),
      maxStorageBytes: read.integer('RECORDINGS_MAX_GB', 0, 0, 1_000_000) * 1024 ** 3,
      retentionCheckSeconds: read.integer('VOD_RETENTION_CHECK_SECONDS', 3600, 1, 86_400),
      renditions: parseRenditionHeights(read.optionalString('HLS_RENDITIONS'), problems),
      s3: readS3Config(read, problems),
      clipsPerMinute: read.integer('CLIP_RATE_LIMIT_PER_MINUTE', 6, 1, 100_000),
    },
    auth: {
      attemptsPerMinute: read.integer('AUTH_RATE_LIMIT_PER_MINUTE', 10, 1, 100_000),
      secureCookie: ((value) => (value === 'auto' ? 'auto' : value === 'true'))(
        read.oneOf('SESSION_COOKIE_SECURE', ['auto', 'true', 'false'] as const, 'auto'),
      ),
    },
    channels: {
      maxPerUser: read.integer('MAX_CHANNELS_PER_USER', 5, 1, 1000),
    },
    webinars: {
      maxStage: read.integer('WEBINAR_MAX_STAGE', 9, 1, 25),
    },
    uploads: {
      dir: path.resolve(read.string('UPLOADS_DIR', path.join(read.string('DATA_DIR', './data'), 'uploads'))),
    },
    web: {
      distDir: ((dir) => (dir ? path.resolve(dir) : undefined))(read.optionalString('WEB_DIST_DIR')),
      sourceMaps: read.boolean('WEB_SOURCE_MAPS', false),
    },
    log: {
      level: logLevel,
      pretty: read.boolean('LOG_PRETTY', nodeEnv === 'development' && Boolean(process.stdout.isTTY)),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseRoles(raw: string | undefined, problems: string[]): ReadonlySet<Role> {
  if (!raw || raw.trim() === '' || raw.trim() === 'all') return new Set(ALL_ROLES);
  const roles = new Set<Role>();
  for (const name of raw
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)) {
    if ((ALL_ROLES as readonly string[]).includes(name)) roles.add(name as Role);
    else
      problems.push(`ROLES: unknown role '${name}'; use a comma-separated list of ${ALL_ROLES.join(', ')} (or 'all').`);
  }
  // Until rooms are placed on other nodes, signaling drives its own process's workers and the
  // recorder records its own process's streams.
  for (const [role, needs] of ROLE_NEEDS) {
    const missing = needs.filter((need) => !roles.has(need));
    if (roles.has(role) && missing.length > 0)
      problems.push(
        `ROLES: '${role}' needs ${missing.map((m) => `'${m}'`).join(' and ')} in the same process; add it.`,
      );
  }
  return roles;
}

const ROLE_NEEDS: readonly (readonly [Role, readonly Role[]])[] = [
  ['signaling', ['sfu']],
  ['recorder', ['signaling', 'sfu']],
];

/**
 * TRUST_PROXY: false; true (one proxy: the usual reverse proxy); a number of proxies; or their
 * addresses and CIDRs, comma-separated. `true` means one hop, not "believe every X-Forwarded-For
 * entry": that would let any client set the address it is counted and rate-limited by.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): false | number | string[] {
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true') return 1;
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  const addresses = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (addresses.length > 0 && addresses.every((item) => ADDRESS_OR_CIDR.test(item))) return addresses;
  problems.push(
    `TRUST_PROXY: '${raw}' is not false, true (one proxy), a number of proxies, or a comma-separated list of proxy addresses or CIDRs (like 10.0.0.0/8,127.0.0.1).`,
  );
  return false;
}

/** An IPv4 or IPv6 address, optionally with a prefix length; proxy-addr checks the rest at start. */
const ADDRESS_OR_CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)(?:\/\d{1,3})?$/i;

/** "720p,480p,360p" or "720,480,360": distinct even heights (x264 needs them even), tallest first. */
function parseRenditionHeights(raw: string | undefined, problems: string[]): number[] {
  if (raw === undefined) return [];
  const heights: number[] = [];
  for (const item of raw
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)) {
    const height = Number(/^(\d{1,4})p?$/i.exec(item)?.[1] ?? Number.NaN);
    if (!Number.isInteger(height) || height < 144 || height > 2160 || height % 2 !== 0) {
      problems.push(
        `HLS_RENDITIONS: '${item}' is not a rendition height; use a comma-separated list of even heights from 144 to 2160, like 720p,480p,360p (or leave it empty for the source only).`,
      );
    } else if (heights.includes(height)) {
      problems.push(`HLS_RENDITIONS: ${height}p is listed twice; list each height once.`);
    } else {
      heights.push(height);
    }
  }
  return heights.sort((a, b) => b - a);
}

export interface S3Config {
  bucket: string;
  /** http(s) URL of the S3 API; AWS's regional endpoint by default. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** endpoint/bucket/key addressing (MinIO, Garage); bucket.endpoint/key otherwise (AWS, R2). */
  forcePathStyle: boolean;
  /** A CDN or public bucket URL serving the keys: viewers are redirected there instead of streamed through. */
  publicUrl: string | undefined;
}

/** Settings that mean someone wants S3 (a region alone, as in .env.example, does not). */
const S3_SETTINGS = ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_PUBLIC_URL'] as const;

/** S3 storage is on when S3_BUCKET is set; the other S3_ settings only make sense with it. */
function readS3Config(read: EnvReader, problems: string[]): S3Config | undefined {
  const bucket = read.optionalString('S3_BUCKET');
  const endpoint = read.optionalUrl('S3_ENDPOINT', ['http:', 'https:']);
  const region = read.string('S3_REGION', 'us-east-1');
  const accessKeyId = read.optionalString('S3_ACCESS_KEY_ID');
  const secretAccessKey = read.optionalString('S3_SECRET_ACCESS_KEY');
  const forcePathStyle = read.boolean('S3_FORCE_PATH_STYLE', endpoint !== undefined);
  const publicUrl = read.optionalUrl('S3_PUBLIC_URL', ['http:', 'https:']);
  if (bucket === undefined) {
    const stray = S3_SETTINGS.filter((name) => read.optionalString(name) !== undefined);
    if (stray.length > 0)
      problems.push(
        `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but S3_BUCKET is not: set S3_BUCKET to keep recordings in S3, or unset ${stray.length === 1 ? 'it' : 'them'} to keep them in RECORDINGS_DIR.`,
      );
    return undefined;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    problems.push(
      `S3_BUCKET must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, got '${bucket}'.`,
    );
  }
  if (!/^[a-z0-9-]{1,32}$/.test(region))
    problems.push(`S3_REGION must be a region name like us-east-1 (or auto for R2), got '${region}'.`);
  // Never echo the keys themselves.
  if (!accessKeyId || !secretAccessKey) {
    const missing = [
      accessKeyId ? undefined : 'S3_ACCESS_KEY_ID',
      secretAccessKey ? undefined : 'S3_SECRET_ACCESS_KEY',
    ].filter(Boolean);
    problems.push(
      `S3_BUCKET is set, so S3 needs credentials: set ${missing.join(' and ')} (a key allowed to list, read, write and delete in the bucket).`,
    );
  }
  if (endpoint && new URL(endpoint).search)
    problems.push('S3_ENDPOINT must be the server address only, like https://minio.example.com:9000, without a query.');
  return {
    bucket,
    endpoint: (endpoint ?? `https://s3.${region}.amazonaws.com`).replace(/\/$/, ''),
    region,
    accessKeyId: accessKeyId ?? '',
    secretAccessKey: secretAccessKey ?? '',
    forcePathStyle,
    publicUrl: publicUrl?.replace(/\/$/, ''),
  };
}

/** Small typed readers that collect problems instead of throwing on the first one. */
class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got '${value}'.`);
      return fallback;
    }
    return n;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false, got '${value}'.`);
    return fallback;
  }

  /** A comma-separated list whose items must each match `pattern`. */
  list(name: string, pattern: RegExp, what: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    for (const item of items) {
      if (!pattern.test(item)) this.problems.push(`${name}: '${item}' is not ${what}.`);
    }
    return items;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')}, got '${value}'.`);
    return fallback;
  }

  url(name: string, fallback: string, protocols: string[]): string {
    return this.optionalUrl(name, protocols) ?? fallback;
  }

  optionalUrl(name: string, protocols: string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      // Never echo the value: database and Redis URLs carry passwords.
      this.problems.push(`${name} is not a valid URL; expected ${protocols.map((p) => `${p}//...`).join(' or ')}.`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problems.push(
        `${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got '${parsed.protocol}//...'.`,
      );
      return undefined;
    }
    return value;
  }
}

/** The URL with any password replaced, for logs and health output. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}
