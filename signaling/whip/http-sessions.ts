// WHIP and WHEP sessions: one per POST, addressed by an unguessable URL. Each owns its SFU peer
// (and so its transport, producers or consumers). A session also ends by itself when its client
// vanishes without a DELETE: its DTLS closes or its ICE stays disconnected. A WHIP session also
// ends when another publisher takes its channel over; a WHEP session when a producer it plays
// closes (the stream ended, or the encoder was replaced).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { Peer } from '../../sfu/peer.ts';
import type { Room } from '../../sfu/room.ts';
import type { ChannelRef, RecheckFilter } from '../../common/live/channel-directory.ts';

export type HttpSessionKind = 'whip' | 'whep';

/** A WHEP viewer: the cookies its offer came with, and whether it may still watch. */
export interface Watcher {
  cookie: string | undefined;
  mayStay(): Promise<boolean>;
}

export interface HttpSession {
  readonly id: string;
  readonly kind: HttpSessionKind;
  readonly channel: ChannelRef;
  readonly room: Room;
  readonly peer: Peer;
  readonly transport: ms.WebRtcTransport;
  /** The client's ICE username fragment; a PATCH bringing a new one asks for an ICE restart. */
  remoteIceUfrag: string;
  /** Strong ETag of the current ICE session; changes with every ICE restart. */
  etag: string;
}

export interface HttpSessionEvents {
  /** Nothing has arrived from the client for a few seconds; it may come back. */
  onLost(session: HttpSession): void;
  onRecovered(session: HttpSession): void;
  /** The session is over, whatever the reason. */
  onClosed(
    session: HttpSession,
    reason: 'deleted' | 'gone' | 'replaced' | 'room-closed' | 'shutdown' | 'access-ended' | 'source-gone',
  ): void;
}

const WATCHDOG_INTERVAL_MS = 1000;
/** How long a WHIP session taken over is remembered, to tell its client why it ended. */
const TAKEN_OVER_MEMORY_MS = 10 * 60_000;
const LOST_AFTER_MS = 4000;
const GONE_AFTER_MS = 30_000;

type CloseReason = Parameters<HttpSessionEvents['onClosed']>[1];

interface Entry {
  session: HttpSession;
  tokenHash: string | null;
  /** A WHEP viewer's cookies, and whether it may still watch: asked when access narrows. */
  watcher: Watcher | undefined;
  close(reason: CloseReason): void;
}

export class HttpSessions {
  readonly #sessions = new Map<string, Entry>();
  /** Ids of WHIP sessions ended by a takeover, with when; forgotten after TAKEN_OVER_MEMORY_MS. */
  readonly #takenOver = new Map<string, number>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger.child({ component: 'http-media-sessions' });
  }

  /** Registers a session; `token` (WHIP's stream key) must be presented again to change it. */
  add(
    init: Omit<HttpSession, 'etag'>,
    token: string | null,
    events: HttpSessionEvents,
    watcher?: Watcher,
  ): HttpSession {
    const session: HttpSession = { ...init, etag: newEtag() };
    // mediasoup 3.12's ICE-lite side never notices a client that vanished without a DELETE (no
    // consent checks), so watch what arrives instead: a client sends media or at least RTCP every
    // second. Silence for LOST_AFTER_MS counts as lost (a WHIP stream's grace period starts);
    // silence for GONE_AFTER_MS, or never connecting, ends the session.
    let lastBytes = 0;
    let lastChangeAt = Date.now();
    let lost = false;
    const watchdog = setInterval(() => {
      void session.transport
        .getStats()
        .then((stats) => {
          const bytes = stats.reduce((sum, stat) => sum + (stat.bytesReceived ?? 0), 0);
          const now = Date.now();
          if (bytes !== lastBytes) {
            lastBytes = bytes;
            lastChangeAt = now;
            if (lost) {
              lost = false;
              events.onRecovered(session);
            }
          } else if (now - lastChangeAt >= GONE_AFTER_MS) {
            close('gone');
          } else if (!lost && lastBytes > 0 && now - lastChangeAt >= LOST_AFTER_MS) {
            lost = true;
            events.onLost(session);
          }
        })
        .catch(() => undefined); // the transport closed meanwhile: close() has run or will
    }, WATCHDOG_INTERVAL_MS);
    const close = (reason: CloseReason) => {
      if (!this.#sessions.delete(session.id)) return;
      if (reason === 'replaced') this.#rememberTakenOver(session.id);
      clearInterval(watchdog);
      session.transport.off('dtlsstatechange', onDtls);
      session.room.off('closed', onRoomClosed);
      session.peer.close();
      events.onClosed(session, reason);
      this.#logger.debug(
        { session: session.id, kind: session.kind, channel: session.channel.slug, reason },
        'session closed',
      );
    };
    const onDtls = (state: ms.DtlsState) => {
      if (state === 'failed' || state === 'closed') close('gone');
    };
    const onRoomClosed = () => close('room-closed');
    session.transport.on('dtlsstatechange', onDtls);
    session.room.once('closed', onRoomClosed);
    this.#sessions.set(session.id, { session, tokenHash: token === null ? null : hash(token), watcher, close });
    return session;
  }

  /**
   * Access narrowed (a viewer token revoked, a channel made private, a session ended): ends the
   * WHEP sessions `filter` picks whose viewer may no longer watch. A failed check keeps the session
   * (a database hiccup should not cut every viewer off); the next change asks again.
   */
  async recheckAccess(filter: RecheckFilter): Promise<void> {
    await Promise.all(
      [...this.#sessions.values()].map(async (entry) => {
        const watcher = entry.watcher;
        if (!watcher || !filter({ channelId: entry.session.channel.id, cookie: watcher.cookie })) return;
        if (!(await watcher.mayStay().catch(() => true))) entry.close('access-ended');
      }),
    );
  }

  /**
   * A producer the WHEP session plays closed (the stream ended, the encoder reconnected, the
   * streamer switched cameras): the session ends. WHEP has no way to say so in-band and cannot
   * renegotiate; a track fed by a new producer would have a new SSRC, which libwebrtc decodes but
   * does not draw on the same track (tried). A closed connection (DTLS close_notify) tells the
   * player to ask again, and its new offer gets what the channel sends now.
   */
  sourceGone(id: string): void {
    this.#sessions.get(id)?.close('source-gone');
  }

  get(kind: HttpSessionKind, id: string): HttpSession | undefined {
    const entry = this.#sessions.get(id);
    return entry?.session.kind === kind ? entry.session : undefined;
  }

  /** Whether `token` is the one the session was created with (sessions created without one accept any). */
  mayChange(session: HttpSession, token: string | null): boolean {
    const entry = this.#sessions.get(session.id);
    if (!entry) return false;
    if (entry.tokenHash === null) return true;
    if (token === null) return false;
    return timingSafeEqual(Buffer.from(entry.tokenHash, 'hex'), Buffer.from(hash(token), 'hex'));
  }

  delete(session: HttpSession): void {
    this.#sessions.get(session.id)?.close('deleted');
  }

  /** Another publisher took the session's channel over: its URL is gone from now on. */
  replaced(id: string): void {
    this.#sessions.get(id)?.close('replaced');
  }

  /** Whether `id` was a WHIP session that ended because another publisher took its channel over. */
  wasTakenOver(kind: HttpSessionKind, id: string): boolean {
    const at = kind === 'whip' ? this.#takenOver.get(id) : undefined;
    return at !== undefined && Date.now() - at < TAKEN_OVER_MEMORY_MS;
  }

  #rememberTakenOver(id: string): void {
    const now = Date.now();
    // Oldest first (insertion order): drop what is too old before adding.
    for (const [old, at] of this.#takenOver) {
      if (now - at < TAKEN_OVER_MEMORY_MS) break;
      this.#takenOver.delete(old);
    }
    this.#takenOver.set(id, now);
  }

  count(kind: HttpSessionKind): number {
    let n = 0;
    for (const { session } of this.#sessions.values()) if (session.kind === kind) n++;
    return n;
  }

  closeAll(): void {
    for (const entry of [...this.#sessions.values()]) entry.close('shutdown');
  }
}

/** 144 random bits: a session URL can't be guessed. */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

export function newEtag(): string {
  return `"${randomBytes(9).toString('base64url')}"`;
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
