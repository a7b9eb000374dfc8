// A webinar's Q&A as CSV for its host: every question (dismissed ones too, marked so), who asked it
// (anonymous askers named: the host always knows them), its votes and answer. Same cell rules as
// the registrants' CSV (RFC 4180, formula injection defused).
import type { QaQuestion } from '../../common/protocol/webinar-qa.ts';
import { csvCell } from './registrants-csv.ts';

export function questionsCsv(questions: readonly QaQuestion[]): string {
  const header = [
    'Asked at (UTC)',
    'Name',
    'Username',
    'Anonymous',
    'Question',
    'State',
    'Votes',
    'Answer',
    'Answered at (UTC)',
  ];
  const rows = questions.map((q) => [
    q.createdAt,
    q.author?.name ?? '',
    q.author?.username ?? '',
    q.anonymous ? 'yes' : 'no',
    q.body,
    q.state,
    String(q.votes),
    q.answer ?? (q.state === 'answered' ? '(answered live)' : ''),
    q.answeredAt ?? '',
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
