// Datagrams Linux dropped because a UDP socket's receive buffer was full: the whole machine's count
// (/proc/net/snmp RcvbufErrors) and per local port (/proc/net/udp "drops"), so a loss can be put on
// the socket that lost it: a mediasoup worker's, or a viewer's.
import fs from 'node:fs';

export interface UdpDropSample {
  /** Machine-wide RcvbufErrors so far. */
  total: number;
  /** Drops so far of each open IPv4 UDP socket, by local port (summed if several share one). */
  byPort: Map<number, number>;
}

/** Undefined where /proc is not there. */
export function udpDrops(): UdpDropSample | undefined {
  try {
    const snmp = fs
      .readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('Udp:'));
    const names = snmp[0]?.split(/\s+/) ?? [];
    const values = snmp[1]?.split(/\s+/) ?? [];
    const total = Number(values[names.indexOf('RcvbufErrors')] ?? 0);
    const byPort = new Map<number, number>();
    for (const line of fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 13) continue;
      const port = parseInt(fields[1]!.split(':')[1] ?? '', 16);
      byPort.set(port, (byPort.get(port) ?? 0) + Number(fields[fields.length - 1]));
    }
    return { total, byPort };
  } catch {
    return undefined;
  }
}

/** Drops between two samples on the given ports, and on the whole machine. */
export function udpDropsBetween(
  start: UdpDropSample | undefined,
  end: UdpDropSample | undefined,
  ports: Iterable<number>,
): { onPorts: number; total: number } | undefined {
  if (!start || !end) return undefined;
  let onPorts = 0;
  for (const port of new Set(ports)) onPorts += (end.byPort.get(port) ?? 0) - (start.byPort.get(port) ?? 0);
  return { onPorts, total: end.total - start.total };
}

/** net.core.rmem_default in bytes: the receive buffer a UDP socket gets unless it asks for another. */
export function receiveBufferDefault(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/sys/net/core/rmem_default', 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}
