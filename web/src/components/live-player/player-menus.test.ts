import { describe, expect, it } from 'vitest';
import { renditionLabel, renditionOptions } from './player-menus.ts';

describe('renditionOptions', () => {
  it('offers Auto, then each rendition with its peak rate', () => {
    expect(
      renditionOptions([
        { height: 720, bitrate: 2_600_000 },
        { height: 240, bitrate: 0 },
      ]),
    ).toEqual([
      { value: 'auto', label: 'Auto', hint: 'Follows your connection' },
      { value: 720, label: '720p', hint: 'Up to 2.60 Mbit/s' },
      { value: 240, label: '240p', hint: 'Bit rate not known yet' },
    ]);
  });
});

describe('renditionLabel', () => {
  it('names the pick, or Auto with the height playing', () => {
    expect(renditionLabel(240, 720)).toBe('240p');
    expect(renditionLabel('auto', 360)).toBe('Auto · 360p');
    expect(renditionLabel('auto', 0)).toBe('Auto');
    expect(renditionLabel('auto', null)).toBe('Auto');
  });
});
