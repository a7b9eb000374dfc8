// Structured JSON logs (pino); human-readable when LOG_PRETTY is on. Modules get child loggers
// with their context (`room`, `peer`, `channel`) instead of formatting it into messages.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** Field paths that may carry secrets; pino replaces their values before writing. */
const REDACT = [
  'password',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'key',
  '*.key',
  'token',
  '*.token',
  'secretAccessKey',
  '*.secretAccessKey',
];

/** Query parameters that carry credentials (a private channel's `?token=` links). */
const SECRET_QUERY = /([?&](?:token|access_token|key)=)[^&#]*/gi;

/** A URL as it may be logged: credentials in its query replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, with the URL's credentials redacted (HLS players send ?token=). */
function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** `destination`: where lines go instead of stdout (tests read them); not with LOG_PRETTY. */
export function createLogger(log: Config['log'], name = 'aethex', destination?: DestinationStream): Logger {
  const options = {
    name,
    level: log.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { req: serializeRequest },
    transport: log.pretty
      ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } }
      : undefined,
  };
  return destination ? pino(options, destination) : pino(options);
}
