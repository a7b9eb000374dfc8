// Webinar attendance over HLS: a player that starts (asks for the master playlist) is named once,
// by its session or join link, under its playback id; each live playlist it asks for after that
// (every few seconds while it plays) says it is still watching. HLS has no goodbye: a player
// that stops asking is counted as left by the tracker once it has not been seen for a while.
import type { AttendanceLog } from '../common/live/webinar-attendance.ts';

/** Players forgotten after this long without a playlist request (the tracker has let them go long before). */
const FORGET_AFTER_MS = 5 * 60_000;
/** Bounds the map: far more than one process serves at once. */
const MAX_PLAYERS = 100_000;

interface Player {
  webinarId: string;
  userId: string | undefined;
  lastSeen: number;
}

export class HlsAttendance {
  readonly #log: AttendanceLog;
  readonly #now: () => number;
  readonly #players = new Map<string, Player>();

  constructor(log: AttendanceLog, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
  }

  /** A player of `webinarId` started, as `userId` (undefined: anonymous), under `playbackId`. */
  started(playbackId: string, webinarId: string, userId: string | undefined): void {
    this.#forgetIdle();
    if (this.#players.size >= MAX_PLAYERS) this.#players.delete(this.#players.keys().next().value!);
    this.#players.set(playbackId, { webinarId, userId, lastSeen: this.#now() });
    this.#seen(playbackId);
  }

  /** The player of `playbackId` asked for a live playlist: it is still watching. */
  playing(playbackId: string | undefined): void {
    if (playbackId !== undefined && this.#players.has(playbackId)) this.#seen(playbackId);
  }

  #seen(playbackId: string): void {
    const player = this.#players.get(playbackId)!;
    player.lastSeen = this.#now();
    this.#log.seen({ webinarId: player.webinarId, userId: player.userId, session: `hls:${playbackId}`, via: 'hls' });
  }

  #forgetIdle(): void {
    const before = this.#now() - FORGET_AFTER_MS;
    for (const [id, player] of this.#players) if (player.lastSeen < before) this.#players.delete(id);
  }
}
