// Turns `npm run cli -- <noun> <verb> --flag value ...` into an AdminCommand.
import type { AdminCommand } from '../api/admin/commands.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run cli -- <command> [options]

  user create --email E --password P [--username U] [--name N]
  channel create --owner EMAIL --slug S [--title T]
  channel update --slug S [--mode default|dj] [--audio-kbps 128-510]
                                        DJ mode: studio-quality stereo music at that Opus bitrate
  stream-key create --channel SLUG      prints { "key", "whipUrl" }; the key is shown only once
  stream-key revoke --channel SLUG      revokes every active key of the channel

Output is JSON on stdout. Errors: one line on stderr, exit code 1 (bad arguments: 2).`;

interface Spec {
  command: AdminCommand['command'];
  required: string[];
  optional: string[];
}

const SPECS: Record<string, Spec> = {
  'user create': { command: 'user.create', required: ['email', 'password'], optional: ['username', 'name'] },
  'channel create': { command: 'channel.create', required: ['owner', 'slug'], optional: ['title'] },
  'channel update': { command: 'channel.update', required: ['slug'], optional: ['mode', 'audio-kbps'] },
  'stream-key create': { command: 'stream-key.create', required: ['channel'], optional: [] },
  'stream-key revoke': { command: 'stream-key.revoke', required: ['channel'], optional: [] },
};

export function parseCliArgs(argv: readonly string[]): AdminCommand {
  const [noun, verb, ...rest] = argv;
  const spec = SPECS[`${noun ?? ''} ${verb ?? ''}`];
  if (!spec) {
    const given = [noun, verb].filter(Boolean).join(' ');
    throw new UsageError(
      given ? `unknown command '${given}'; try 'npm run cli -- --help'.` : 'no command given; try --help.',
    );
  }
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i]!;
    const value = rest[i + 1];
    if (!flag.startsWith('--')) throw new UsageError(`unexpected argument '${flag}'.`);
    const name = flag.slice(2);
    if (!spec.required.includes(name) && !spec.optional.includes(name)) {
      throw new UsageError(`'${noun} ${verb}' has no option --${name}.`);
    }
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value.`);
    if (name in flags) throw new UsageError(`--${name} is given twice.`);
    flags[name] = value;
  }
  const missing = spec.required.filter((name) => !(name in flags));
  if (missing.length > 0)
    throw new UsageError(`'${noun} ${verb}' needs ${missing.map((m) => `--${m}`).join(' and ')}.`);
  // --audio-kbps arrives as the command's audioKbps.
  const fields = Object.fromEntries(
    Object.entries(flags).map(([name, value]) => [name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), value]),
  );
  return { command: spec.command, ...fields } as AdminCommand;
}
