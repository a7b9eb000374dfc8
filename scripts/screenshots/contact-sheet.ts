// index.html beside the pictures: one row per page, laptop and phone side by side, with what the
// page complained about (console, failed requests) under them.
import fs from 'node:fs';
import path from 'node:path';
import type { ShotResult } from './capture.ts';

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function figure(shot: ShotResult): string {
  const notes = [...(shot.failure ? [`NOT READY: ${shot.failure}`] : []), ...shot.problems];
  return `<figure${shot.failure ? ' class="failed"' : ''}>
  <figcaption>${escape(shot.file)}</figcaption>
  <a href="${escape(shot.file)}"><img src="${escape(shot.file)}" alt="${escape(shot.name)} (${shot.size})" loading="lazy"></a>
  ${notes.length ? `<ul>${notes.map((note) => `<li>${escape(note)}</li>`).join('')}</ul>` : ''}
</figure>`;
}

export function writeContactSheet(outDir: string, results: ShotResult[], title: string): string {
  const pages = [...new Set(results.map((r) => r.name))];
  const rows = pages.map(
    (name) => `<section id="${escape(name)}">
<h2><a href="#${escape(name)}">${escape(name)}</a></h2>
<div class="row">${results
      .filter((r) => r.name === name)
      .map(figure)
      .join('\n')}</div>
</section>`,
  );
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(title)}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; background: #f4f4f5; color: #18181b; }
  nav a { margin-right: 0.75rem; }
  .row { display: flex; gap: 1.5rem; align-items: flex-start; }
  figure { margin: 0; }
  figure img { display: block; border: 1px solid #a1a1aa; background: #fff; }
  figure:first-child img { width: 640px; }
  figure:last-child img { width: 195px; }
  figure.failed figcaption { color: #b91c1c; font-weight: 600; }
  figure ul { max-width: 640px; color: #b45309; font-size: 12px; padding-left: 1rem; }
  section { margin-bottom: 2.5rem; }
</style>
</head>
<body>
<h1>${escape(title)}</h1>
<nav>${pages.map((name) => `<a href="#${escape(name)}">${escape(name)}</a>`).join(' ')}</nav>
${rows.join('\n')}
</body>
</html>
`;
  const file = path.join(outDir, 'index.html');
  fs.writeFileSync(file, html);
  return file;
}
