// One FFmpeg child process, spawned without a shell. It remembers how it ended (finished, errored
// or stopped by us), so stopping twice is harmless, and it keeps the tail of FFmpeg's stderr to
// explain a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

export type FfmpegEnd =
  | { reason: 'finished' }
  | { reason: 'stopped' }
  | { reason: 'errored'; code: number | null; signal: NodeJS.Signals | null; stderr: string };

export interface FfmpegProcessEvents {
  exit: [FfmpegEnd];
}

const STDERR_TAIL_BYTES = 4096;
/** How long FFmpeg gets to write its last segment and playlist after SIGINT. */
const GRACEFUL_STOP_MS = 5000;

export class FfmpegProcess extends EventEmitter<FfmpegProcessEvents> {
  readonly #child: ChildProcess;
  #stderr = '';
  #stopping = false;
  #ended: Promise<FfmpegEnd>;

  constructor(args: readonly string[], binary = 'ffmpeg') {
    super();
    this.#child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.#ended = new Promise((resolve) => {
      const finish = (end: FfmpegEnd) => {
        resolve(end);
        this.emit('exit', end);
      };
      this.#child.once('error', (error) =>
        finish({ reason: 'errored', code: null, signal: null, stderr: error.message }),
      );
      this.#child.once('exit', (code, signal) => {
        if (this.#stopping) finish({ reason: 'stopped' });
        else if (code === 0) finish({ reason: 'finished' });
        else finish({ reason: 'errored', code, signal, stderr: this.#stderr.trim() });
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get ended(): Promise<FfmpegEnd> {
    return this.#ended;
  }

  /** Asks FFmpeg to finish its files (SIGINT), killing it if it doesn't in time. Safe to call twice. */
  async stop(): Promise<FfmpegEnd> {
    if (!this.#stopping && this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#stopping = true;
      this.#child.kill('SIGINT');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), GRACEFUL_STOP_MS);
      void this.#ended.finally(() => clearTimeout(timer));
    }
    return this.#ended;
  }
}

/** Runs FFmpeg to completion (remux, poster); rejects with its stderr when it fails. */
export async function runFfmpeg(args: readonly string[], binary = 'ffmpeg'): Promise<void> {
  const end = await new FfmpegProcess(args, binary).ended;
  if (end.reason === 'errored')
    throw new Error(`ffmpeg failed (code ${end.code}): ${end.stderr.split('\n').slice(-3).join(' | ')}`);
}
