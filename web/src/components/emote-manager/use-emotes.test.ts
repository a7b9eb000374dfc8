import { describe, expect, it } from 'vitest';
import { emoteProblem } from './use-emotes.ts';

const png = (bytes: number) => new File([new Uint8Array(bytes)], 'x.png', { type: 'image/png' });

describe('emoteProblem', () => {
  it('accepts a good name and a small PNG, GIF or WebP', () => {
    expect(emoteProblem('wave_2', png(1000), [])).toBeNull();
    expect(emoteProblem('party', new File(['x'], 'p.gif', { type: 'image/gif' }), [])).toBeNull();
  });

  it('refuses bad names, taken names, missing, wrong or large files', () => {
    expect(emoteProblem('a', png(10), [])).toMatch(/2 to 24/);
    expect(emoteProblem('no-dash', png(10), [])).toMatch(/2 to 24/);
    expect(emoteProblem('<img>', png(10), [])).toMatch(/2 to 24/);
    expect(emoteProblem('wave', png(10), ['wave'])).toMatch(/already/);
    expect(emoteProblem('wave', null, [])).toBe('Choose an image.');
    expect(emoteProblem('wave', new File(['x'], 'w.jpg', { type: 'image/jpeg' }), [])).toMatch(/PNG, GIF or WebP/);
    expect(emoteProblem('wave', png(256 * 1024 + 1), [])).toMatch(/256 KiB/);
  });
});
