// Moments in a named time zone. What a host types in the studio is a wall-clock time where they
// are; the API stores the UTC instant; a page shows it back in the reader's zone, naming the zone.
// Every function takes the zone (and the locale where it formats), so tests pin them instead of
// depending on the machine's.

/** The zone this browser is in: "Europe/Paris". */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** What a clock on the wall in `zone` shows at `instant`. */
function wallClock(instant: number, zone: string): WallClock {
  let format = clocks.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    clocks.set(zone, format);
  }
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of format.formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

function wallAsUtc(clock: WallClock): number {
  return Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
}

/** Minutes east of UTC that `zone` is at `instant`: 60 for Paris in winter, -240 for New York in summer. */
export function offsetMinutes(instant: number, zone: string): number {
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  return Math.round((wallAsUtc(wallClock(wholeSecond, zone)) - wholeSecond) / 60_000);
}

/** "UTC", "UTC+1", "UTC-4", "UTC+5:30". */
export function offsetLabel(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '-';
  const hours = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  return `UTC${sign}${hours}${rest ? `:${String(rest).padStart(2, '0')}` : ''}`;
}

/** "Europe/Paris (UTC+1)": the zone, and its offset at `instant` (summer time moves it). */
export function zoneLabel(zone: string, instant: number): string {
  const offset = offsetLabel(offsetMinutes(instant, zone));
  return zone === 'UTC' || zone === 'Etc/UTC' ? offset : `${zone} (${offset})`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `iso` as an <input type="datetime-local"> shows it in `zone`: "2026-04-14T18:30". */
export function toZoneInput(iso: string, zone: string): string {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return '';
  const c = wallClock(instant, zone);
  return `${String(c.year).padStart(4, '0')}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}`;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The UTC instant (ISO 8601) of a datetime-local value read as a wall-clock time in `zone`, or
 * null when it is not one. A time the clocks skip (spring forward) lands just after the jump; one
 * they show twice (fall back) is the first of the two.
 */
export function fromZoneInput(value: string, zone: string): string | null {
  const match = LOCAL_INPUT.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null; // 31 April
  // The instant is the wall time less the zone's offset, which depends on the instant: try the
  // offsets a day either side (any change of offset falls between them) and keep the earliest
  // candidate that reads back as that wall time.
  const candidates = [offsetMinutes(wall - 86_400_000, zone), offsetMinutes(wall + 86_400_000, zone)]
    .map((offset) => wall - offset * 60_000)
    .sort((a, b) => a - b);
  const exact = candidates.find((instant) => wallAsUtc(wallClock(instant, zone)) === wall);
  return new Date(exact ?? candidates[candidates.length - 1]!).toISOString();
}

/** "Tuesday, 14 April 2026 at 18:30" in `zone`, in the reader's language (or `locale`). */
export function formatInZone(iso: string, zone: string, locale?: string): string {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(instant);
}

/** "14 Apr, 18:30" in `zone`: a start time in a card or a row. */
export function formatShortInZone(iso: string, zone: string, locale?: string): string {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return '';
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: zone,
  }).format(instant);
}
