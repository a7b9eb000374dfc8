// A small HTTP client for API tests: real HTTP against a running platform, keeping the session
// cookie like a browser and sending the Origin header a browser sends with writes.
import { randomBytes } from 'node:crypto';

export interface ApiReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class ApiClient {
  /** The session cookie (name=value), once signed in. */
  cookie: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly origin: string = baseUrl,
  ) {}

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body);
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** Any request; a FormData or Blob body is sent as is (uploads), anything else as JSON. */
  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiReply<T>> {
    const raw = body instanceof FormData || body instanceof Blob || body instanceof Uint8Array;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
        ...(method !== 'GET' && method !== 'HEAD' ? { origin: this.origin } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('aethex_session='));
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = pair === 'aethex_session=' ? undefined : pair;
    }
    const text = await response.text();
    let parsed: unknown = text;
    if (text && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
}

export interface TestUser {
  client: ApiClient;
  id: string;
  email: string;
  username: string;
  password: string;
}

/** Signs a brand-new user up through the API; the returned client carries their session. */
export async function signUp(baseUrl: string, prefix = 'user'): Promise<TestUser> {
  const suffix = randomBytes(4).toString('hex');
  const username = `${prefix}_${suffix}`.slice(0, 24);
  const email = `${username}@example.test`;
  const password = 'correct horse battery staple';
  const client = new ApiClient(baseUrl);
  const reply = await client.post('/api/v1/auth/signup', { email, username, password, name: `${prefix} ${suffix}` });
  if (reply.status !== 201) throw new Error(`sign-up failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { client, id: reply.body.user.id, email, username, password };
}
