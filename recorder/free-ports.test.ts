import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { freeRtpPortPair, udpPortsBound } from './free-ports.ts';

function bindUdp(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

describe('udpPortsBound', () => {
  it('answers true once every port is bound by some process, false while one is not', async () => {
    const port = await freeRtpPortPair();
    expect(await udpPortsBound([port], 50)).toBe(false);
    const bound = udpPortsBound([port, port + 1], 5000);
    const sockets = [await bindUdp(port), await bindUdp(port + 1)];
    try {
      expect(await bound).toBe(true);
      const unbound = await freeRtpPortPair();
      expect(await udpPortsBound([port, unbound], 50)).toBe(false);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });
});
