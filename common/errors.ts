// Named errors with an HTTP status and a stable machine-readable code. One mapper (toProblem)
// turns them into RFC 9457 problem+json bodies for HTTP and into socket.io acks, so clients can
// switch on `code` whatever the transport.
import type { Problem } from './protocol/problem.ts';

export class AppError extends Error {
  /**
   * A 5xx that is part of normal operation (a capacity limit reached), not a failure an operator
   * must look at: not logged as an error.
   */
  readonly routine: boolean = false;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Whether `error` deserves an operator's attention: an unexpected error, or a 5xx not marked routine. */
export function isFailure(error: unknown): boolean {
  if (!(error instanceof AppError)) return true;
  return error.status >= 500 && !error.routine;
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(400, 'bad_request', message, details);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required.') {
    super(401, 'unauthorized', message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do that.') {
    super(403, 'forbidden', message);
  }
}
/** A private channel's stream, recordings or chat, asked for by someone who may not watch it. */
export class PrivateChannelError extends ForbiddenError {
  constructor(slug: string) {
    super(`'${slug}' is a private channel: open it with a link its creator shared, or sign in as one of its team.`);
  }
}
export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(404, 'not_found', id ? `${what} '${id}' does not exist.` : `${what} does not exist.`);
  }
}
export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}
export class UnavailableError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(503, 'unavailable', message);
  }
}

export type { Problem };

/** Maps any thrown value to a problem; details of unexpected (5xx) errors are never exposed. */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) {
    return {
      type: 'about:blank',
      title: error.name,
      status: error.status,
      code: error.code,
      detail: error.message,
      ...error.details,
    };
  }
  // Errors from the framework (validation, body parsing) carry a 4xx status; their own codes are
  // internal names, so clients get our stable code for the status instead.
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : 'Bad request.';
    const code = CODES_BY_STATUS[status] ?? 'bad_request';
    return { type: 'about:blank', title: code, status, code, detail: message };
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    code: 'internal',
    detail: 'Something went wrong on our side.',
  };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number') {
    return error.statusCode;
  }
  return undefined;
}

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};
