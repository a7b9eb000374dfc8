// What the sfu/ unit tests share: a real worker pool on loopback, and the RTP parameters a
// publisher's mediasoup-client would send for a camera (VP8) and a microphone (Opus), so producers
// exist on a real router without any media flowing. Not a test file itself; tests import it.
import type { types as ms } from 'mediasoup';
import { pino, type Logger } from 'pino';
import type { RoomOptions } from './room.ts';
import { WorkerPool } from './worker-pool.ts';

/** Errors only, as tests/support/logger.ts (which the media plane may not import: it is not a test file). */
export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'error' });

/** For a test that kills a worker on purpose: the pool's error log would be noise. */
export const silentLogger = pino({ level: 'silent' });

export function startPool(workers: number, poolLogger: Logger = logger): Promise<WorkerPool> {
  return WorkerPool.create(
    {
      workers,
      listenIp: '127.0.0.1',
      announcedAddress: undefined,
      // 0: the system picks each worker's port, so tests never collide with a running server.
      rtcPort: 0,
      rtcMinPort: 40000,
      rtcMaxPort: 49999,
      logLevel: 'warn',
    },
    poolLogger,
  );
}

export function roomOptions(id: string, overrides: Partial<RoomOptions> = {}): RoomOptions {
  return {
    id,
    consumersPerRouter: 500,
    keyFrameRequestDelayMs: 500,
    initialOutgoingBitrate: 1_000_000,
    ...overrides,
  };
}

export const VIDEO_PARAMETERS: ms.RtpParameters = {
  mid: '0',
  codecs: [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
  ],
  encodings: [{ ssrc: 1111, rtx: { ssrc: 1112 } }],
  rtcp: { cname: 'sfu-test', reducedSize: true },
};

export const AUDIO_PARAMETERS: ms.RtpParameters = {
  mid: '1',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 2222 }],
  rtcp: { cname: 'sfu-test', reducedSize: true },
};
