// Certificate numbers: 100 random bits (unguessable: nobody finds a genuine one by trying) in
// Crockford's base32, and a Luhn mod 32 check character, so a mistyped or tampered number is known
// to be no certificate's without asking the database (every single-character change and most
// swaps of neighbours are caught). Shown in groups of three: 7PQ-K2M-...; read in any case, with
// or without the dashes, and with Crockford's look-alikes (O for 0, I and L for 1).
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BODY_LENGTH = 20; // 20 × 5 = 100 bits
const VALUE = new Map([...ALPHABET].map((char, index) => [char, index]));

/** A new certificate number, in its canonical form (no dashes). */
export function newCertificateNumber(): string {
  const bytes = randomBytes(BODY_LENGTH);
  // Each byte's low 5 bits are uniform: 20 characters, 100 bits.
  const body = [...bytes].map((byte) => ALPHABET[byte & 31]).join('');
  return body + checkCharacter(body);
}

/** The canonical form of `input` if it is a well-formed number with a right check character, else undefined. */
export function parseCertificateNumber(input: string): string | undefined {
  const cleaned = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (cleaned.length !== BODY_LENGTH + 1 || [...cleaned].some((char) => !VALUE.has(char))) return undefined;
  const body = cleaned.slice(0, BODY_LENGTH);
  return checkCharacter(body) === cleaned[BODY_LENGTH] ? cleaned : undefined;
}

/** `number` as people read it: groups of three joined by dashes. */
export function formatCertificateNumber(number: string): string {
  return number.match(/.{1,3}/g)?.join('-') ?? number;
}

/** Luhn mod N (N = 32): doubles every second value from the right, folds, and completes to a multiple of 32. */
function checkCharacter(body: string): string {
  let sum = 0;
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let value = VALUE.get(body[i]!)!;
    if (double) {
      value *= 2;
      value = Math.floor(value / 32) + (value % 32);
    }
    sum += value;
    double = !double;
  }
  return ALPHABET[(32 - (sum % 32)) % 32]!;
}
