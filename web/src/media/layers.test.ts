import { describe, expect, it } from 'vitest';
import { renderedVideoHeight, spatialLayerForHeight } from './layers.ts';

describe('spatialLayerForHeight', () => {
  it('picks 0 up to 240 px, 1 up to 480 px, 2 above', () => {
    expect(spatialLayerForHeight(0, 3)).toBe(0);
    expect(spatialLayerForHeight(240, 3)).toBe(0);
    expect(spatialLayerForHeight(241, 3)).toBe(1);
    expect(spatialLayerForHeight(480, 3)).toBe(1);
    expect(spatialLayerForHeight(481, 3)).toBe(2);
    expect(spatialLayerForHeight(2160, 3)).toBe(2);
  });

  it('never asks for a layer the stream does not have', () => {
    expect(spatialLayerForHeight(1080, 2)).toBe(1);
    expect(spatialLayerForHeight(1080, 1)).toBe(0);
    expect(spatialLayerForHeight(1080, 0)).toBe(0);
  });
});

describe('renderedVideoHeight', () => {
  it('is limited by the width when the box is taller than the video', () => {
    expect(renderedVideoHeight({ width: 640, height: 1000 }, 16 / 9)).toBe(360);
  });

  it('is the box height when the box is wider than the video', () => {
    expect(renderedVideoHeight({ width: 2000, height: 300 }, 16 / 9)).toBe(300);
  });

  it('counts device pixels, up to 2x', () => {
    expect(renderedVideoHeight({ width: 640, height: 360 }, 16 / 9, 2)).toBe(720);
    expect(renderedVideoHeight({ width: 640, height: 360 }, 16 / 9, 3)).toBe(720);
  });

  it('is 0 for a hidden element and assumes 16:9 before the first frame', () => {
    expect(renderedVideoHeight({ width: 0, height: 0 }, 16 / 9)).toBe(0);
    expect(renderedVideoHeight({ width: 1280, height: 2000 }, Number.NaN)).toBe(720);
  });
});
