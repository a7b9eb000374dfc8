import { describe, expect, it } from 'vitest';
import { errorFromResponse, HttpMediaError, isRetryable } from './http-media-error.ts';

const problem = (status: number, body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });

describe('errorFromResponse', () => {
  it("carries the problem's code and detail", async () => {
    const error = await errorFromResponse(
      problem(404, { status: 404, code: 'not_live', detail: "Channel 'demo' is not live right now." }),
    );
    expect(error).toBeInstanceOf(HttpMediaError);
    expect(error).toMatchObject({ code: 'not_live', status: 404, message: "Channel 'demo' is not live right now." });
  });

  it('names the status when the body is no problem', async () => {
    expect(await errorFromResponse(new Response('nope', { status: 401 }))).toMatchObject({
      code: 'unauthorized',
      status: 401,
    });
    expect(await errorFromResponse(new Response('', { status: 502 }))).toMatchObject({
      code: 'unavailable',
      status: 502,
    });
    expect(
      await errorFromResponse(new Response('{', { status: 409, headers: { 'content-type': 'application/json' } })),
    ).toMatchObject({
      code: 'conflict',
    });
  });
});

describe('isRetryable', () => {
  it('retries what may pass, not what will not', () => {
    expect(isRetryable(new HttpMediaError('network', 'down'))).toBe(true);
    expect(isRetryable(new HttpMediaError('timeout', 'slow'))).toBe(true);
    expect(isRetryable(new HttpMediaError('unavailable', 'busy', 503))).toBe(true);
    expect(isRetryable(new HttpMediaError('unauthorized', 'bad key', 401))).toBe(false);
    expect(isRetryable(new HttpMediaError('already_live', 'taken', 409))).toBe(false);
    expect(isRetryable(new Error('OperationError'))).toBe(false);
  });
});
