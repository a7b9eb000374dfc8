// Brings the checkout to the state `npm start` runs the server in (npm dependencies, the mediasoup
// worker in place, the Prisma client generated, the web app built) by running the same
// scripts/setup.sh. Untimed: it does nothing when everything is current, but a first run may
// build for minutes, and that is not what a benchmark measures.
import { spawn } from 'node:child_process';
import path from 'node:path';

export function runSetup(repoRoot: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // stderr passes through: setup reports progress (and what to install) there.
    // Its own process group: a Ctrl-C meant for the benchmark must not stop an `npm ci` halfway,
    // which leaves the checkout without node_modules (the harness lets a running setup finish).
    const child = spawn('bash', [path.join(repoRoot, 'scripts', 'setup.sh')], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`scripts/setup.sh failed (exit ${code}); fix that first, \`npm start\` needs it too`)),
    );
  });
}
