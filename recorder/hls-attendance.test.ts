import { describe, expect, it } from 'vitest';
import type { AttendanceLog, Presence } from '../common/live/webinar-attendance.ts';
import { HlsAttendance } from './hls-attendance.ts';

describe('HLS attendance', () => {
  it('names a player once and says it is watching at each live playlist', () => {
    const told: Presence[] = [];
    const log: AttendanceLog = { seen: (p) => told.push(p), left: () => {} };
    const hls = new HlsAttendance(log);
    hls.started('pb1', 'w1', 'u1');
    hls.started('pb2', 'w1', undefined);
    hls.playing('pb1');
    hls.playing('unknown');
    hls.playing(undefined);
    expect(told).toEqual([
      { webinarId: 'w1', userId: 'u1', session: 'hls:pb1', via: 'hls' },
      { webinarId: 'w1', userId: undefined, session: 'hls:pb2', via: 'hls' },
      { webinarId: 'w1', userId: 'u1', session: 'hls:pb1', via: 'hls' },
    ]);
  });

  it('forgets players idle for five minutes', () => {
    const told: Presence[] = [];
    let now = 0;
    const hls = new HlsAttendance({ seen: (p) => told.push(p), left: () => {} }, () => now);
    hls.started('pb1', 'w1', 'u1');
    now = 5 * 60_000 + 1;
    hls.started('pb2', 'w1', 'u2');
    hls.playing('pb1');
    expect(told.map((p) => p.session)).toEqual(['hls:pb1', 'hls:pb2']);
  });
});
