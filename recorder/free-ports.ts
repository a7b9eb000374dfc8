import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';

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

/**
 * Resolves once some process has bound each of `ports` over UDP (read from /proc/net/udp and
 * udp6), or after `timeoutMs`: FFmpeg binds its RTP ports a moment after it starts, and media sent
 * before that is lost, the first keyframe with it. Answers false on timeout or where /proc is missing.
 */
export async function udpPortsBound(ports: readonly number[], timeoutMs: number, pollMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bound = await boundUdpPorts();
    if (!bound) return false;
    if (ports.every((port) => bound.has(port))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Local ports of the machine's UDP sockets; undefined where /proc/net/udp can't be read. */
async function boundUdpPorts(): Promise<Set<number> | undefined> {
  const [v4, v6] = await Promise.all(
    ['/proc/net/udp', '/proc/net/udp6'].map((file) => readFile(file, 'utf8').catch(() => undefined)),
  );
  if (v4 === undefined) return undefined;
  const ports = new Set<number>();
  // "  sl  local_address rem_address ...", then "   0: 0100007F:1F90 00000000:0000 ..." (udp6:
  // the same with 32 hex digits of address).
  for (const line of `${v4}\n${v6 ?? ''}`.split('\n')) {
    const local = line.trim().split(/\s+/)[1];
    const port = /^[0-9A-F]+:([0-9A-F]{4})$/.exec(local ?? '')?.[1];
    if (port) ports.add(Number.parseInt(port, 16));
  }
  return ports;
}
