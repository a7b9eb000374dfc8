// How the worker files incoming RTP under producers when two simulcast producers share one
// transport, as a webinar host's camera and screen share do: both have RIDs "r0" and "r1" (the
// names mediasoup-client gives every simulcast layer) and differ only by MID. Chrome starts sending
// a new track's packets before the server has made its producer (the stage checks the seat
// first). mediasoup 3.12.16 matched such a packet by its RID to the other producer and then kept
// that SSRC there for good, so a screen share played as the camera; scripts/mediasoup-worker-
// patches/ backports the upstream fix (a packet with a MID is never matched by RID). Plain RTP over
// UDP from this test, read back in each producer's stats on a real worker.
import dgram from 'node:dgram';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../tests/support/wait.ts';
import { MEDIA_CODECS } from './media-codecs.ts';
import { startPool } from './sfu-test-kit.ts';
import type { WorkerPool } from './worker-pool.ts';

const MID_EXTENSION_ID = 1;
const RID_EXTENSION_ID = 2;

/** A simulcast VP8 producer's parameters as mediasoup-client sends them: layers by RID, no SSRCs. */
function simulcast(mid: string): ms.RtpParameters {
  return {
    mid,
    codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: MID_EXTENSION_ID },
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: RID_EXTENSION_ID },
    ],
    encodings: [{ rid: 'r0' }, { rid: 'r1' }],
    rtcp: { cname: 'rtp-demux', reducedSize: true },
  };
}

/** One RTP packet carrying a VP8 key frame's first bytes, with MID and RID one-byte header extensions. */
function rtpPacket(ssrc: number, seq: number, mid: string, rid: string): Buffer {
  const elements = Buffer.concat([
    Buffer.from([(MID_EXTENSION_ID << 4) | (mid.length - 1)]),
    Buffer.from(mid),
    Buffer.from([(RID_EXTENSION_ID << 4) | (rid.length - 1)]),
    Buffer.from(rid),
  ]);
  const padded = Buffer.alloc(Math.ceil(elements.length / 4) * 4);
  elements.copy(padded);
  const header = Buffer.alloc(12 + 4);
  header[0] = 0x90; // version 2, extension bit
  header[1] = 96;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(seq * 3000, 4);
  header.writeUInt32BE(ssrc, 8);
  header.writeUInt16BE(0xbede, 12); // one-byte header extensions (RFC 8285)
  header.writeUInt16BE(padded.length / 4, 14);
  // VP8 payload descriptor (start of partition 0), then a 320x240 key frame header.
  const payload = Buffer.from([0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0, 0, 0, 0]);
  return Buffer.concat([header, padded, payload]);
}

/** The SSRCs a producer has received RTP on, from its stats (one entry per stream it knows). */
async function ssrcsOf(producer: ms.Producer): Promise<number[]> {
  return (await producer.getStats()).filter((s) => s.packetCount > 0).map((s) => s.ssrc);
}

describe('RTP demultiplexing of simulcast producers that share RIDs', () => {
  let pool: WorkerPool;
  let router: ms.Router;
  let transport: ms.PlainTransport;
  let socket: dgram.Socket;
  let seq = 0;

  beforeAll(async () => {
    pool = await startPool(1);
    router = await pool.worker(0)!.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
    socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    socket?.close();
    pool?.close();
  });

  const send = (ssrc: number, mid: string, rid: string) =>
    new Promise<void>((resolve, reject) =>
      socket.send(rtpPacket(ssrc, ++seq, mid, rid), transport.tuple.localPort, '127.0.0.1', (error) =>
        error ? reject(error) : resolve(),
      ),
    );

  it("keeps a not-yet-produced track's packets off the other producer, and gives them to its own once made", async () => {
    const camera = await transport.produce({ kind: 'video', rtpParameters: simulcast('0') });
    await send(1000, '0', 'r0');
    await waitFor(async () => ((await ssrcsOf(camera)).includes(1000) ? true : undefined), {
      what: "the camera's own packets to reach it",
    });

    // The screen share's layers (MID 1) arrive before its producer exists.
    for (let i = 0; i < 5; i++) await send(2000, '1', 'r0');
    // A marker on the camera, sent after them: once it is in, the share's packets have been handled.
    await send(1001, '0', 'r1');
    await waitFor(async () => ((await ssrcsOf(camera)).includes(1001) ? true : undefined), {
      what: "the camera's second layer to reach it",
    });
    expect(await ssrcsOf(camera)).not.toContain(2000);

    const screen = await transport.produce({ kind: 'video', rtpParameters: simulcast('1') });
    await send(2000, '1', 'r0');
    // Unpatched, the worker latched SSRC 2000 to the camera by its RID: the share never gets it.
    await waitFor(async () => ((await ssrcsOf(screen)).includes(2000) ? true : undefined), {
      timeoutMs: 3000,
      what: "the screen share's packets to reach the screen producer, not the camera it was filed under",
    });
    expect(await ssrcsOf(camera)).toEqual(expect.not.arrayContaining([2000]));
  });
});
