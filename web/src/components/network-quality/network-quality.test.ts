import { describe, expect, it } from 'vitest';
import { qualityLevel } from './network-quality.ts';

describe('qualityLevel', () => {
  it('reads mediasoup scores as good from 8, fair from 5, poor below', () => {
    expect([10, 8, 7, 5, 4, 0].map(qualityLevel)).toEqual(['good', 'good', 'fair', 'fair', 'poor', 'poor']);
  });
});
