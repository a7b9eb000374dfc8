// Renders a BenchRecord as a markdown section and swaps it into docs/benchmarks.md between
// `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->`, leaving other sections alone.
// Pure functions: the file I/O is in docs.ts.
import { busyBefore, type MachineLoad } from './load.ts';
import { formatMachine } from './machine.ts';
import type { BenchOutcome, BenchRecord } from './record.ts';
import type { BenchTable, Cell } from './types.ts';

export function startMarker(name: string): string {
  return `<!-- bench:${name}:start -->`;
}

export function endMarker(name: string): string {
  return `<!-- bench:${name}:end -->`;
}

/**
 * The section of one run. A run that did not complete still gets one, saying so and why, under the
 * title the page had (`previousTitle`): the figures of an earlier run must not stand for this tree.
 */
export function renderSection(record: BenchRecord, resultFile: string, previousTitle?: string): string {
  const { outcome, machine, source } = record;
  const date = record.startedAt.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const commit = source.commit ? `commit \`${source.commit}\`` : 'no git commit';
  const title =
    outcome.status === 'completed' ? outcome.result.title : (previousTitle ?? `Benchmark ${record.benchmark}`);
  const lines = [startMarker(record.benchmark), `## ${escapeText(title)}`, ''];
  if (source.dirty) lines.push(...dirtyWarning(source), '');
  if (outcome.status !== 'completed') lines.push(...failure(outcome), '');
  lines.push(
    `${outcome.status === 'completed' ? 'Last run' : 'Last attempt'} ${date}, ${commit}` +
      `${source.dirty ? ' plus uncommitted changes' : ''}, with \`${record.command}\`.`,
    '',
    `**Machine:** ${escapeText(formatMachine(machine))}`,
    '',
    `**Load:** ${escapeText(describeLoad(record.load))}`,
    '',
  );
  if (busyBefore(record.load)) {
    lines.push(
      '> **The machine was busy before this run began** (see Load): other work shared its cores, so these ' +
        'figures carry that work too. Re-run on a quiet machine before comparing them.',
      '',
    );
  }
  if (outcome.status === 'completed') lines.push(...figures(outcome.result));
  lines.push(`Raw data: \`${resultFile}\` (not committed).`, endMarker(record.benchmark));
  return lines.join('\n');
}

function figures(result: Extract<BenchOutcome, { status: 'completed' }>['result']): string[] {
  const lines = [`**Method.** ${escapeText(result.method)}`, '', ...renderTable(result.table), ''];
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
  return lines;
}

/** The title a section on the page has now (its `## ` line), to keep when a run brings none. */
export function sectionTitle(document: string, name: string): string | undefined {
  const start = document.indexOf(startMarker(name));
  const end = document.indexOf(endMarker(name));
  if (start === -1 || end < start) return undefined;
  return /^## (.+)$/m.exec(document.slice(start, end))?.[1]?.trim();
}

/** In large print: figures from uncommitted code belong to no commit, and no checkout re-runs them. */
function dirtyWarning(source: BenchRecord['source']): string[] {
  const listed = source.changes.map((line) => `\`${escapeText(line.trim()).replace(/`/g, "'")}\``).join(', ');
  return [
    '### ⚠️ Not a committed tree: these figures belong to no commit',
    '',
    `> This run was made with **uncommitted changes** on top of ${source.commit ? `commit \`${source.commit}\`` : 'an unknown commit'} ` +
      `(\`--allow-dirty\`), so no checkout reproduces it. Changes: ${listed || 'n/a'}.`,
  ];
}

function failure(outcome: Exclude<BenchOutcome, { status: 'completed' }>): string[] {
  const what = outcome.status === 'aborted' ? 'This run was aborted' : 'This run failed';
  // The reason often carries the server's last output: keep it bounded, and unable to close the
  // section's comment markers or the code block around it.
  const reason = outcome.reason
    .split('\n')
    .slice(0, 40)
    .join('\n')
    .slice(0, 4000)
    .replace(/<!--|-->/g, '(marker)')
    .replace(/`{3,}/g, "'''");
  return [
    `### ❌ ${what}: no figures`,
    '',
    `> ${what} before it reported what it measures, so this section has no table and no goal is met. ` +
      'Figures of an earlier run are not shown: they were not measured on this tree. The reason:',
    '',
    '```text',
    reason,
    '```',
  ];
}

function describeLoad(load: MachineLoad): string {
  const f = (n: number) => n.toFixed(2);
  const pct = (n: number | undefined) => (n === undefined ? 'n/a' : `${Math.round(n)}%`);
  const { before, during } = load;
  const text =
    `before the run, load average ${f(before.loadAverage.one)} / ${f(before.loadAverage.five)} / ` +
    `${f(before.loadAverage.fifteen)} (1 / 5 / 15 min) on ${load.cores} cores, ${pct(before.busyPercent)} of all cores ` +
    `busy over ${before.busySampleMs / 1000} s`;
  if (!during) return `${text}.`;
  return (
    `${text}; during the run (${Math.round(during.durationMs / 1000)} s), 1-minute load average ` +
    `${f(during.oneMinuteMean)} on average and ${f(during.oneMinuteMax)} at most, ${pct(during.busyPercent)} of all ` +
    `cores busy (the benchmark's own processes included; busiest ${during.sampleEveryMs / 1000} s: ` +
    `${pct(during.busiestIntervalPercent)}).`
  );
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
