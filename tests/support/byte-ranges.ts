// Checks that a file URL answers byte ranges as a seeking player (and Safari, which plays a
// <video> only from such a server) asks for them, against the whole file fetched before.
import { expect } from 'vitest';

export async function expectByteRanges(url: string, whole: Buffer): Promise<void> {
  const size = whole.length;
  const range = async (header: string) => {
    const response = await fetch(url, { headers: { range: header } });
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  };

  const first = await range('bytes=0-99');
  expect(first.response.status).toBe(206);
  expect(first.response.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
  expect(first.response.headers.get('content-length')).toBe('100');
  expect(first.body.equals(whole.subarray(0, 100))).toBe(true);

  const last = await range('bytes=-10');
  expect(last.response.status).toBe(206);
  expect(last.response.headers.get('content-range')).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
  expect(last.body.equals(whole.subarray(size - 10))).toBe(true);

  const middle = await range(`bytes=${size - 50}-`);
  expect(middle.body.equals(whole.subarray(size - 50))).toBe(true);

  const past = await range(`bytes=${size}-`);
  expect(past.response.status).toBe(416);
  expect(past.response.headers.get('content-range')).toBe(`bytes */${size}`);
}
