// WHIP and WHEP against real libwebrtc peers (@roamhq/wrtc) and real mediasoup workers: the
// publisher's offer becomes producers that receive its packets, and a player decodes what a
// consumer sends it — under the conditions mediasoup 3.12 needs for that (see whep-offer.ts).
import wrtc from '@roamhq/wrtc';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_CODECS } from '../../sfu/media-codecs.ts';
import { buildAnswer, type AnswerMedia } from './answer.ts';
import { SdpError } from './sdp-errors.ts';
import { startTestMedia, waitFor, type TestMedia } from './sdp-test-kit.ts';
import { mediaCodecsForViewer, parseWhepOffer } from './whep-offer.ts';
import { parseWhipOffer } from './whip-offer.ts';

const { RTCPeerConnection, nonstandard } = wrtc;

interface Publisher {
  pc: RTCPeerConnection;
  producers: ms.Producer[];
  stop(): void;
}

let origin: TestMedia;
let edge: TestMedia;
let publisher: Publisher;

/** A libwebrtc publisher sending a moving picture in three simulcast layers and a tone, over WHIP. */
async function publish(): Promise<Publisher> {
  const video = new nonstandard.RTCVideoSource();
  const audio = new nonstandard.RTCAudioSource();
  const width = 640;
  const height = 360;
  const frame = new Uint8Array((width * height * 3) / 2);
  let tick = 0;
  const samples = new Int16Array(480);
  const timer = setInterval(() => {
    frame.fill(16, 0, width * height);
    for (let y = 0; y < height; y++)
      frame.fill(235, y * width + ((tick * 8) % (width - 32)), y * width + ((tick * 8) % (width - 32)) + 32);
    frame.fill(128, width * height);
    video.onFrame({ width, height, data: frame });
    for (let i = 0; i < samples.length; i++)
      samples[i] = Math.round(Math.sin(((tick * 480 + i) * 2 * Math.PI * 440) / 48_000) * 8000);
    audio.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length });
    tick++;
  }, 10);
  const tracks = [video.createTrack(), audio.createTrack()];
  const pc = new RTCPeerConnection();
  pc.addTransceiver(tracks[1]!, { direction: 'sendonly' });
  pc.addTransceiver(tracks[0]!, {
    direction: 'sendonly',
    sendEncodings: [{ rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f' }],
  });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);

  const parsed = parseWhipOffer(offer.sdp!, origin.router.rtpCapabilities);
  const transport = await origin.transport();
  await transport.connect({ dtlsParameters: parsed.remoteDtlsParameters });
  const producers: ms.Producer[] = [];
  for (const m of parsed.media)
    producers.push(await transport.produce({ kind: m.kind, rtpParameters: structuredClone(m.rtpParameters) }));
  await pc.setRemoteDescription({
    type: 'answer',
    sdp: buildAnswer(
      offer.sdp!,
      transport,
      parsed.media.map((m) => ({ ...m, direction: 'recvonly' })),
    ),
  });
  return {
    pc,
    producers,
    stop() {
      clearInterval(timer);
      for (const track of tracks) track.stop();
      pc.close();
    },
  };
}

beforeAll(async () => {
  origin = await startTestMedia();
  publisher = await publish();
});

afterAll(() => {
  publisher?.stop();
  origin?.close();
  edge?.close();
});

async function bytesReceived(producer: ms.Producer): Promise<number> {
  return (await producer.getStats()).reduce((sum, stat) => sum + stat.byteCount, 0);
}

describe('WHIP from libwebrtc', () => {
  it("gets simulcast VP8 and opus into producers that receive the publisher's packets", async () => {
    const [audio, video] = publisher.producers;
    expect(audio!.rtpParameters.codecs[0]!.mimeType).toBe('audio/opus');
    expect(video!.rtpParameters.codecs.map((c) => c.mimeType)).toEqual(['video/VP8', 'video/rtx']);
    expect(video!.rtpParameters.encodings!.map((e) => e.rid)).toEqual(['q', 'h', 'f']);
    await waitFor(async () => publisher.pc.connectionState === 'connected', 'the publisher to connect');
    await waitFor(
      async () => (await bytesReceived(audio!)) > 1000 && (await bytesReceived(video!)) > 1000,
      'RTP at both producers',
    );
  });
});

/** A libwebrtc player's offer; `keepClear` moves and drops the extension ids mediasoup 3.12 writes over. */
async function playerOffer(keepClear: boolean): Promise<{ pc: RTCPeerConnection; sdp: string }> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  let { sdp } = await pc.createOffer();
  if (keepClear) {
    sdp = sdp!
      .replaceAll('a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid')
      .replace(
        /a=extmap:\d+ (urn:ietf:params:rtp-hdrext:sdes:(repaired-)?rtp-stream-id|urn:3gpp:video-orientation|http:\/\/www\.webrtc\.org\/experiments\/rtp-hdrext\/playout-delay)\r\n/g,
        '',
      );
  }
  await pc.setLocalDescription({ type: 'offer', sdp: sdp! });
  return { pc, sdp: sdp! };
}

async function consumeAll(
  router: ms.Router,
  offerSdp: string,
  rtpCapabilities: ms.RtpCapabilities,
  producerIds: Map<string, string>,
) {
  const transport = await router.createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }] });
  const media: AnswerMedia[] = [];
  for (const { mid, kind } of parseWhepOffer(offerSdp).media) {
    // The mid makes the MID header extension mediasoup writes carry the player's value.
    const consumer = await transport.consume({
      producerId: producerIds.get(kind)!,
      rtpCapabilities,
      paused: false,
      mid,
    });
    media.push({ mid, kind, rtpParameters: consumer.rtpParameters, direction: 'sendonly' });
  }
  return { transport, media };
}

describe('WHEP to libwebrtc', () => {
  it('refuses to answer with payload types the player does not read that way', async () => {
    const { pc, sdp } = await playerOffer(false);
    try {
      const offer = parseWhepOffer(sdp);
      const ids = new Map(publisher.producers.map((p) => [p.kind, p.id]));
      // The raw offer matches codecs regardless of payload type, so mediasoup consumes...
      const { transport, media } = await consumeAll(origin.router, sdp, offer.rtpCapabilities, ids);
      // ...with the router's payload types (opus 100, VP8 101), which this player maps elsewhere.
      expect(media[0]!.rtpParameters.codecs[0]!.payloadType).not.toBe(111);
      const error = (() => {
        try {
          buildAnswer(sdp, transport, media);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SdpError);
      expect(error).toMatchObject({ status: 422, code: 'unsupported_media' });
      // With the router's capabilities the parser says so before anything is consumed.
      const checked = parseWhepOffer(sdp, origin.router.rtpCapabilities);
      expect(checked.problems.map((p) => p.kind)).toEqual(['audio', 'video']);
      expect(
        origin.router.canConsume({ producerId: ids.get('audio')!, rtpCapabilities: checked.rtpCapabilities }),
      ).toBe(false);
      transport.close();
    } finally {
      pc.close();
    }
  });

  it("delivers decodable video and audio from a router built with the player's payload types", async () => {
    const { pc, sdp } = await playerOffer(true);
    let frames = 0;
    let audioChunks = 0;
    const sinks: { stop(): void }[] = [];
    pc.ontrack = ({ track }) => {
      if (track.kind === 'video') {
        const sink = new nonstandard.RTCVideoSink(track);
        sink.onframe = () => frames++;
        sinks.push(sink);
      } else {
        const sink = new nonstandard.RTCAudioSink(track);
        sink.ondata = () => audioChunks++;
        sinks.push(sink);
      }
    };
    try {
      // mediasoup 3.12 pipes only between routers of different workers.
      const mediaCodecs = mediaCodecsForViewer(parseWhepOffer(sdp), MEDIA_CODECS);
      expect(mediaCodecs.map((c) => `${c.mimeType}/${c.preferredPayloadType}`)).toEqual([
        'audio/opus/111',
        'video/VP8/96',
      ]);
      edge = await startTestMedia(mediaCodecs);
      const ids = new Map<string, string>();
      for (const producer of publisher.producers) {
        const { pipeProducer } = await origin.router.pipeToRouter({ producerId: producer.id, router: edge.router });
        ids.set(producer.kind, pipeProducer!.id);
      }
      const offer = parseWhepOffer(sdp, edge.router.rtpCapabilities);
      expect(offer.problems).toEqual([]);
      const { transport, media } = await consumeAll(edge.router, sdp, offer.rtpCapabilities, ids);
      await transport.connect({ dtlsParameters: offer.remoteDtlsParameters });
      await pc.setRemoteDescription({ type: 'answer', sdp: buildAnswer(sdp, transport, media) });
      await waitFor(() => frames >= 10 && audioChunks >= 10, 'decoded video frames and audio at the player', 8000);
    } finally {
      for (const sink of sinks) sink.stop();
      pc.close();
    }
  });
});
