import { describe, expect, it } from 'vitest';
import {
  formatInZone,
  formatShortInZone,
  fromZoneInput,
  offsetLabel,
  offsetMinutes,
  toZoneInput,
  zoneLabel,
} from './time-zone.ts';

// Zones and locales are always given: the machine's own never decide an expectation.
const WINTER = Date.parse('2026-01-15T12:00:00Z');
const SUMMER = Date.parse('2026-07-15T12:00:00Z');

describe('offsets', () => {
  it("are the zone's at the instant, summer time included", () => {
    expect(offsetMinutes(WINTER, 'Europe/Paris')).toBe(60);
    expect(offsetMinutes(SUMMER, 'Europe/Paris')).toBe(120);
    expect(offsetMinutes(SUMMER, 'America/New_York')).toBe(-240);
    expect(offsetMinutes(WINTER, 'Asia/Kolkata')).toBe(330);
    expect(offsetMinutes(WINTER, 'UTC')).toBe(0);
  });

  it('read as UTC±h[:mm]', () => {
    expect(offsetLabel(0)).toBe('UTC');
    expect(offsetLabel(60)).toBe('UTC+1');
    expect(offsetLabel(-300)).toBe('UTC-5');
    expect(offsetLabel(330)).toBe('UTC+5:30');
    expect(offsetLabel(-570)).toBe('UTC-9:30');
  });

  it('name the zone with its offset', () => {
    expect(zoneLabel('Europe/Paris', WINTER)).toBe('Europe/Paris (UTC+1)');
    expect(zoneLabel('Europe/Paris', SUMMER)).toBe('Europe/Paris (UTC+2)');
    expect(zoneLabel('America/New_York', WINTER)).toBe('America/New_York (UTC-5)');
    expect(zoneLabel('UTC', WINTER)).toBe('UTC');
  });
});

describe('a wall-clock time in a zone', () => {
  it('becomes the UTC instant', () => {
    expect(fromZoneInput('2026-05-01T14:30', 'America/New_York')).toBe('2026-05-01T18:30:00.000Z');
    expect(fromZoneInput('2026-01-10T09:00', 'Europe/Paris')).toBe('2026-01-10T08:00:00.000Z');
    expect(fromZoneInput('2026-01-10T09:00', 'Asia/Kolkata')).toBe('2026-01-10T03:30:00.000Z');
    expect(fromZoneInput('2026-12-31T23:45', 'Pacific/Auckland')).toBe('2026-12-31T10:45:00.000Z');
    expect(fromZoneInput('2026-06-01T00:00:30', 'UTC')).toBe('2026-06-01T00:00:30.000Z');
  });

  it('goes back and forth unchanged', () => {
    for (const zone of ['America/New_York', 'Europe/Paris', 'Asia/Tokyo', 'Australia/Adelaide']) {
      const iso = fromZoneInput('2026-03-20T07:15', zone)!;
      expect(toZoneInput(iso, zone), zone).toBe('2026-03-20T07:15');
    }
  });

  it('lands after the jump when the clocks skip it, and on the first when they show it twice', () => {
    // New York springs forward at 02:00 on 8 March 2026 and falls back at 02:00 on 1 November.
    expect(fromZoneInput('2026-03-08T02:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
    expect(fromZoneInput('2026-11-01T01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('is null when it is not a time', () => {
    expect(fromZoneInput('', 'Europe/Paris')).toBeNull();
    expect(fromZoneInput('tomorrow', 'Europe/Paris')).toBeNull();
    expect(fromZoneInput('2026-04-31T10:00', 'Europe/Paris')).toBeNull();
  });

  it('reads back for the datetime input in another zone', () => {
    expect(toZoneInput('2026-05-01T18:30:00.000Z', 'Asia/Tokyo')).toBe('2026-05-02T03:30');
    expect(toZoneInput('not a date', 'Asia/Tokyo')).toBe('');
  });
});

describe('formatting a start', () => {
  it('shows it in the given zone and language', () => {
    expect(formatInZone('2026-05-01T18:30:00.000Z', 'Asia/Tokyo', 'en-GB')).toMatch(/Saturday.*2 May 2026.*03:30/);
    expect(formatInZone('2026-05-01T18:30:00.000Z', 'America/New_York', 'en-US')).toMatch(
      /Friday, May 1, 2026.*2:30\sPM/,
    );
    expect(formatShortInZone('2026-05-01T18:30:00.000Z', 'Europe/Paris', 'en-GB')).toMatch(/Fri.*1 May.*20:30/);
    expect(formatInZone('nope', 'UTC', 'en-GB')).toBe('');
  });
});
