// A scope's poll results as CSV for the host's spreadsheet: one row per option of every poll that
// ran (drafts have no results), oldest poll first, with the poll's figures repeated on each row so
// the file sorts and filters well. Cells are quoted and formula-safe as the registrants' CSV.
import type { PollResults } from '../../common/protocol/polls.ts';
import { csvCell } from '../webinars/registrants-csv.ts';

export interface CsvPoll {
  question: string;
  options: readonly string[];
  multipleChoice: boolean;
  state: 'draft' | 'open' | 'closed';
  openedAt: Date | null;
  closedAt: Date | null;
}

const HEADER = [
  'Poll',
  'Question',
  'Choice',
  'State',
  'Opened at (UTC)',
  'Closed at (UTC)',
  'Voters',
  'Option',
  'Votes',
  'Share of voters (%)',
];

/** `polls` oldest first, each with its results. */
export function pollResultsCsv(polls: readonly { poll: CsvPoll; results: PollResults }[]): string {
  const rows: string[][] = [HEADER];
  polls.forEach(({ poll, results }, index) => {
    if (poll.state === 'draft') return;
    poll.options.forEach((option, i) => {
      const votes = results.counts[i] ?? 0;
      rows.push([
        String(index + 1),
        poll.question,
        poll.multipleChoice ? 'multiple' : 'single',
        poll.state,
        poll.openedAt?.toISOString() ?? '',
        poll.closedAt?.toISOString() ?? '',
        String(results.voters),
        option,
        String(votes),
        results.voters === 0 ? '0' : ((votes * 100) / results.voters).toFixed(1),
      ]);
    });
  });
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
