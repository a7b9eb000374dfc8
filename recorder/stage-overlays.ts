// The question a host pinned, drawn into the composed recording of a webinar's stage. Each
// recording folder gets one text file that FFmpeg's drawtext reads again every frame
// (stage-composition-args.ts), so pinning, answering or unpinning shows in the recording at once,
// without starting a new run. A write goes to a temporary file renamed over the old one, so FFmpeg
// never reads half a text. The recorder role feeds it from the API's announcements.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../common/logger.ts';

export interface PinnedQuestion {
  /** Who asked, as attendees see it ("Anonymous" for an anonymous question). */
  asker: string;
  body: string;
  /** The host's typed answer, if any. */
  answer: string | null;
}

const FILE_NAME = 'pinned-question.txt';
/** Characters per line: about two thirds of the 1280-pixel canvas at its font size. */
const LINE_CHARS = 56;
const BODY_LINES = 3;
const ANSWER_LINES = 2;

/** What the overlay file holds: a heading line, the question wrapped, the answer; '' for none. */
export function overlayText(question: PinnedQuestion | null): string {
  if (!question) return '';
  const lines = [
    clip(`Q&A · ${oneLine(question.asker)} asks:`, LINE_CHARS),
    ...wrap(question.body, BODY_LINES),
    ...(question.answer ? wrap(`Answer: ${question.answer}`, ANSWER_LINES) : []),
  ];
  return lines.join('\n');
}

/** Up to `maxLines` lines of at most LINE_CHARS characters, broken between words; … when cut. */
function wrap(text: string, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of oneLine(text).split(' ')) {
    for (const piece of chunks(word)) {
      const next = line ? `${line} ${piece}` : piece;
      if ([...next].length <= LINE_CHARS) {
        line = next;
        continue;
      }
      lines.push(line);
      line = piece;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${clip(kept[maxLines - 1]!, LINE_CHARS - 1)}…`;
  return kept;
}

/** A word longer than a line, in line-sized pieces. */
function chunks(word: string): string[] {
  const chars = [...word];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += LINE_CHARS) pieces.push(chars.slice(i, i + LINE_CHARS).join(''));
  return pieces;
}

function oneLine(text: string): string {
  // Control characters (line breaks, tabs) would break drawtext's lines or draw as boxes.
  return text.replace(/[\p{Cc}\s]+/gu, ' ').trim();
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export class StageOverlays {
  readonly #logger: Logger;
  /** The text to draw, by room id. */
  readonly #texts = new Map<string, string>();
  /** The overlay files of each room's recording folders. */
  readonly #files = new Map<string, Set<string>>();
  /** Each write its own temporary file: two writes at once must not rename each other's. */
  #writes = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The room's pinned question changed: every file of its recording is rewritten. */
  async set(roomId: string, question: PinnedQuestion | null): Promise<void> {
    const text = overlayText(question);
    this.#texts.set(roomId, text);
    await Promise.all([...(this.#files.get(roomId) ?? [])].map((file) => this.#write(file, text)));
  }

  /** The overlay file of a recording folder, holding the room's text as of now. */
  async fileFor(roomId: string, dir: string): Promise<string> {
    const file = path.join(dir, FILE_NAME);
    let files = this.#files.get(roomId);
    if (!files) this.#files.set(roomId, (files = new Set()));
    files.add(file);
    await this.#write(file, this.#texts.get(roomId) ?? '');
    return file;
  }

  /** Whether the room's text was set since its recording started. */
  knows(roomId: string): boolean {
    return this.#texts.has(roomId);
  }

  /** The room's recording ended. */
  forget(roomId: string): void {
    this.#texts.delete(roomId);
    this.#files.delete(roomId);
  }

  /** Never throws: a lost overlay loses a caption, not the recording (logged). */
  async #write(file: string, text: string): Promise<void> {
    const temporary = `${file}.${++this.#writes}.tmp`;
    try {
      await fs.writeFile(temporary, text);
      await fs.rename(temporary, file);
    } catch (error) {
      this.#logger.warn({ err: error, file }, 'could not write the pinned question for the recording');
    }
  }
}
