// A STUN Binding responder on 127.0.0.1 (RFC 5389, just enough for a client's server-reflexive
// query). werift 0.22 falls back to stun.l.google.com when it is given no STUN server, and waits up
// to 5 s for its answer before ICE starts: handing it this one keeps every packet of the benchmark
// on loopback and the join fast. The reflexive candidate it learns is its own host candidate.
import dgram from 'node:dgram';

const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAGIC_COOKIE = 0x2112a442;
const XOR_MAPPED_ADDRESS = 0x0020;

export interface LoopbackStun {
  /** For werift's iceServers: `stun:127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startLoopbackStun(): Promise<LoopbackStun> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, remote) => {
    if (message.length < 20 || message.readUInt16BE(0) !== BINDING_REQUEST || message.readUInt32BE(4) !== MAGIC_COOKIE)
      return;
    const response = Buffer.alloc(20 + 12);
    response.writeUInt16BE(BINDING_SUCCESS, 0);
    response.writeUInt16BE(12, 2); // one attribute: 4-byte header + 8-byte IPv4 address value
    response.writeUInt32BE(MAGIC_COOKIE, 4);
    message.copy(response, 8, 8, 20); // transaction id
    response.writeUInt16BE(XOR_MAPPED_ADDRESS, 20);
    response.writeUInt16BE(8, 22);
    response.writeUInt8(0, 24);
    response.writeUInt8(0x01, 25); // IPv4
    response.writeUInt16BE(remote.port ^ (MAGIC_COOKIE >>> 16), 26);
    const address = remote.address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
    response.writeUInt32BE((address ^ MAGIC_COOKIE) >>> 0, 28);
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    url: `stun:127.0.0.1:${socket.address().port}`,
    close: () => (closing ??= new Promise((resolve) => socket.close(() => resolve()))),
  };
}
