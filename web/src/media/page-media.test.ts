import { describe, expect, it } from 'vitest';
import { announce, collectPageMedia, withdraw, type PageMedia } from './page-media.ts';

describe('page media', () => {
  it('is kept only once something collects it, and a withdrawn object leaves a newer one in place', () => {
    announce('via', 'webrtc');
    const page: Partial<PageMedia> = {};
    collectPageMedia(page);
    expect(page).toEqual({});

    announce('via', 'webrtc');
    expect(page.via).toBe('webrtc');
    const first = { stats: () => ({}) as ReturnType<PageMedia['hlsPlayer']['stats']> };
    const second = { stats: () => ({}) as ReturnType<PageMedia['hlsPlayer']['stats']> };
    announce('hlsPlayer', first);
    announce('hlsPlayer', second);
    withdraw('hlsPlayer', first);
    expect(page.hlsPlayer).toBe(second);
    withdraw('hlsPlayer', second);
    expect('hlsPlayer' in page).toBe(false);
  });
});
