// JSON from the platform's API. A reply that is not 2xx becomes an ApiError carrying the
// problem+json `code` (not_found, not_live...) so callers can tell cases apart without parsing text.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What went wrong with a request, in words: the server's explanation, or that it was out of reach. */
export function failureText(failure: unknown): string {
  return failure instanceof ApiError ? failure.message : "Couldn't reach the server. Try again.";
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal });
  return readReply<T>(response);
}

/**
 * A write (POST, PUT, PATCH, DELETE) with a JSON body, or a FormData body for uploads. The session
 * cookie goes along (same origin); the browser adds the Origin header the server checks.
 * 204 resolves to undefined.
 */
export async function sendJson<T = void>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const isForm = body instanceof FormData;
  const response = await fetch(url, {
    method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined && !isForm ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
    signal,
  });
  return readReply<T>(response);
}

async function readReply<T>(response: Response): Promise<T> {
  if (!response.ok) {
    let code = `http_${response.status}`;
    let detail = `HTTP ${response.status}`;
    try {
      const problem = (await response.json()) as { code?: unknown; detail?: unknown };
      if (typeof problem.code === 'string') code = problem.code;
      if (typeof problem.detail === 'string') detail = problem.detail;
    } catch {
      // Not problem+json (a proxy's error page): the status says enough.
    }
    throw new ApiError(response.status, code, detail);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
