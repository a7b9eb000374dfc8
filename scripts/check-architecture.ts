// The architecture of ../shared/STYLE.md as a check: one plane per top-level folder, imports
// pointing one way between planes, and no import cycles anywhere. `npm run lint` runs it, so a
// change that couples two planes the wrong way fails with the rule's reason instead of passing
// review by luck.
//
//   node --import tsx scripts/check-architecture.ts
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

interface Plane {
  /** Files of the plane: a folder ending in '/' or one file. */
  readonly files: string;
  /** What it may import besides itself and npm packages. */
  readonly may: readonly string[];
  readonly why: string;
}

// Most specific first: a file belongs to the first plane whose `files` it starts with.
const PLANES: readonly Plane[] = [
  {
    files: 'common/protocol/',
    may: [],
    why: 'protocol types are shared with the browser bundle, so they stand alone',
  },
  {
    files: 'common/',
    may: ['prisma/generated/'],
    why: 'common/ is the root of the tree: every plane may use it, so it uses none of them',
  },
  {
    files: 'sfu/',
    may: ['common/'],
    why: 'the media plane (sfu/) knows nothing of signaling, the platform, storage or HTTP',
  },
  {
    files: 'signaling/',
    may: ['common/', 'sfu/'],
    why: 'signaling drives the media plane; what it needs of the platform comes through interfaces in common/',
  },
  {
    files: 'recorder/',
    may: ['common/', 'sfu/', 'signaling/'],
    why: 'the recorder runs FFmpeg and serves files; access decisions are handed to it by the composition root',
  },
  {
    files: 'api/',
    may: ['common/', 'prisma/generated/'],
    why: 'the platform API owns its data; it reaches media only through interfaces in common/',
  },
  {
    files: 'cli/',
    may: ['common/', 'api/'],
    why: 'the operator CLI is a client of the API',
  },
  {
    files: 'web/src/',
    may: ['common/protocol/'],
    why: 'the browser app shares only protocol types with the server',
  },
  {
    files: 'web/server.ts',
    may: ['common/'],
    why: 'serving the built app needs nothing of the other planes',
  },
];

/** Only these may start the whole platform. */
const COMPOSITION_ROOT = 'platform.ts';
const MAY_IMPORT_ROOT = ['server.ts', 'tests/', 'bench/', 'scripts/'];
/** The role builders: parts of the composition root, which alone uses them (they may use any plane). */
const ROLE_BUILDERS = 'platform/';
/** Tests beside the code may use the shared test helpers. */
const TEST_SUPPORT = 'tests/support/';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return listed
    .split('\n')
    .filter((file) => /\.(ts|vue)$/.test(file) && !file.endsWith('.d.ts') && fs.existsSync(path.join(root, file)));
}

function scriptOf(file: string, text: string): string {
  if (!file.endsWith('.vue')) return text;
  return [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]).join('\n');
}

/** Repository-relative paths of the project's own files that `file` imports (npm packages left out). */
function importsOf(file: string): string[] {
  const text = scriptOf(file, fs.readFileSync(path.join(root, file), 'utf8'));
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const resolved: string[] = [];
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const target = resolve(path.join(path.dirname(file), fileName));
    if (target) resolved.push(target);
  }
  return resolved;
}

function resolve(candidate: string): string | undefined {
  const normal = path.normalize(candidate);
  for (const option of [normal, `${normal}.ts`, path.join(normal, 'index.ts')]) {
    const full = path.join(root, option);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return option;
  }
  return undefined;
}

const planeOf = (file: string) => PLANES.find((plane) => file.startsWith(plane.files));
const isTest = (file: string) => file.endsWith('.test.ts');

function boundaryViolation(from: string, to: string): string | undefined {
  if (to === COMPOSITION_ROOT && !MAY_IMPORT_ROOT.some((prefix) => from.startsWith(prefix))) {
    return `${from} imports ${to}: only server.ts, tests and benchmarks start the platform; take what you need as a parameter`;
  }
  if (to.startsWith(ROLE_BUILDERS) && from !== COMPOSITION_ROOT && !from.startsWith(ROLE_BUILDERS)) {
    return `${from} imports ${to}: the role builders are part of the composition root (platform.ts); take what you need as a parameter`;
  }
  const plane = planeOf(from);
  if (!plane) return undefined;
  if (to.startsWith(plane.files) || plane.may.some((allowed) => to.startsWith(allowed))) return undefined;
  // A plane's own subfolder (common/protocol) is covered above; common/ may not reach into a sibling.
  if (isTest(from) && to.startsWith(TEST_SUPPORT)) return undefined;
  if (plane.files === 'common/protocol/' && to.startsWith('common/protocol/')) return undefined;
  return `${from} imports ${to}: ${plane.why} (${plane.files} may import ${plane.may.join(', ') || 'nothing outside itself'})`;
}

/** Tarjan's strongly connected components: every component of more than one file is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

function main(): number {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) graph.set(file, importsOf(file));

  const problems: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const violation = boundaryViolation(from, to);
      if (violation) problems.push(violation);
    }
  }
  for (const component of cycles(graph)) {
    problems.push(`import cycle: ${component.join(' <-> ')} (split the shared part into a module both import)`);
  }
  if (problems.length === 0) {
    console.log(`architecture: ${graph.size} files, imports point one way, no cycles`);
    return 0;
  }
  for (const problem of problems) console.error(`architecture: ${problem}`);
  console.error(`architecture: ${problems.length} problem(s); the rules are in scripts/check-architecture.ts`);
  return 1;
}

process.exitCode = main();
