import { describe, expect, it } from 'vitest';
import { DeltaSampler, readPlayerStats, readPublisherStats } from './stats.ts';

/** An RTCStatsReport is a read-only Map of stat id to stat. */
function report(entries: Record<string, unknown>[]): RTCStatsReport {
  return new Map(entries.map((e) => [e.id as string, e])) as unknown as RTCStatsReport;
}

describe('DeltaSampler', () => {
  it('gives a rate once two samples are far enough apart', () => {
    const sampler = new DeltaSampler();
    expect(sampler.rate('bytes', 0, 0)).toBeNull();
    expect(sampler.rate('bytes', 1000, 125_000)).toBe(125_000);
    // Too soon after the last sample: the previous rate, not noise.
    expect(sampler.rate('bytes', 1100, 125_001)).toBe(125_000);
    expect(sampler.rate('bytes', 2000, 375_000)).toBe(250_000);
  });

  it('starts over when a counter goes backwards', () => {
    const sampler = new DeltaSampler();
    sampler.rate('bytes', 0, 1000);
    expect(sampler.rate('bytes', 1000, 10)).toBeNull();
  });
});

describe('readPlayerStats', () => {
  const at = (t: number, frames: number, bytes: number, jbDelay: number, emitted: number) =>
    report([
      { id: 'T', type: 'transport', timestamp: t, selectedCandidatePairId: 'CP' },
      {
        id: 'CP',
        type: 'candidate-pair',
        timestamp: t,
        currentRoundTripTime: 0.04,
        nominated: true,
        state: 'succeeded',
      },
      {
        id: 'V',
        type: 'inbound-rtp',
        kind: 'video',
        timestamp: t,
        trackIdentifier: 'video-track',
        framesDecoded: frames,
        frameWidth: 1280,
        frameHeight: 720,
        framesPerSecond: 30,
        bytesReceived: bytes,
        packetsReceived: frames * 3,
        packetsLost: 0,
        jitterBufferDelay: jbDelay,
        jitterBufferEmittedCount: emitted,
        totalDecodeTime: frames * 0.002,
      },
      {
        id: 'A',
        type: 'inbound-rtp',
        kind: 'audio',
        timestamp: t,
        trackIdentifier: 'audio-track',
        packetsReceived: 50,
        totalSamplesReceived: 48_000,
        audioLevel: 0.2,
        bytesReceived: 4000,
        packetsLost: 0,
      },
    ]);
  const tracks = { videoTrackId: 'video-track', audioTrackId: 'audio-track' };

  it('reads frames, audio and estimates the delay from the recent jitter buffer, RTT and decode time', () => {
    const sampler = new DeltaSampler();
    readPlayerStats(at(0, 0, 0, 0, 0), tracks, sampler);
    const stats = readPlayerStats(at(1000, 30, 125_000, 30 * 0.05, 30), tracks, sampler);
    expect(stats.framesDecoded).toBe(30);
    expect(stats.frameWidth).toBe(1280);
    expect(stats.audioTotalSamplesReceived).toBe(48_000);
    expect(stats.bitrate).toBe(1_000_000);
    expect(stats.rttMs).toBeCloseTo(40);
    expect(stats.jitterBufferMs).toBeCloseTo(50);
    expect(stats.decodeMs).toBeCloseTo(2);
    expect(stats.delayMs).toBeCloseTo(50 + 20 + 2);
  });

  it('has no delay estimate before any frame left the jitter buffer', () => {
    const stats = readPlayerStats(at(0, 0, 0, 0, 0), tracks, new DeltaSampler());
    expect(stats.delayMs).toBeNull();
  });
});

describe('readPublisherStats', () => {
  const layer = (rid: string, height: number, t: number, bytes: number, packets: number) => ({
    id: `O-${rid}`,
    type: 'outbound-rtp',
    kind: 'video',
    timestamp: t,
    rid,
    mediaSourceId: 'S',
    frameWidth: (height * 16) / 9,
    frameHeight: height,
    framesPerSecond: 30,
    bytesSent: bytes,
    packetsSent: packets,
    qualityLimitationReason: 'none',
  });
  const at = (t: number, k: number) =>
    report([
      { id: 'S', type: 'media-source', kind: 'video', timestamp: t, trackIdentifier: 'cam' },
      layer('r0', 180, t, 18_750 * k, 100 * k),
      layer('r1', 360, t, 62_500 * k, 100 * k),
      layer('r2', 720, t, 187_500 * k, 100 * k),
      { id: 'OA', type: 'outbound-rtp', kind: 'audio', timestamp: t, bytesSent: 8000 * k, packetsSent: 50 * k },
      { id: 'R2', type: 'remote-inbound-rtp', timestamp: t, localId: 'O-r2', fractionLost: 0.1, roundTripTime: 0.03 },
      { id: 'R0', type: 'remote-inbound-rtp', timestamp: t, localId: 'O-r0', fractionLost: 0, roundTripTime: 0.03 },
    ]);

  it('sums bitrates, lists layers lowest first, reports the top layer and weighted loss', () => {
    const sampler = new DeltaSampler();
    readPublisherStats(at(0, 0), 'cam', sampler);
    const stats = readPublisherStats(at(1000, 1), 'cam', sampler);
    expect(stats.layers.map((l) => l.rid)).toEqual(['r0', 'r1', 'r2']);
    expect(stats.videoBitrate).toBe(2_150_000);
    expect(stats.audioBitrate).toBe(64_000);
    expect(stats.bitrate).toBe(2_214_000);
    expect([stats.width, stats.height, stats.fps]).toEqual([1280, 720, 30]);
    expect(stats.packetLoss).toBeCloseTo(0.05);
    // No candidate pair RTT in this report: the receiver report's is used.
    expect(stats.rttMs).toBeCloseTo(30);
  });
});
