// The simulcast layers a creator sends, so each viewer gets what their screen and link can take.
// Shared by the socket.io Publisher and the WHIP client. Functions, because mediasoup-client writes
// into the encodings it is given. Lowest layer first, the order the SFU expects.

export interface SimulcastLayer {
  rid: string;
  scaleResolutionDownBy: number;
  maxBitrate: number;
  scalabilityMode: string;
}

export const cameraLayers = (): SimulcastLayer[] => [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_500_000, scalabilityMode: 'L1T3' },
];

// Screens carry text: a half-size layer for small players, and a sharp full-size one.
export const screenLayers = (): SimulcastLayer[] => [
  { rid: 'r0', scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { rid: 'r1', scaleResolutionDownBy: 1, maxBitrate: 2_500_000, scalabilityMode: 'L1T3' },
];
