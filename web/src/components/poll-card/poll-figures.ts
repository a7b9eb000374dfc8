// Figures a poll shows: each option's share of the voters, and the time left on its clock.

/** Whole-number percent of the voters who chose an option (a multiple-choice poll's add up past 100). */
export function shareOf(votes: number, voters: number): number {
  return voters === 0 ? 0 : Math.round((votes * 100) / voters);
}

/** "1:05" left until `closesAt` (ISO), seen at `now` (ms); "0:00" once past. */
export function timeLeft(closesAt: string, now: number): string {
  const seconds = Math.max(0, Math.ceil((Date.parse(closesAt) - now) / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/** "1 vote", "12 votes". */
export function votesText(count: number, noun = 'vote'): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
