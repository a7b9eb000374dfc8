// The SDP FFmpeg reads to receive mediasoup's plain RTP: exact text for the codecs WebRTC
// publishers send, then real RTP (sent by a second FFmpeg, standing in for mediasoup) received
// through it by the recorder's live command line.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../tests/support/wait.ts';
import { liveHlsArgs, runPlaylistName, type VideoMode } from './ffmpeg-args.ts';
import { FfmpegProcess } from './ffmpeg-process.ts';
import { codecsOf, extinfs, ffprobe, joinSegment, LAVFI_GRAPH, tempDir } from './fixtures/real-media.ts';
import { freeRtpPortPair } from './free-ports.ts';
import { rtpInputSdp } from './rtp-input-sdp.ts';

// Codec parameters as mediasoup hands them to a consumer.
const OPUS = {
  kind: 'audio',
  payloadType: 100,
  mimeType: 'audio/opus',
  clockRate: 48000,
  channels: 2,
  parameters: { minptime: 10, useinbandfec: 1 },
} as const;
const VP8 = { kind: 'video', payloadType: 101, mimeType: 'video/VP8', clockRate: 90000, parameters: {} } as const;
const H264 = {
  kind: 'video',
  payloadType: 102,
  mimeType: 'video/H264',
  clockRate: 90000,
  parameters: { 'level-asymmetry-allowed': 1, 'packetization-mode': 1, 'profile-level-id': '42e01f' },
} as const;

describe('rtpInputSdp', () => {
  it('describes VP8 and stereo Opus on their ports, RTCP on the next port', () => {
    expect(
      rtpInputSdp([
        { ...VP8, port: 40000 },
        { ...OPUS, port: 40002 },
      ]),
    ).toBe(
      [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=AeThex Live recorder',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=video 40000 RTP/AVP 101',
        'a=rtcp:40001',
        'a=rtpmap:101 VP8/90000',
        'a=recvonly',
        'm=audio 40002 RTP/AVP 100',
        'a=rtcp:40003',
        'a=rtpmap:100 opus/48000/2',
        'a=fmtp:100 minptime=10;useinbandfec=1',
        'a=recvonly',
        '',
      ].join('\n'),
    );
  });

  it('describes H.264 with its profile-level-id and packetization-mode', () => {
    expect(rtpInputSdp([{ ...H264, port: 50010 }])).toBe(
      [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=AeThex Live recorder',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=video 50010 RTP/AVP 102',
        'a=rtcp:50011',
        'a=rtpmap:102 H264/90000',
        'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
        'a=recvonly',
        '',
      ].join('\n'),
    );
  });

  it('gives no channel count for mono audio', () => {
    const sdp = rtpInputSdp([
      { kind: 'audio', port: 41000, payloadType: 0, mimeType: 'audio/PCMU', clockRate: 8000, channels: 1 },
    ]);

    expect(sdp).toContain('a=rtpmap:0 PCMU/8000\n');
    expect(sdp).not.toContain('a=fmtp');
  });
});

describe('real RTP received through the SDP by the live command line', () => {
  const cleanups: (() => void | Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Two distinct RTP/RTCP port pairs. */
  async function twoPortPairs(): Promise<[number, number]> {
    const video = await freeRtpPortPair();
    for (;;) {
      const audio = await freeRtpPortPair();
      if (Math.abs(audio - video) >= 2) return [video, audio];
    }
  }

  /** FFmpeg standing in for mediasoup: RTP of generated media to the ports, payload types as in the SDP. */
  function sendRtp(
    video: { codec: string[]; payloadType: number; port: number },
    audio: { payloadType: number; port: number },
  ): ChildProcess {
    const sender = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-re',
        '-t',
        '15',
        '-f',
        'lavfi',
        '-i',
        LAVFI_GRAPH,
        '-map',
        '0:v:0',
        ...video.codec,
        '-g',
        '30',
        '-payload_type',
        String(video.payloadType),
        '-f',
        'rtp',
        `rtp://127.0.0.1:${video.port}`,
        '-map',
        '0:a:0',
        '-c:a',
        'libopus',
        '-b:a',
        '64k',
        '-payload_type',
        String(audio.payloadType),
        '-f',
        'rtp',
        `rtp://127.0.0.1:${audio.port}`,
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => {
      if (sender.exitCode === null && sender.signalCode === null) sender.kill('SIGKILL');
    });
    return sender;
  }

  async function receive(videoTrack: typeof VP8 | typeof H264, videoCodec: string[], mode: VideoMode) {
    const dir = tempDir('sdp');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const [videoPort, audioPort] = await twoPortPairs();
    const sdpPath = path.join(dir, 'input-1.sdp');
    fs.writeFileSync(
      sdpPath,
      rtpInputSdp([
        { ...videoTrack, port: videoPort },
        { ...OPUS, port: audioPort },
      ]),
    );
    const receiver = new FfmpegProcess(
      liveHlsArgs({ sdpPath, outputDir: dir, run: 1, video: mode, audio: true, segmentSeconds: 1 }),
    );
    cleanups.push(() => receiver.stop());
    // The receiver must listen before RTP flows; starting it first is enough, as keyframes repeat each second.
    sendRtp(
      { codec: videoCodec, payloadType: videoTrack.payloadType, port: videoPort },
      { payloadType: OPUS.payloadType, port: audioPort },
    );

    const playlistFile = path.join(dir, runPlaylistName(1));
    await waitFor(() => fs.existsSync(playlistFile) && extinfs(fs.readFileSync(playlistFile, 'utf8')).length >= 2, {
      timeoutMs: 10_000,
      what: 'two segments received over RTP',
    });
    const end = await receiver.stop();
    expect(end).toEqual({ reason: 'stopped' });
    const playlist = fs.readFileSync(playlistFile, 'utf8');
    const first = extinfs(playlist)[1]!; // the first may start before the first keyframe arrived
    return { playlist, probe: await ffprobe(joinSegment(dir, 'init-1.mp4', first.uri)) };
  }

  it('receives VP8 + Opus and transcodes them to H.264 + AAC', { timeout: 25_000 }, async () => {
    const { playlist, probe } = await receive(
      VP8,
      ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '500k'],
      'transcode',
    );

    expect(playlist).toContain('#EXT-X-ENDLIST');
    expect(codecsOf(probe)).toEqual(['audio:aac', 'video:h264']);
  });

  it('receives H.264 + Opus and copies the H.264 as it comes', { timeout: 25_000 }, async () => {
    const { probe } = await receive(
      H264,
      [
        '-c:v',
        'libx264',
        '-profile:v',
        'baseline',
        '-preset',
        'veryfast',
        '-tune',
        'zerolatency',
        '-pix_fmt',
        'yuv420p',
      ],
      'copy',
    );

    expect(codecsOf(probe)).toEqual(['audio:aac', 'video:h264']);
    expect(probe.streams.find((s) => s.codec_type === 'video')!.profile).toBe('Constrained Baseline');
  });
});
