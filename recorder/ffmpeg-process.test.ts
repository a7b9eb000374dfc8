// The FFmpeg child process wrapper with real processes: how each one ended (finished, errored with
// the tail of stderr, stopped by us), a stop that lets FFmpeg close its files, a stop that is safe
// twice, and a stop that kills what ignores SIGINT, so no FFmpeg is orphaned.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../tests/support/wait.ts';
import { liveHlsArgs, runPlaylistName } from './ffmpeg-args.ts';
import { FfmpegProcess, runFfmpeg, type FfmpegEnd } from './ffmpeg-process.ts';
import { extinfs, lavfiInput, swapInput, tempDir } from './fixtures/real-media.ts';

const SHORT_RUN = [
  '-hide_banner',
  '-nostdin',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=160x120:rate=10',
  '-t',
  '0.5',
  '-f',
  'null',
  '-',
];
const MISSING_INPUT = ['-hide_banner', '-nostdin', '-i', '/nonexistent/aethex-input.mp4', '-f', 'null', '-'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const started: FfmpegProcess[] = [];
const dirs: string[] = [];
function track(process: FfmpegProcess): FfmpegProcess {
  started.push(process);
  return process;
}
afterEach(async () => {
  // Whatever a failed test left running is stopped here, by its own handle.
  await Promise.all(started.splice(0).map((p) => p.stop()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The recorder's live HLS args on endless generated media: runs until stopped. */
function endlessLiveRun(): { process: FfmpegProcess; dir: string } {
  const dir = tempDir('process');
  dirs.push(dir);
  const args = liveHlsArgs({
    sdpPath: path.join(dir, 'input-1.sdp'),
    outputDir: dir,
    run: 1,
    video: 'transcode',
    audio: true,
    segmentSeconds: 1,
  });
  return { process: track(new FfmpegProcess(swapInput(args, ['-re', ...lavfiInput()]))), dir };
}

describe('FfmpegProcess', () => {
  it('reports a process that exits 0 as finished, by promise and by event', async () => {
    const ffmpeg = track(new FfmpegProcess(SHORT_RUN));
    const events: FfmpegEnd[] = [];
    ffmpeg.on('exit', (end) => events.push(end));

    expect(await ffmpeg.ended).toEqual({ reason: 'finished' });
    expect(events).toEqual([{ reason: 'finished' }]);
  });

  it('reports a failing process as errored, with its exit code and what FFmpeg said', async () => {
    const end = await track(new FfmpegProcess(MISSING_INPUT)).ended;

    expect(end).toMatchObject({ reason: 'errored', code: 1, signal: null });
    expect(end.reason === 'errored' && end.stderr).toMatch(/aethex-input\.mp4: No such file or directory/);
  });

  it('reports unknown options as errored', async () => {
    const end = await track(new FfmpegProcess(['-nostdin', '-definitely-not-an-option'])).ended;

    expect(end.reason).toBe('errored');
    expect(end.reason === 'errored' && end.stderr).toMatch(/Unrecognized option 'definitely-not-an-option'/);
  });

  it('keeps only the last 4 KiB of stderr, so the end of a long log is what explains the failure', async () => {
    // Any binary will do: node writes 10 kB of noise, then the real reason, then fails.
    const script = "process.stderr.write('noise\\n'.repeat(2000) + 'the real reason\\n', () => process.exit(3))";
    const end = await track(new FfmpegProcess(['-e', script], process.execPath)).ended;

    expect(end).toMatchObject({ reason: 'errored', code: 3 });
    if (end.reason !== 'errored') throw new Error('unreachable');
    expect(end.stderr.length).toBeLessThanOrEqual(4096);
    expect(end.stderr.endsWith('the real reason')).toBe(true);
  });

  it('reports a binary that does not exist as errored instead of throwing', async () => {
    const end = await track(new FfmpegProcess(['-version'], '/nonexistent/ffmpeg')).ended;

    expect(end).toMatchObject({ reason: 'errored', code: null });
    expect(end.reason === 'errored' && end.stderr).toMatch(/ENOENT/);
  });

  it('reports a process killed by someone else as errored with the signal', async () => {
    const { process: ffmpeg } = endlessLiveRun();
    await waitFor(() => ffmpeg.pid !== undefined && alive(ffmpeg.pid), { what: 'ffmpeg to start' });

    process.kill(ffmpeg.pid!, 'SIGKILL');

    expect(await ffmpeg.ended).toMatchObject({ reason: 'errored', code: null, signal: 'SIGKILL' });
  });

  it('stops a running FFmpeg with SIGINT so it finishes its playlist', async () => {
    const { process: ffmpeg, dir } = endlessLiveRun();
    const playlistFile = path.join(dir, runPlaylistName(1));
    await waitFor(() => fs.existsSync(playlistFile) && extinfs(fs.readFileSync(playlistFile, 'utf8')).length >= 1, {
      what: 'a first segment',
    });

    const end = await ffmpeg.stop();

    expect(end).toEqual({ reason: 'stopped' });
    expect(alive(ffmpeg.pid!)).toBe(false);
    const playlist = fs.readFileSync(playlistFile, 'utf8');
    expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    // Every listed segment was written out, and nothing half-written is left behind.
    for (const { uri } of extinfs(playlist)) expect(fs.statSync(path.join(dir, uri)).size).toBeGreaterThan(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stops once when asked twice, at once or later', async () => {
    const { process: ffmpeg } = endlessLiveRun();
    await waitFor(() => ffmpeg.pid !== undefined && alive(ffmpeg.pid), { what: 'ffmpeg to start' });
    const events: FfmpegEnd[] = [];
    ffmpeg.on('exit', (end) => events.push(end));

    const [first, second] = await Promise.all([ffmpeg.stop(), ffmpeg.stop()]);
    const third = await ffmpeg.stop();

    expect([first, second, third]).toEqual([{ reason: 'stopped' }, { reason: 'stopped' }, { reason: 'stopped' }]);
    expect(events).toEqual([{ reason: 'stopped' }]);
  });

  it('keeps how a process ended when stop() comes after it finished on its own', async () => {
    const ffmpeg = track(new FfmpegProcess(SHORT_RUN));
    await ffmpeg.ended;

    expect(await ffmpeg.stop()).toEqual({ reason: 'finished' });
  });

  it('kills a process that ignores SIGINT after the grace period', { timeout: 15_000 }, async () => {
    const dir = tempDir('stubborn');
    dirs.push(dir);
    const ready = path.join(dir, 'ready');
    const script = `process.on('SIGINT', () => {}); require('node:fs').writeFileSync(${JSON.stringify(ready)}, ''); setInterval(() => {}, 1000)`;
    const stubborn = track(new FfmpegProcess(['-e', script], process.execPath));
    await waitFor(() => fs.existsSync(ready), { what: 'the SIGINT handler to be installed' });
    const askedAt = Date.now();

    const end = await stubborn.stop();

    expect(end).toEqual({ reason: 'stopped' });
    expect(alive(stubborn.pid!)).toBe(false);
    const tookMs = Date.now() - askedAt;
    expect(tookMs).toBeGreaterThanOrEqual(4500);
    expect(tookMs).toBeLessThan(8000);
  });
});

describe('runFfmpeg', () => {
  it('resolves when FFmpeg succeeds', async () => {
    await expect(runFfmpeg(SHORT_RUN)).resolves.toBeUndefined();
  });

  it('rejects with the exit code and the end of stderr', async () => {
    await expect(runFfmpeg(MISSING_INPUT)).rejects.toThrow(
      /^ffmpeg failed \(code 1\): .*aethex-input\.mp4: No such file or directory/,
    );
  });
});
