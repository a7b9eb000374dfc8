import dgram from 'node:dgram';

/**
 * An even UDP port whose successor is free too (RTP and RTCP, as FFmpeg expects from an SDP).
 * Found by binding both and letting go; another process could take them in between, in which
 * case FFmpeg fails to bind and the supervisor starts a new run on new ports.
 */
export async function freeRtpPortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await bind(0);
    const port = first.address().port;
    first.close();
    const even = port % 2 === 0 ? port : port + 1;
    if (even + 1 > 65535) continue;
    try {
      const [rtp, rtcp] = await Promise.all([bind(even), bind(even + 1)]);
      rtp.close();
      rtcp.close();
      return even;
    } catch {
      // one of the two is taken: try another pair
    }
  }
  throw new Error('No free UDP port pair for the recorder.');
}

function bind(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}
