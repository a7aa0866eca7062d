import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseJUnit } from '@caid/integrator';
import type { Commit0Library } from './commit0-library.js';
import { logger } from '@caid/log';

const elog = logger('eval');

/** Whether pytest-timeout is installed (then every test gets a time limit, so a stub that loops cannot hang a run). */
function hasPytestTimeout(): boolean {
  return spawnSync('python3', ['-c', 'import pytest_timeout'], { stdio: 'ignore' }).status === 0;
}

/** The library's own test command, as the gate runs it after every merge. */
export function testCommand(lib: Commit0Library): string {
  const env = lib.sourceRoot ? `PYTHONPATH=${lib.sourceRoot} ` : '';
  return `${env}python3 -m pytest -q${hasPytestTimeout() ? ' --timeout=20' : ''} ${lib.testDir}`;
}

/** Runs the library's tests at `commit` in a throw-away worktree; passed and total test counts from JUnit. */
export function runLibraryTests(repoDir: string, commit: string, command: string): { passed: number; total: number } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'caid-eval-tests-'));
  const wt = path.join(tmp, 'wt');
  const report = path.join(tmp, 'report.xml');
  spawnSync('git', ['worktree', 'add', '-q', '--detach', wt, commit], { cwd: repoDir, stdio: 'ignore' });
  try {
    spawnSync('bash', ['-c', command], {
      cwd: wt, stdio: 'ignore', timeout: 30 * 60_000, killSignal: 'SIGKILL',
      env: { ...process.env, PYTEST_ADDOPTS: `--junitxml=${report} -p no:cacheprovider` },
    });
    let xml = '';
    try {
      xml = readFileSync(report, 'utf8');
    } catch (err) {
      elog.debug({ err, report }, 'no JUnit report: the suite did not run');
      return { passed: 0, total: 0 }; // no report: the suite did not run at all
    }
    const outcomes = parseJUnit(xml);
    return { passed: outcomes.filter((t) => t.status === 'passed').length, total: outcomes.length };
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', wt], { cwd: repoDir, stdio: 'ignore' });
    rmSync(tmp, { recursive: true, force: true });
  }
}
