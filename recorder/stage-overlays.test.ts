import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testLogger } from '../tests/support/logger.ts';
import { composedHlsArgs } from './stage-composition-args.ts';
import { overlayText, StageOverlays } from './stage-overlays.ts';

describe('overlayText', () => {
  it('says who asks, then the question and the answer, wrapped between words', () => {
    expect(overlayText(null)).toBe('');
    const text = overlayText({
      asker: 'Ada\nLovelace',
      body: 'Will the slides be shared after the session, and where will we find them, please?',
      answer: 'Yes.',
    });
    expect(text.split('\n')).toEqual([
      'Q&A · Ada Lovelace asks:',
      'Will the slides be shared after the session, and where',
      'will we find them, please?',
      'Answer: Yes.',
    ]);
  });

  it('keeps a long question to three lines of at most 56 characters, and cuts a word longer than a line', () => {
    const lines = overlayText({
      asker: 'Anonymous',
      body: `${'y'.repeat(70)} ${'word '.repeat(100)}`,
      answer: null,
    }).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('y'.repeat(56));
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(56);
    expect(lines[3]!.endsWith('…')).toBe(true);
  });
});

describe('StageOverlays', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overlay-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives each recording folder a file with the text as of now, and rewrites it as the pin changes', async () => {
    const overlays = new StageOverlays(testLogger);
    const question = { asker: 'Anonymous', body: 'Why?', answer: null };
    await overlays.set('webinar:1', question);
    expect(overlays.knows('webinar:1')).toBe(true);
    const file = await overlays.fileFor('webinar:1', tempDir());
    expect(fs.readFileSync(file, 'utf8')).toBe('Q&A · Anonymous asks:\nWhy?');
    const other = await overlays.fileFor('webinar:2', tempDir());
    expect(fs.readFileSync(other, 'utf8')).toBe('');

    await overlays.set('webinar:1', { ...question, answer: 'Because.' });
    expect(fs.readFileSync(file, 'utf8')).toBe('Q&A · Anonymous asks:\nWhy?\nAnswer: Because.');
    await overlays.set('webinar:1', null);
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['pinned-question.txt']);

    overlays.forget('webinar:1');
    expect(overlays.knows('webinar:1')).toBe(false);
  });

  it('is what FFmpeg draws: the composed picture changes with the file', async () => {
    const dir = tempDir();
    const overlays = new StageOverlays(testLogger);
    const overlayFile = await overlays.fileFor('webinar:1', dir);
    const args = composedHlsArgs({
      sdpPath: 'in.sdp',
      outputDir: dir,
      run: 1,
      tiles: [],
      audioInputs: 0,
      segmentSeconds: 2,
      overlayFile,
    });
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    const frame = () =>
      execFileSync(
        'ffmpeg',
        [
          '-v',
          'error',
          '-filter_complex',
          graph,
          '-map',
          '[vout]',
          '-frames:v',
          '1',
          '-f',
          'rawvideo',
          '-pix_fmt',
          'gray',
          '-',
        ],
        {
          maxBuffer: 4 * 1024 * 1024,
        },
      );
    const blank = frame();
    await overlays.set('webinar:1', { asker: 'Ada', body: 'Is this drawn?', answer: null });
    const drawn = frame();
    expect(drawn.length).toBe(1280 * 720);
    // Light text on the dark canvas, in the lower left quarter where the overlay sits.
    const lit = (image: Buffer) => {
      let count = 0;
      for (let y = 360; y < 720; y++) for (let x = 0; x < 640; x++) if (image[y * 1280 + x]! > 128) count++;
      return count;
    };
    expect(lit(blank)).toBe(0);
    expect(lit(drawn)).toBeGreaterThan(200);
  });
});
