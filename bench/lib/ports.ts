// A free port for a server a benchmark starts, so it never collides with a development server on
// the default port or with another benchmark.
import net from 'node:net';

/** A TCP port the OS reports free on this host right now. */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('could not read the port of a probe socket');
  return address.port;
}
