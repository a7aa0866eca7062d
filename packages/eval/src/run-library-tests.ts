import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseJUnit, spawnVerify } from '@caid/integrator';
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

/** The test run was stopped by the caller's signal (Ctrl-C or SIGTERM); its processes are gone. */
export class EvalInterrupted extends Error {
  constructor() {
    super('caid eval: interrupted');
  }
}

/**
 * Runs the library's tests at `commit` in a throw-away worktree; passed and total test counts from JUnit.
 * The tests run the way the gate runs verify (spawnVerify: own process group, every process it
 * starts is killed when it ends or `signal` aborts), so an interrupted eval leaves no pytest behind.
 */
export async function runLibraryTests(repoDir: string, commit: string, command: string, signal?: AbortSignal): Promise<{ passed: number; total: number }> {
  if (signal?.aborted) throw new EvalInterrupted();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'caid-eval-tests-'));
  const wt = path.join(tmp, 'wt');
  const report = path.join(tmp, 'report.xml');
  spawnSync('git', ['worktree', 'add', '-q', '--detach', wt, commit], { cwd: repoDir, stdio: 'ignore' });
  try {
    const run = await spawnVerify(command, {
      cwd: wt, timeoutMs: 30 * 60_000, signal,
      env: { PYTEST_ADDOPTS: `--junitxml=${report} -p no:cacheprovider` },
    });
    if (run.cancelled) throw new EvalInterrupted();
    let xml = '';
    try {
      xml = readFileSync(report, 'utf8');
    } catch (err) {
      elog.debug({ err, report, exitCode: run.exitCode, timedOut: run.timedOut }, 'no JUnit report: the suite did not run');
      return { passed: 0, total: 0 }; // no report: the suite did not run at all
    }
    const outcomes = parseJUnit(xml);
    return { passed: outcomes.filter((t) => t.status === 'passed').length, total: outcomes.length };
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', wt], { cwd: repoDir, stdio: 'ignore' });
    rmSync(tmp, { recursive: true, force: true });
  }
}
