import { describe, expect, it } from 'vitest';
import { detectImageType } from './image-types.ts';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)));

describe('detectImageType', () => {
  it.each([
    ['png', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], 'JFIF')],
    ['gif', bytes('GIF89a', [8, 0, 8, 0])],
    ['gif', bytes('GIF87a', [8, 0, 8, 0])],
    ['webp', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 ')],
  ])('knows %s by its signature', (type, head) => {
    expect(detectImageType(head)).toBe(type);
  });

  it.each([
    ['SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg">')],
    ['SVG with an XML declaration', bytes('<?xml version="1.0"?><svg>')],
    ['HTML', bytes('<!doctype html><script>')],
    ['plain text', bytes('hello, world')],
    ['a RIFF that is not WebP (WAV)', bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt ')],
    ['a GIF of an unknown version', bytes('GIF88a', [8, 0])],
    ['a truncated PNG signature', bytes([0x89], 'PNG', [0x0d, 0x0a])],
    ['a truncated WebP header', bytes('RIFF', [0x24, 0, 0, 0], 'WEB')],
    ['the PNG signature not at the start', bytes(' ', [0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a])],
    ['nothing', bytes()],
  ])('refuses %s', (_, head) => {
    expect(detectImageType(head)).toBeUndefined();
  });
});
