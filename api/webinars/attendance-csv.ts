// The attendance report as CSV (RFC 4180, formula-safe cells as registrants-csv.ts writes them),
// one row per named attendee. Minutes carry two decimals; the seconds column is exact.
import type { AttendanceReport } from '../../common/protocol/rest/attendance.ts';
import { csvCell } from './registrants-csv.ts';

const NOT_COUNTED = '—';

export function attendanceCsv(report: AttendanceReport): string {
  const header = [
    'Name',
    'Username',
    'Role',
    'Registered',
    'First joined (UTC)',
    'Last left (UTC)',
    'Minutes attended',
    'Seconds attended',
    'Share of live time (%)',
    'Minutes on stage',
    'Questions asked',
    'Votes',
    'Poll answers',
    'Certificate',
  ];
  const count = (value: number | null) => (value === null ? NOT_COUNTED : String(value));
  const rows = report.attendees.map((a) => [
    a.name,
    a.username,
    a.role,
    a.registered ? 'yes' : 'no',
    a.firstJoinedAt,
    a.lastLeftAt ?? 'still attending',
    (a.attendedSeconds / 60).toFixed(2),
    String(a.attendedSeconds),
    a.sharePercent.toFixed(1),
    (a.stageSeconds / 60).toFixed(2),
    count(a.questions),
    count(a.votes),
    count(a.pollAnswers),
    a.certificate ? `${a.certificate.number}${a.certificate.revoked ? ' (revoked)' : ''}` : '',
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
