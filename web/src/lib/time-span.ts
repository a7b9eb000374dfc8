// Lengths of time in words: how long until something starts, and how long it lasts.

export interface Countdown {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** `ms` from now split into days, hours, minutes and seconds (rounded up: "1 s" until it is 0). */
export function countdownParts(ms: number): Countdown {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return {
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * "in 3 days", "in 5 h 20 min", "in 12 min", "in less than a minute", or null once the time has
 * come: the two largest units are all a badge needs.
 */
export function startsIn(ms: number): string | null {
  if (ms <= 0) return null;
  const { days, hours, minutes } = countdownParts(ms);
  if (days >= 2) return `in ${days} days`;
  if (days === 1) return `in 1 day${hours ? ` ${hours} h` : ''}`;
  if (hours > 0) return `in ${hours} h${minutes ? ` ${minutes} min` : ''}`;
  if (minutes > 0) return `in ${minutes} min`;
  return 'in less than a minute';
}

/** What a countdown says to a screen reader, at most once a minute: "2 days, 3 hours and 4 minutes". */
export function countdownWords(ms: number): string {
  const { days, hours, minutes } = countdownParts(ms);
  const words = [
    days && plural(days, 'day', 'days'),
    hours && plural(hours, 'hour', 'hours'),
    minutes && plural(minutes, 'minute', 'minutes'),
  ].filter((word): word is string => Boolean(word));
  if (words.length === 0) return ms > 0 ? 'less than a minute' : 'now';
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** An expected length: "45 min", "1 h", "1 h 30 min". */
export function formatMinutes(minutes: number): string {
  const whole = Math.max(0, Math.round(minutes));
  const h = Math.floor(whole / 60);
  const m = whole % 60;
  if (h === 0) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}
