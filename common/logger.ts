// Structured JSON logs (pino); human-readable when LOG_PRETTY is on. Modules get child loggers
// with their context (`room`, `peer`, `channel`) instead of formatting it into messages.
import { pino, type Logger } from 'pino';
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

export function createLogger(log: Config['log'], name = 'aethex'): Logger {
  return pino({
    name,
    level: log.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    transport: log.pretty
      ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } }
      : undefined,
  });
}
