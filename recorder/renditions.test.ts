// The ladder as configured (HLS_RENDITIONS) and what each rung is encoded at.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../common/config.ts';
import { renditionDir, renditionName, RENDITION_NAME, SOURCE_RENDITION, videoRateFor } from './renditions.ts';

function problemsOf(value: string): string[] {
  try {
    loadConfig({ HLS_RENDITIONS: value }, []);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected HLS_RENDITIONS='${value}' to be refused`);
}

describe('HLS_RENDITIONS', () => {
  it('is off by default: the source only', () => {
    expect(loadConfig({}, []).recorder.renditions).toEqual([]);
    expect(loadConfig({ HLS_RENDITIONS: ' ' }, []).recorder.renditions).toEqual([]);
  });

  it('reads heights with or without the p, tallest first', () => {
    expect(loadConfig({ HLS_RENDITIONS: '360p, 720P,480' }, []).recorder.renditions).toEqual([720, 480, 360]);
  });

  it('says what to fix for a height it cannot encode', () => {
    for (const bad of ['720x480', 'hd', '100', '4320p', '361p']) {
      expect(problemsOf(`480p,${bad}`)).toEqual([
        expect.stringMatching(new RegExp(`^HLS_RENDITIONS: '${bad}' is not a rendition height; use .*720p,480p,360p`)),
      ]);
    }
  });

  it('refuses a height listed twice', () => {
    expect(problemsOf('480p,480')).toEqual(['HLS_RENDITIONS: 480p is listed twice; list each height once.']);
  });
});

describe('renditions', () => {
  it('keeps the source in the recording folder and each lower rendition in its own', () => {
    expect(renditionDir('/rec/s1', SOURCE_RENDITION)).toBe('/rec/s1');
    expect(renditionDir('/rec/s1', renditionName(360))).toBe('/rec/s1/360p');
  });

  it('accepts only rendition names in URLs', () => {
    for (const name of ['source', '360p', '1080p']) expect(RENDITION_NAME.test(name)).toBe(true);
    for (const name of ['..', '360', 'p', 'source/..', '12345p', '']) expect(RENDITION_NAME.test(name)).toBe(false);
  });

  it('encodes lower renditions at lower rates, 720p at the transcode path rate', () => {
    expect(videoRateFor(720)).toEqual({ kbps: 2500, maxKbps: 3000 });
    expect([1080, 480, 360, 240, 144].map((h) => videoRateFor(h).kbps)).toEqual([4600, 1350, 900, 500, 200]);
  });
});
