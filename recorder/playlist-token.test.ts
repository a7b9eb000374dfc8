import { describe, expect, it } from 'vitest';
import { withQueryInUris, withTokenInUris } from './playlist-token.ts';

describe('withTokenInUris', () => {
  it('adds the token to segment lines and URI attributes, and leaves tags and blank lines alone', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:1',
      '#EXT-X-MAP:URI="init-1.mp4"',
      '#EXTINF:1.000,',
      'seg-1-00000.m4s',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="init-2.mp4"',
      '#EXTINF:0.966,',
      'seg-2-00000.m4s',
      '',
    ].join('\n');
    expect(withTokenInUris(playlist, 'view_a+b/c')).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:1',
        '#EXT-X-MAP:URI="init-1.mp4?token=view_a%2Bb%2Fc"',
        '#EXTINF:1.000,',
        'seg-1-00000.m4s?token=view_a%2Bb%2Fc',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-MAP:URI="init-2.mp4?token=view_a%2Bb%2Fc"',
        '#EXTINF:0.966,',
        'seg-2-00000.m4s?token=view_a%2Bb%2Fc',
        '',
      ].join('\n'),
    );
  });

  it('carries the token into the variant playlists of a master playlist', () => {
    const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720\nsource/index.m3u8\n';
    expect(withTokenInUris(master, 'view_x')).toBe(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720\nsource/index.m3u8?token=view_x\n',
    );
  });
});

describe('withQueryInUris', () => {
  it('adds a second parameter after the first', () => {
    const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2800000\nsource/index.m3u8\n';
    expect(withTokenInUris(withQueryInUris(master, 'pb', 'a.b-c_d'), 'view_x')).toBe(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2800000\nsource/index.m3u8?pb=a.b-c_d&token=view_x\n',
    );
  });
});
