// Failures of WHIP and WHEP requests. The server answers application/problem+json with a stable
// `code` (not_live, unauthorized, already_live...); the client adds its own: network, timeout,
// bad_response.

export class HttpMediaError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status = 0,
  ) {
    super(message);
    this.name = 'HttpMediaError';
  }
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_allowed',
  409: 'conflict',
  412: 'precondition_failed',
  415: 'unsupported_media_type',
  422: 'unsupported',
  428: 'precondition_required',
  429: 'rate_limited',
};

/** The error a non-successful response stands for, with the server's code when it gave one. */
export async function errorFromResponse(response: Response): Promise<HttpMediaError> {
  let code: string | undefined;
  let detail: string | undefined;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    const body = (await response.json().catch(() => null)) as { code?: unknown; detail?: unknown } | null;
    if (typeof body?.code === 'string') code = body.code;
    if (typeof body?.detail === 'string') detail = body.detail;
  }
  code ??= CODE_BY_STATUS[response.status] ?? (response.status >= 500 ? 'unavailable' : 'bad_response');
  return new HttpMediaError(
    code,
    detail ?? `The server answered ${response.status} ${response.statusText}`.trim(),
    response.status,
  );
}

/** Whether trying again later can help: not for a bad key, a missing channel or a refused offer. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof HttpMediaError)) return false;
  return error.code === 'network' || error.code === 'timeout' || error.code === 'rate_limited' || error.status >= 500;
}
