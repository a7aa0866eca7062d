import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '@caid/core';
import { logger } from '@caid/log';

const elog = logger('eval');

/** A Commit0 library: the stub commit, the reference commit, and the source files the stubs replaced. */
export interface Commit0Library {
  name: string;
  dir: string;
  stubCommit: string;
  referenceCommit: string;
  /** Python files (repository-relative, `/`) that differ between the stubs and the reference. */
  stubbed: string[];
  /** Reference text of each stubbed file. */
  reference: Map<string, string>;
  /** Every Python file of the reference tree (for the import graph). */
  pythonFiles: string[];
  /** The tests folder pytest is pointed at. */
  testDir: string;
  /** `src` for a src layout, '' otherwise (the PYTHONPATH the tests need). */
  sourceRoot: string;
}

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString();

function resolveRef(dir: string, ref: string): string | null {
  try {
    return git(dir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`).trim();
  } catch {
    // expected: --verify --quiet, a non-zero exit only says the ref names no commit
    return null;
  }
}

/**
 * Reads a library laid out the Commit0 way: the stubbed code on a branch (default
 * `commit0_combined`, else `commit0`, else their `origin/` remote-tracking branches, else HEAD) whose parent (default) is the reference.
 */
export function openCommit0Library(dir: string, o: { stubRef?: string; reference?: string } = {}): Commit0Library {
  if (!existsSync(path.join(dir, '.git'))) throw new InputError(`--lib ${dir} is not a git clone of a Commit0 library (no .git)`);
  // A fresh `git clone` has the Commit0 branches only as remote-tracking ones.
  const stubRef = o.stubRef ?? ['commit0_combined', 'commit0', 'origin/commit0_combined', 'origin/commit0'].find((r) => resolveRef(dir, r)) ?? 'HEAD';
  const stubCommit = resolveRef(dir, stubRef);
  if (!stubCommit) throw new InputError(`--stub-ref ${stubRef} names no commit in ${dir}`);
  const refName = o.reference ?? `${stubCommit}~1`;
  const referenceCommit = resolveRef(dir, refName);
  if (!referenceCommit) throw new InputError(`--reference ${refName} names no commit in ${dir} (pass the commit holding the reference implementation)`);
  const tree = git(dir, 'ls-tree', '-r', '--name-only', referenceCommit).split('\n').filter(Boolean);
  const pythonFiles = tree.filter((f) => f.endsWith('.py'));
  const isTest = (f: string) => /(^|\/)(tests?|testing)\//.test(f) || /(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/.test(f);
  const changed = git(dir, 'diff', '--name-only', '--no-renames', stubCommit, referenceCommit, '--').split('\n').filter(Boolean);
  const stubbed = changed.filter((f) => f.endsWith('.py') && !isTest(f) && pythonFiles.includes(f)).sort();
  if (!stubbed.length) throw new InputError(`no stubbed Python source file differs between ${stubRef} and ${refName} in ${dir}; is --reference right?`);
  const reference = new Map(stubbed.map((f) => [f, git(dir, 'show', `${referenceCommit}:${f}`)]));
  const testDir = ['tests', 'test', ...tree.filter((f) => /\/tests\/[^/]+\.py$/.test(f)).map((f) => f.replace(/\/tests\/.*$/, '/tests'))]
    .find((d) => tree.some((f) => f.startsWith(`${d}/`)));
  if (!testDir) throw new InputError(`no tests/ folder in the reference of ${dir}; caid eval commit0 runs the library's own tests`);
  const sourceRoot = stubbed.every((f) => f.startsWith('src/')) ? 'src' : '';
  return { name: path.basename(path.resolve(dir)), dir: path.resolve(dir), stubCommit, referenceCommit, stubbed, reference, pythonFiles, testDir, sourceRoot };
}

/** The text of `file` at `commit` ('' when absent there). */
export function fileAt(lib: Commit0Library, commit: string, file: string): string {
  try {
    return git(lib.dir, 'show', `${commit}:${file}`);
  } catch (err) {
    elog.debug({ err, commit, file }, 'file absent at commit');
    return '';
  }
}
