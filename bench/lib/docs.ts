// Updates docs/benchmarks.md with a benchmark's latest section.
import fs from 'node:fs/promises';
import path from 'node:path';
import { replaceSection, sectionTitle } from './markdown.ts';

/** Used only when docs/benchmarks.md does not exist yet; afterwards the file is edited by hand too. */
const NEW_DOCUMENT = `# Benchmarks

Measured with \`npm run bench -- <name>\`; \`npm run bench\` lists the benchmarks. Each run replaces
its own section below (between its \`bench:<name>\` markers) and keeps the raw data in
\`bench/results/\`, which is not committed. Numbers only compare on the same machine.
`;

/**
 * Replaces `name`'s section with what `render` makes of it; `render` gets the title the section has
 * now (a failed run keeps it, having no result to take one from).
 */
export async function updateBenchmarksDoc(
  docFile: string,
  name: string,
  render: (previousTitle: string | undefined) => string,
): Promise<void> {
  let document: string;
  try {
    document = await fs.readFile(docFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    document = NEW_DOCUMENT;
  }
  const updated = replaceSection(document, name, render(sectionTitle(document, name)));
  await fs.mkdir(path.dirname(docFile), { recursive: true });
  // Write then rename, so an interrupted run never leaves a truncated document.
  const tmp = `${docFile}.${process.pid}.tmp`;
  await fs.writeFile(tmp, updated);
  await fs.rename(tmp, docFile);
}
