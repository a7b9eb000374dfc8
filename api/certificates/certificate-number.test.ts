import { describe, expect, it } from 'vitest';
import { formatCertificateNumber, newCertificateNumber, parseCertificateNumber } from './certificate-number.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('certificate numbers', () => {
  it('are 21 characters of Crockford base32 that parse back to themselves', () => {
    const number = newCertificateNumber();
    expect(number).toMatch(/^[0-9A-HJKMNP-TV-Z]{21}$/);
    expect(parseCertificateNumber(number)).toBe(number);
    expect(parseCertificateNumber(formatCertificateNumber(number).toLowerCase())).toBe(number);
  });

  it('differ every time (100 random bits)', () => {
    const numbers = new Set(Array.from({ length: 1000 }, newCertificateNumber));
    expect(numbers.size).toBe(1000);
  });

  it('refuse every single-character change', () => {
    const number = newCertificateNumber();
    for (let i = 0; i < number.length; i++)
      for (const char of ALPHABET) {
        if (char === number[i]) continue;
        const tampered = number.slice(0, i) + char + number.slice(i + 1);
        expect(parseCertificateNumber(tampered)).toBeUndefined();
      }
  });

  it('refuse most swaps of neighbours', () => {
    let caught = 0;
    let swaps = 0;
    for (let n = 0; n < 200; n++) {
      const number = newCertificateNumber();
      for (let i = 0; i + 1 < number.length; i++) {
        if (number[i] === number[i + 1]) continue;
        swaps++;
        const swapped = number.slice(0, i) + number[i + 1] + number[i] + number.slice(i + 2);
        if (parseCertificateNumber(swapped) === undefined) caught++;
      }
    }
    expect(caught / swaps).toBeGreaterThan(0.9);
  });

  it('read look-alike letters as Crockford does, and refuse wrong lengths and characters', () => {
    const number = newCertificateNumber();
    const lookalike = number.replace(/0/g, 'o').replace(/1/g, 'l');
    expect(parseCertificateNumber(lookalike)).toBe(number);
    expect(parseCertificateNumber(number.slice(1))).toBeUndefined();
    expect(parseCertificateNumber(`${number}0`)).toBeUndefined();
    expect(parseCertificateNumber(`${number.slice(0, 20)}U`)).toBeUndefined();
    expect(parseCertificateNumber('')).toBeUndefined();
  });

  it('are shown in groups of three', () => {
    expect(formatCertificateNumber('ABCDEFGHJKMNPQRSTVWXY')).toBe('ABC-DEF-GHJ-KMN-PQR-STV-WXY');
  });
});
