import type { Webinar } from '../../stores/webinars.ts';
import { startsIn } from '../../lib/time-span.ts';

export type WebinarPhase = 'upcoming' | 'due' | 'backstage' | 'live' | 'ended';

/** Where a webinar stands for someone looking at it at `now`: a scheduled one whose time has come is "due". */
export function phaseOf(webinar: Pick<Webinar, 'state' | 'scheduledStart'>, now: number): WebinarPhase {
  if (webinar.state !== 'scheduled') return webinar.state;
  return Date.parse(webinar.scheduledStart) > now ? 'upcoming' : 'due';
}

/** What the state badge says: "Starts in 3 days", "Backstage — starting soon", "Live now", "Ended". */
export function phaseText(webinar: Pick<Webinar, 'state' | 'scheduledStart'>, now: number): string {
  switch (phaseOf(webinar, now)) {
    case 'upcoming':
      return `Starts ${startsIn(Date.parse(webinar.scheduledStart) - now)}`;
    case 'due':
      return 'Starting soon';
    case 'backstage':
      return 'Backstage — starting soon';
    case 'live':
      return 'Live now';
    case 'ended':
      return 'Ended';
  }
}
