// What a new password must be, after NIST SP 800-63B (5.1.1.2): 8 to 256 characters of any kind,
// not one that breach corpora are full of, and not the account's own email address or username.
// No composition rules and no forced changes: the same guidance advises against both, since they
// push people towards predictable passwords. Every place that sets a password asks
// validateNewPassword (sign-up, password change, the operator's `user create`).
import fs from 'node:fs';
import { AppError, BadRequestError } from '../../common/errors.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';

const COMMON_PASSWORDS_FILE = new URL('./common-passwords.txt', import.meta.url);

export class WeakPasswordError extends AppError {
  constructor(code: 'password_too_common' | 'password_matches_account', message: string) {
    super(400, code, message);
  }
}

/** Who the password is for: it must not be their email address or username. */
export interface PasswordOwner {
  email: string;
  username: string;
}

let commonPasswords: ReadonlySet<string> | undefined;

/** The shipped list, lowercase; read once, when a password is first set. */
function common(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    fs
      .readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return commonPasswords;
}

/** Throws a 400 saying what is wrong with `password` as a new password for `owner`. */
export function validateNewPassword(password: string, owner: PasswordOwner): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new BadRequestError(`The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`);
  }
  // Case and surrounding spaces make no password stronger against a guesser.
  const folded = password.trim().toLowerCase();
  const email = owner.email.trim().toLowerCase();
  const ownNames = [email, email.split('@')[0], owner.username.toLowerCase()];
  if (ownNames.includes(folded)) {
    throw new WeakPasswordError(
      'password_matches_account',
      'The password must not be your email address or your username: choose something only you know.',
    );
  }
  if (common().has(folded)) {
    throw new WeakPasswordError(
      'password_too_common',
      'This password is on a list of common passwords that attackers try first: choose a less predictable one.',
    );
  }
}
