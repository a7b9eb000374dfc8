// The embedded database's files hold every account and password hash, so only the server's own
// user may read or write them: the folder 0700, the files 0600. PGlite (Emscripten's file system)
// creates files 0666 and folders by the umask; a folder that is 0700 keeps everyone else out
// whatever the modes inside, and the modes inside are tightened too, for a folder copied elsewhere.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';

const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Creates `dir` owner-only, or makes an existing one so, files included. Returns whether the folder
 * itself was open to others (then its files were reachable) and how many modes it changed.
 */
export function makeFolderPrivate(dir: string): { wasOpen: boolean; changed: number } {
  fs.mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  const wasOpen = (fs.statSync(dir).mode & 0o077) !== 0;
  return { wasOpen, changed: tighten(dir, FOLDER_MODE) };
}

function tighten(target: string, mode: number): number {
  const stat = fs.lstatSync(target);
  if (stat.isSymbolicLink()) return 0;
  let changed = 0;
  if ((stat.mode & 0o777 & ~mode) !== 0) {
    fs.chmodSync(target, stat.mode & mode);
    changed++;
  }
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(target)) {
      const child = path.join(target, entry);
      changed += tighten(child, fs.lstatSync(child).isDirectory() ? FOLDER_MODE : FILE_MODE);
    }
  }
  return changed;
}

/** makeFolderPrivate, saying in the log when an existing folder was open to other users. */
export function keepDatabaseFolderPrivate(dir: string, logger: Logger): void {
  const { wasOpen, changed } = makeFolderPrivate(dir);
  if (wasOpen) {
    logger.warn(
      { dir, changed },
      'the embedded database folder was open to other users of this machine; it is owner-only now (0700, files 0600)',
    );
  }
}
