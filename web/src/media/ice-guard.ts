// Keeps a transport's ICE alive: restarts ICE when the connection fails, or stays disconnected
// longer than a short grace period (a Wi-Fi hand-over, a NAT rebinding). After a few restarts that
// do not bring it back, it gives up and lets the owner join again from scratch.
import type { ConnectionState, IceParameters, Transport } from 'mediasoup-client/types';
import type { Log } from './log.ts';

export interface IceGuardOptions {
  transport: Transport;
  /** Asks the server for new ICE parameters (the `restartIce` request). */
  requestRestart: () => Promise<IceParameters>;
  /** Called once when restarting did not help; the owner should join again. */
  onGiveUp: (reason: string) => void;
  log: Log;
  disconnectedGraceMs?: number;
  /** How long one restart may take before the next one. */
  attemptTimeoutMs?: number;
  maxAttempts?: number;
}

export class IceGuard {
  readonly #options: Required<IceGuardOptions>;
  #attempts = 0;
  #restarting = false;
  #closed = false;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(options: IceGuardOptions) {
    this.#options = { disconnectedGraceMs: 2_000, attemptTimeoutMs: 8_000, maxAttempts: 3, ...options };
    options.transport.on('connectionstatechange', this.#onState);
  }

  /** Stops watching; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimers();
    this.#options.transport.off('connectionstatechange', this.#onState);
  }

  readonly #onState = (state: ConnectionState): void => {
    if (this.#closed) return;
    switch (state) {
      case 'connected':
        this.#attempts = 0;
        this.#clearTimers();
        break;
      case 'disconnected':
        clearTimeout(this.#graceTimer);
        this.#graceTimer = setTimeout(() => void this.#restart('disconnected'), this.#options.disconnectedGraceMs);
        break;
      case 'failed':
        void this.#restart('failed');
        break;
      case 'new':
      case 'connecting':
      case 'closed':
        break;
    }
  };

  async #restart(reason: string): Promise<void> {
    const { transport, log } = this.#options;
    if (this.#closed || this.#restarting || transport.closed || transport.connectionState === 'connected') return;
    if (this.#attempts >= this.#options.maxAttempts) {
      this.close();
      this.#options.onGiveUp(`ICE did not recover after ${this.#attempts} restarts (${reason})`);
      return;
    }
    this.#attempts += 1;
    this.#restarting = true;
    log.warn(`ICE ${reason}: restart ${this.#attempts} of ${this.#options.maxAttempts}`);
    try {
      const iceParameters = await this.#options.requestRestart();
      if (this.#closed || transport.closed) return;
      await transport.restartIce({ iceParameters });
    } catch (error) {
      log.warn('ICE restart failed', error);
    } finally {
      this.#restarting = false;
    }
    if (this.#closed) return;
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(
      () => void this.#restart(`still ${transport.connectionState}`),
      this.#options.attemptTimeoutMs,
    );
  }

  #clearTimers(): void {
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#watchdog);
    this.#graceTimer = undefined;
    this.#watchdog = undefined;
  }
}
