import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { clipOutput } from '@caid/agent';
import { importCycles, importGraph, type ImportGraph } from './import-graph.js';
import { logger } from '@caid/log';

const plog = logger('planner');

export interface RepoContext {
  files: string[];
  tests: string[];
  testCommand?: string;
  imports: ImportGraph;
  cycles: string[][];
  /** The whole context as one markdown document for the planner's first message. */
  text: string;
}

const DOCS = ['README.md', 'README', 'README.rst', 'AGENTS.md', 'CLAUDE.md'];
const MANIFESTS = ['package.json', 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'Cargo.toml', 'go.mod', 'Makefile', 'tsconfig.json'];
const TEST_FILE = /(^|\/)(tests?|__tests__|spec)\/|\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)test_[^/]*\.py$|_test\.(py|go)$/;
const MAX_TREE = 250;
const MAX_DOC = 6000;
const MAX_FILE_SCAN = 400_000;

/** Tracked files plus untracked ones that are not ignored; sorted, `/`-separated. */
function listFiles(dir: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: dir, env: { PATH: process.env.PATH ?? '' }, maxBuffer: 64 * 1024 * 1024,
  }).toString();
  return [...new Set(out.split('\0').filter((f) => f && !f.startsWith('.caid/')))].sort();
}

/** Whether `name` is an executable file in one of PATH's folders. */
function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(path.delimiter).filter(Boolean).some((d) => {
    try {
      accessSync(path.join(d, name), constants.X_OK);
      return statSync(path.join(d, name)).isFile();
    } catch {
      return false; // expected: not in this folder (the usual answer for all but one)
    }
  });
}

/**
 * The test command a repository declares, if any. Python's is run with `python3` where there is no
 * `python` (Debian and Ubuntu ship only python3): `python -m pytest` there failed on the base with
 * exit 127, and every task then failed verify.
 */
export function detectTestCommand(dir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const read = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : '');
  try {
    const pkg = JSON.parse(read('package.json') || '{}') as { scripts?: Record<string, string> };
    const test = pkg.scripts?.test;
    if (test && !/no test specified/.test(test)) return 'npm test';
  } catch (err) { plog.debug({ err }, 'package.json unparsable: it declares no test script'); }
  if (/^test:/m.test(read('Makefile'))) return 'make test';
  if (/pytest/.test(read('pyproject.toml') + read('setup.cfg') + read('requirements.txt'))) return `${!onPath('python', env) && onPath('python3', env) ? 'python3' : 'python'} -m pytest`;
  return undefined;
}

/** A file tree that fits in a prompt: every file when small, else folders with counts. */
function trimmedTree(files: string[]): string {
  if (files.length <= MAX_TREE) return files.join('\n');
  const shallow = files.filter((f) => f.split('/').length <= 2).slice(0, MAX_TREE);
  const counts = new Map<string, number>();
  for (const f of files) if (f.includes('/')) counts.set(f.split('/')[0]!, (counts.get(f.split('/')[0]!) ?? 0) + 1);
  return [...shallow, '', `(${files.length} files; showing those at depth <= 2; files per top folder:)`,
    ...[...counts].map(([d, n]) => `${d}/: ${n} files`)].join('\n');
}

/**
 * What the planner learns before its first step: the file tree, docs, manifests, test layout
 * and command, and who imports whom, so coupled files can land in one task.
 */
export function repoContext(dir: string, o: { verify?: string } = {}): RepoContext {
  const files = listFiles(dir);
  const read = (f: string) => {
    const abs = path.join(dir, f);
    return existsSync(abs) && statSync(abs).isFile() && statSync(abs).size <= MAX_FILE_SCAN ? readFileSync(abs, 'utf8') : '';
  };
  const tests = files.filter((f) => TEST_FILE.test(f));
  const testCommand = o.verify ?? detectTestCommand(dir);
  const imports = importGraph(files, read);
  const cycles = importCycles(imports);
  const sections = [`## File tree (${files.length} files)`, '```', trimmedTree(files) || '(empty repository)', '```'];
  for (const f of [...DOCS, ...MANIFESTS].filter((f) => files.includes(f))) {
    sections.push(`## ${f}`, '```', clipOutput(read(f), MAX_DOC).trimEnd(), '```');
  }
  sections.push('## Tests', tests.length ? `Test files: ${tests.slice(0, 60).join(', ')}${tests.length > 60 ? ', ...' : ''}` : 'No test files found.',
    testCommand ? `Test command (run after every merge): \`${testCommand}\`` : 'No test command found.');
  sections.push('## Import graph (file -> files it imports; only this repository\'s TS/JS and Python files)');
  sections.push(imports.size ? [...imports].slice(0, 300).map(([f, ts]) => `${f} -> ${ts.join(', ')}`).join('\n') : '(no imports between files of this repository)');
  if (cycles.length) sections.push('Files that import each other in a cycle (keep each group in one task):', ...cycles.map((c) => `- ${c.join(', ')}`));
  return { files, tests, testCommand, imports, cycles, text: sections.join('\n') };
}
