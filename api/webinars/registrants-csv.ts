// Registrants as CSV (RFC 4180: CRLF line ends, every field quoted, quotes doubled) for the host's
// spreadsheet. A cell starting with = + - @ (or a tab or carriage return) would run as a formula
// in Excel or Sheets: it gets a leading apostrophe, as OWASP's CSV injection advice says.
import type { Registrant, RegistrationQuestion } from '../../common/protocol/rest/webinars.ts';

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function registrantsCsv(questions: readonly RegistrationQuestion[], registrants: readonly Registrant[]): string {
  const header = ['Name', 'Username', 'Email', 'Status', 'Registered at (UTC)', ...questions.map((q) => q.text)];
  const rows = registrants.map((r) => [
    r.name,
    r.username,
    r.email,
    r.status,
    r.createdAt,
    ...questions.map((_, i) => r.answers[i] ?? ''),
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
