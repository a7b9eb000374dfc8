// What the SDP tests share: the fixture offers, a real mediasoup router with the production codecs,
// and a poll-until helper. Tests only; nothing in production imports it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { MEDIA_CODECS } from '../../sfu/media-codecs.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export const FIXTURE_NAMES = fs
  .readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.sdp'))
  .map((name) => name.slice(0, -4))
  .sort();

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, `${name}.sdp`), 'utf8');
}

export interface TestMedia {
  worker: ms.Worker;
  router: ms.Router;
  /** A WebRtcTransport on 127.0.0.1 with UDP and TCP candidates; closed with the worker. */
  transport(router?: ms.Router): Promise<ms.WebRtcTransport>;
  close(): void;
}

export async function startTestMedia(mediaCodecs: ms.RtpCodecCapability[] = MEDIA_CODECS): Promise<TestMedia> {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs });
  return {
    worker,
    router,
    transport: (on = router) =>
      on.createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }], enableUdp: true, enableTcp: true }),
    close: () => worker.close(),
  };
}

/** Polls `probe` until it returns something other than undefined/false, or fails at the deadline. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs `fn` and returns the error it throws, failing the test when it does not throw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
