// Renders a BenchRecord as a markdown section and swaps it into docs/benchmarks.md between
// `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->`, leaving other sections alone.
// Pure functions: the file I/O is in docs.ts.
import { formatMachine } from './machine.ts';
import type { BenchRecord } from './record.ts';
import type { BenchTable, Cell } from './types.ts';

export function startMarker(name: string): string {
  return `<!-- bench:${name}:start -->`;
}

export function endMarker(name: string): string {
  return `<!-- bench:${name}:end -->`;
}

export function renderSection(record: BenchRecord, resultFile: string): string {
  const { result, machine, source } = record;
  const date = record.startedAt.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const commit = source.commit
    ? `commit \`${source.commit}\`${source.dirty ? ' with local changes' : ''}`
    : 'no git commit';
  const lines = [
    startMarker(record.benchmark),
    `## ${escapeText(result.title)}`,
    '',
    `Last run ${date}, ${commit}, with \`${record.command}\`.`,
    '',
    `**Machine:** ${escapeText(formatMachine(machine))}`,
    '',
    `**Method.** ${escapeText(result.method)}`,
    '',
    ...renderTable(result.table),
    '',
  ];
  if (result.goals.length > 0) {
    lines.push('**Goals**', '');
    for (const goal of result.goals) {
      lines.push(
        `- ${goal.passed ? '✅ pass' : '❌ fail'}: ${escapeText(goal.statement)} (${escapeText(goal.measured)})`,
      );
    }
    lines.push('');
  }
  if (result.notes.length > 0) {
    lines.push('**Notes**', '');
    for (const note of result.notes) lines.push(`- ${escapeText(note)}`);
    lines.push('');
  }
  lines.push(`Raw data: \`${resultFile}\` (not committed).`, endMarker(record.benchmark));
  return lines.join('\n');
}

export function renderTable(table: BenchTable): string[] {
  // A column is numeric, hence right-aligned, when every cell in it is a number.
  const numeric = table.columns.map(
    (_, i) => table.rows.length > 0 && table.rows.every((row) => typeof row[i] === 'number'),
  );
  return [
    `| ${table.columns.map(escapeCell).join(' | ')} |`,
    `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`,
    ...table.rows.map((row) => `| ${table.columns.map((_, i) => escapeCell(row[i] ?? '')).join(' | ')} |`),
  ];
}

/**
 * Replaces the section between this benchmark's markers, or appends it when the document has none
 * yet. Throws when the markers are broken (one without the other, or out of order) rather than
 * guessing which hand-written text around them may be overwritten.
 */
export function replaceSection(document: string, name: string, section: string): string {
  const start = document.indexOf(startMarker(name));
  const end = document.indexOf(endMarker(name));
  if (start === -1 && end === -1) {
    return `${document.replace(/\s*$/, '')}\n\n${section}\n`;
  }
  if (start === -1 || end === -1 || end < start) {
    throw new Error(
      `docs/benchmarks.md has a broken section for '${name}': fix or remove its ${startMarker(name)} / ${endMarker(name)} markers`,
    );
  }
  return document.slice(0, start) + section + document.slice(end + endMarker(name).length);
}

function escapeCell(cell: Cell): string {
  return escapeText(String(cell)).replace(/\|/g, '\\|');
}

/**
 * For text placed inline (a heading, a list item): one line, and no `<`, which could close our
 * HTML comment markers or inject tags.
 */
function escapeText(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/</g, '&lt;');
}
