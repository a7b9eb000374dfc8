import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.ts';
import { validateNewPassword } from './password-rules.ts';

const ada = { email: 'ada.lovelace@example.test', username: 'ada_l' };

/** The code validateNewPassword refuses `password` with; undefined when accepted. */
function refusal(password: string, owner = ada): string | undefined {
  try {
    validateNewPassword(password, owner);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    return (error as AppError).code;
  }
}

describe('validateNewPassword', () => {
  it('accepts 8 to 256 characters of anything that is not common or the account itself', () => {
    for (const password of ['xk4!qz9#', 'correct horse battery staple', 'Ünïcødé ✓ pässwörd', 'x'.repeat(256)]) {
      expect(refusal(password), password).toBeUndefined();
    }
  });

  it('refuses a password shorter than 8 or longer than 256 characters', () => {
    expect(refusal('1a2b3c4')).toBe('bad_request');
    expect(refusal('x'.repeat(257))).toBe('bad_request');
  });

  it('refuses common passwords whatever their case and surrounding spaces', () => {
    for (const password of ['12345678', 'password', 'Password1', 'QWERTYUIOP', ' sunshine ', 'P@ssw0rd']) {
      expect(refusal(password), password).toBe('password_too_common');
    }
  });

  it("refuses the account's email address, its local part and its username", () => {
    expect(refusal('ADA.LOVELACE@example.test')).toBe('password_matches_account');
    expect(refusal('Ada.Lovelace')).toBe('password_matches_account');
    expect(refusal('ada_lovelace', { email: 'countess@example.test', username: 'ada_lovelace' })).toBe(
      'password_matches_account',
    );
  });

  it('ships a list of common passwords that could pass the length rule, lowercase and without repeats', () => {
    const entries = fs
      .readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(entries.length).toBeGreaterThan(15_000);
    expect(new Set(entries).size).toBe(entries.length);
    expect(entries.filter((entry) => entry.length < 8 || entry !== entry.toLowerCase())).toEqual([]);
  });
});
